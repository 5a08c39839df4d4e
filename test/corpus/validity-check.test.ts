import { describe, expect, it } from 'vitest';
import { formatAgreement, parseStatusTsv, validityAgreement } from '../../src/corpus/validity-check.js';
import type { Validity } from '../../src/corpus/validity.js';
import { KbError } from '../../src/shared/errors.js';

const TSV = 'file\tname\tlevel\tpublish\tvalid_from\texpired\na.md\t甲\t行政法规\t2010-01-01\t\t0\nb.md\t乙\t行政法规\t2011-01-01\t\t1\nc.md\t丙\t法律\t2012-01-01\t\t1\nd.md\t丁\t法律\t2013-01-01\t\t0\ne.md\t戊\t法律\t2014-01-01\t\t0\n';

describe('validity check', () => {
  it('reads the database TSV and refuses anything else, naming the line', () => {
    expect(parseStatusTsv(TSV).map((r) => [r.file, r.expired])).toEqual([['a.md', false], ['b.md', true], ['c.md', true], ['d.md', false], ['e.md', false]]);
    expect(() => parseStatusTsv('x\ty\n')).toThrow(KbError);
    expect(() => parseStatusTsv('file\tname\tlevel\tpublish\tvalid_from\texpired\na.md\t甲\t行政法规\t2010\t\tmaybe', 'dev.tsv')).toThrow('dev.tsv: line 2 needs 6 tab-separated cells with expired 0 or 1; got "a.md	甲	行政法规	2010		maybe"');
  });

  it('splits agreement by the kind of evidence and counts older versions apart', () => {
    const v = (status: Validity['status'], evidence: Validity['evidence']): Validity => ({ status, evidence, basis: `${status} by ${evidence}` });
    const judged = new Map([
      ['a.md', { docId: 'a', validity: v('in_force', 'dates') }],
      ['b.md', { docId: 'b', validity: v('repealed', 'repeal') }],
      ['c.md', { docId: 'c', validity: v('in_force', 'dates') }],
      ['d.md', { docId: 'd', validity: v('superseded', 'version') }],
    ]);
    const report = validityAgreement(parseStatusTsv(TSV), judged);
    expect(report.missing).toEqual(['e.md']);
    expect(report.inForceMarked).toEqual({ count: 1, of: 2, olderVersions: 1 });
    expect(report.notInForceFound).toEqual({ count: 1, of: 2 });
    expect(report.byEvidence.map((l) => [l.evidence, l.rows])).toEqual([['version', 1], ['repeal', 1], ['dates', 2]]);
    expect(report.disagreements.map((d) => d.file)).toEqual(['c.md', 'd.md']);
    expect(formatAgreement(report)).toContain('in force by the database, judged expired/repealed/superseded: 1 of 2 (50.0%); of these, older versions a later version in the library supersedes: 1');
  });
});
