/**
 * The ruling lines a PDF page draws (table borders), read from pdf.js's operator list: every painted path's
 * straight axis-aligned pieces in page points, top-down, for ruled-tables.ts. Curves, clipping paths and
 * shapes that are neither lines nor hairline rectangles are left out.
 */
import { walkOperators, type Matrix, type PdfPage } from './pdf-operators.js';
import { rulesOfPath, type Rule } from './ruled-tables.js';

const apply = (m: Matrix, x: number, y: number): [number, number] => [m[0] * x + m[2] * y + m[4], m[1] * x + m[3] * y + m[5]];

/** pdf.js 5 path data: an op code followed by its points (DrawOPS in pdf.js). */
const MOVE = 0;
const LINE = 1;
const CURVE = 2;
const QUAD = 3;
const CLOSE = 4;

/** Subpaths of one pdf.js path as point lists in page space (curves cut the polyline: they are no rule). */
function subpathsOf(data: ArrayLike<number>, m: Matrix): Array<Array<[number, number]>> {
  const out: Array<Array<[number, number]>> = [];
  let current: Array<[number, number]> = [];
  const flush = (): void => {
    if (current.length > 1) out.push(current);
    current = [];
  };
  for (let i = 0; i < data.length; ) {
    const op = data[i] as number;
    if (op === MOVE) {
      flush();
      current.push(apply(m, data[i + 1] as number, data[i + 2] as number));
      i += 3;
    } else if (op === LINE) {
      current.push(apply(m, data[i + 1] as number, data[i + 2] as number));
      i += 3;
    } else if (op === CURVE) {
      flush();
      current.push(apply(m, data[i + 5] as number, data[i + 6] as number));
      i += 7;
    } else if (op === QUAD) {
      flush();
      current.push(apply(m, data[i + 3] as number, data[i + 4] as number));
      i += 5;
    } else if (op === CLOSE) {
      if (current.length > 1) current.push(current[0] as [number, number]);
      const start = current[0];
      flush();
      if (start) current.push(start);
      i += 1;
    } else return out; // a format this reader does not know: no rules rather than wrong ones
  }
  flush();
  return out;
}

/** The ruling lines of a page, in viewport space at scale 1 (points, top-down, /Rotate applied). */
export async function pageRules(page: PdfPage): Promise<Rule[]> {
  const rules: Rule[] = [];
  await walkOperators(page, (OPS) => {
    const strokes = new Set([OPS.stroke, OPS.closeStroke, OPS.fillStroke, OPS.eoFillStroke, OPS.closeFillStroke, OPS.closeEOFillStroke]);
    const fills = new Set([OPS.fill, OPS.eoFill]);
    return (fn, args, toPage) => {
      if (fn !== OPS.constructPath || !args) return;
      const paint = args[0] as number;
      const painted = strokes.has(paint) ? 'stroke' : fills.has(paint) ? 'fill' : undefined;
      const data = (args[1] as unknown[] | undefined)?.[0];
      if (!painted || !data || typeof (data as ArrayLike<number>).length !== 'number') return;
      rules.push(...rulesOfPath(subpathsOf(data as ArrayLike<number>, toPage()), painted));
    };
  });
  return rules;
}
