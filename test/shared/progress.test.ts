import { describe, expect, it } from 'vitest';
import { createProgressFactory, formatDuration } from '../../src/shared/progress.js';

describe('createProgressFactory', () => {
  it('writes a line per 10 % off a terminal with the rate and the time left, and none left at the end', () => {
    let out = '';
    let now = 0;
    const bar = createProgressFactory({ write: (s: string) => (out += s) }, () => now)('embedding', 1000);
    now = 2000;
    bar.tick(100);
    now = 10_000;
    bar.tick(400);
    now = 20_000;
    bar.tick(500);
    bar.done();
    expect(out.split('\n')).toEqual([
      'embedding  [##......................] 100/1000 10% 50.0/s 2.0s ETA 18s',
      'embedding  [############............] 500/1000 50% 50.0/s 10.0s ETA 10s',
      'embedding  [########################] 1000/1000 100% 50.0/s 20.0s',
      '',
    ]);
  });
});

describe('formatDuration', () => {
  it('writes seconds, minutes and hours compactly', () => {
    expect([0, 42.4, 185, 3720, 90_000].map(formatDuration)).toEqual(['0s', '42s', '3m05s', '1h02m', '25h00m']);
  });
});
