/**
 * Agreement of the judged validity with a database's own status (../shared/library/laws/validity-dev.tsv:
 * file, name, level, publish, valid_from, expired), split by the kind of evidence that decided each
 * judgement (validity.ts `ValidityEvidence`). Pure: rows and judgements in, a report out.
 */
import { ERROR_CODES, KbError } from '../shared/errors.js';
import type { Validity, ValidityEvidence } from './validity.js';

export interface StatusRow {
  /** The file the database's text was saved as (matched to a document's source or original name). */
  file: string;
  name: string;
  /** 1/true: no longer in force (repealed or replaced) by the database's status. */
  expired: boolean;
}

const HEADER = ['file', 'name', 'level', 'publish', 'valid_from', 'expired'];

/** Reads a validity TSV; throws `invalid_input` naming the line for anything else. */
export function parseStatusTsv(text: string, source = 'the file'): StatusRow[] {
  const lines = text.replace(/\r\n?/gu, '\n').split('\n').filter((l) => l.trim() !== '');
  const header = (lines[0] ?? '').split('\t');
  if (HEADER.some((h, i) => header[i] !== h)) throw new KbError(ERROR_CODES.INVALID_INPUT, `${source}: expected a header line "${HEADER.join('\\t')}"; got "${(lines[0] ?? '').slice(0, 120)}"`);
  return lines.slice(1).map((line, i) => {
    const cells = line.split('\t');
    const expired = cells[5]?.trim();
    if (cells.length < 6 || !cells[0] || (expired !== '0' && expired !== '1')) throw new KbError(ERROR_CODES.INVALID_INPUT, `${source}: line ${i + 2} needs 6 tab-separated cells with expired 0 or 1; got "${line.slice(0, 120)}"`);
    return { file: cells[0], name: cells[1] ?? '', expired: expired === '1' };
  });
}

type Judged = 'in_force' | 'not_in_force' | 'unknown';

/** What a judged status claims: in force (in_force, not_yet), not in force, or nothing. */
export function claimOf(v: Pick<Validity, 'status'>): Judged {
  if (v.status === 'expired' || v.status === 'repealed' || v.status === 'superseded') return 'not_in_force';
  if (v.status === 'unknown' || v.status === 'draft') return 'unknown';
  return 'in_force';
}

export interface EvidenceLine {
  evidence: ValidityEvidence;
  rows: number;
  /** Database in force: judged in force, unknown, not in force. */
  inForce: Record<Judged, number>;
  /** Database not in force: judged not in force, unknown, in force. */
  notInForce: Record<Judged, number>;
}

export interface CheckedRow extends StatusRow {
  docId?: string;
  status?: Validity['status'];
  evidence?: ValidityEvidence;
  basis?: string;
}

export interface AgreementReport {
  rows: number;
  /** Rows whose file no document of the library came from. */
  missing: string[];
  byEvidence: EvidenceLine[];
  /** The database's in-force rows judged not in force, and how many of them are older versions a later one in the library supersedes. */
  inForceMarked: { count: number; of: number; olderVersions: number };
  /** The database's not-in-force rows judged so. */
  notInForceFound: { count: number; of: number };
  /** Rows where the two disagree, with the basis of the judgement. */
  disagreements: CheckedRow[];
}

const EVIDENCE_ORDER: ValidityEvidence[] = ['version', 'repeal', 'expiry', 'dates', 'stated', 'none'];

/** Agreement of `judged` (by file) with the database's rows. */
export function validityAgreement(rows: readonly StatusRow[], judged: ReadonlyMap<string, { docId: string; validity: Validity }>): AgreementReport {
  const lines = new Map<ValidityEvidence, EvidenceLine>(EVIDENCE_ORDER.map((e) => [e, { evidence: e, rows: 0, inForce: { in_force: 0, unknown: 0, not_in_force: 0 }, notInForce: { not_in_force: 0, unknown: 0, in_force: 0 } }]));
  const report: AgreementReport = { rows: rows.length, missing: [], byEvidence: [], inForceMarked: { count: 0, of: 0, olderVersions: 0 }, notInForceFound: { count: 0, of: 0 }, disagreements: [] };
  for (const row of rows) {
    const found = judged.get(row.file);
    if (!found) {
      report.missing.push(row.file);
      continue;
    }
    const v = found.validity;
    const evidence = v.evidence ?? 'none';
    const line = lines.get(evidence) as EvidenceLine;
    const claim = claimOf(v);
    line.rows += 1;
    (row.expired ? line.notInForce : line.inForce)[claim] += 1;
    if (row.expired) {
      report.notInForceFound.of += 1;
      if (claim === 'not_in_force') report.notInForceFound.count += 1;
    } else {
      report.inForceMarked.of += 1;
      if (claim === 'not_in_force') {
        report.inForceMarked.count += 1;
        if (v.status === 'superseded') report.inForceMarked.olderVersions += 1;
      }
    }
    if ((claim === 'not_in_force') !== row.expired) report.disagreements.push({ ...row, docId: found.docId, status: v.status, evidence, basis: v.basis });
  }
  report.byEvidence = [...lines.values()].filter((l) => l.rows > 0);
  return report;
}

const pct = (n: number, of: number): string => (of === 0 ? '-' : `${((100 * n) / of).toFixed(1)}%`);

/** The report as the CLI prints it. */
export function formatAgreement(r: AgreementReport, show = 20): string {
  const out = [
    `rows: ${r.rows}; not in the library: ${r.missing.length}`,
    '',
    'evidence   rows | database in force: judged in force / unknown / NOT in force | database not in force: judged NOT in force / unknown / in force',
  ];
  for (const l of r.byEvidence) {
    out.push(`${l.evidence.padEnd(9)} ${String(l.rows).padStart(5)} | ${String(l.inForce.in_force).padStart(5)} / ${String(l.inForce.unknown).padStart(4)} / ${String(l.inForce.not_in_force).padStart(4)} | ${String(l.notInForce.not_in_force).padStart(5)} / ${String(l.notInForce.unknown).padStart(4)} / ${String(l.notInForce.in_force).padStart(4)}`);
  }
  out.push(
    '',
    `in force by the database, judged expired/repealed/superseded: ${r.inForceMarked.count} of ${r.inForceMarked.of} (${pct(r.inForceMarked.count, r.inForceMarked.of)}); of these, older versions a later version in the library supersedes: ${r.inForceMarked.olderVersions}`,
    `not in force by the database, judged so: ${r.notInForceFound.count} of ${r.notInForceFound.of} (${pct(r.notInForceFound.count, r.notInForceFound.of)}); the others have no evidence in the library (no later version, no repeal, no expiry rule)`,
  );
  if (show > 0 && r.disagreements.length > 0) {
    out.push('', `disagreements (first ${Math.min(show, r.disagreements.length)} of ${r.disagreements.length}):`);
    for (const d of r.disagreements.slice(0, show)) out.push(`  ${d.expired ? 'db not in force' : 'db in force    '}  ${d.status}/${d.evidence}  ${d.file}  — ${(d.basis ?? '').slice(0, 140)}`);
  }
  return out.join('\n');
}
