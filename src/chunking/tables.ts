/**
 * Tables in a document body, as the extractors write them: one line per row, cells separated by " | " (DOCX
 * w:tbl, HTML <table>, Word .doc cell marks). Two or more such lines in a row make a table whose first line is
 * its header. The chunker gives each row its own passage, with the header's cells named in what search sees,
 * so that a question about one cell finds its row. Pure.
 */

export interface TableRow {
  /** Offset of the row's first character in the body. */
  start: number;
  /** Offset just after the row's last character (before its newline). */
  end: number;
  /** 1-based number of the table in the document. */
  table: number;
  /** 0 for the header row, then 1, 2… */
  row: number;
  header: string[];
  cells: string[];
}

const SEPARATOR = ' | ';

function cellsOf(line: string): string[] | undefined {
  if (!line.includes(SEPARATOR)) return undefined;
  const cells = line.split(SEPARATOR).map((c) => c.trim());
  return cells.length >= 2 ? cells : undefined;
}

/** Every table row of the body, in order. */
export function findTableRows(body: string): TableRow[] {
  const rows: TableRow[] = [];
  let table = 0;
  let run: Array<{ start: number; end: number; cells: string[] }> = [];
  const flush = (): void => {
    if (run.length >= 2) {
      table += 1;
      const header = (run[0] as { cells: string[] }).cells;
      run.forEach((r, i) => rows.push({ start: r.start, end: r.end, table, row: i, header, cells: r.cells }));
    }
    run = [];
  };
  let start = 0;
  while (start <= body.length) {
    const nl = body.indexOf('\n', start);
    const end = nl < 0 ? body.length : nl;
    const cells = cellsOf(body.slice(start, end));
    if (cells) run.push({ start, end, cells });
    else flush();
    if (nl < 0) break;
    start = nl + 1;
  }
  flush();
  return rows;
}

/** "状态：旧条文；修改后：新条文": the row with its header's names, for search (the cited text stays the row). */
export function labelRow(row: TableRow): string {
  if (row.row === 0 || row.header.length !== row.cells.length) return row.cells.join('；');
  return row.cells.map((cell, i) => (row.header[i] ? `${row.header[i]}：${cell}` : cell)).join('；');
}
