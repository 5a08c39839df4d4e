import { describe, expect, it } from 'vitest';
import { isoToday, isRealDate } from '../../src/shared/dates.js';

describe('isoToday', () => {
  it('names the day in China, also across midnight Beijing time within one UTC hour', () => {
    expect(isoToday(new Date('2026-06-30T15:59:59.999Z'))).toBe('2026-06-30');
    expect(isoToday(new Date('2026-06-30T16:00:00.000Z'))).toBe('2026-07-01');
    expect(isoToday(new Date('2026-06-30T15:59:30.000Z'))).toBe('2026-06-30');
  });

  it('answers each instant on its own when calls alternate between days', () => {
    const days = ['2020-01-01T00:00:00Z', '2024-02-28T17:30:00Z', '2020-01-01T00:00:10Z', '2024-02-28T17:30:20Z'].map((d) => isoToday(new Date(d)));
    expect(days).toEqual(['2020-01-01', '2024-02-29', '2020-01-01', '2024-02-29']);
  });

  it('refuses an invalid date as before', () => {
    expect(() => isoToday(new Date('not a date'))).toThrow(RangeError);
  });
});

describe('isRealDate', () => {
  it('accepts real days and refuses impossible ones', () => {
    expect(isRealDate('2024-02-29')).toBe(true);
    expect(isRealDate('2023-02-29')).toBe(false);
    expect(isRealDate('2016-13-45')).toBe(false);
  });
});
