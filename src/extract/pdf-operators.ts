/**
 * Walks a PDF page's operator list (pdf.js) with the current transformation matrix tracked through
 * save/restore, transforms and form XObjects: what the readers of painted images (ocr/pdf-render.ts) and of
 * ruling lines (pdf-rules.ts) both need, written once.
 */
import { getResolvedPDFJS } from 'unpdf';
import type { getDocumentProxy } from 'unpdf';

type PdfDocument = Awaited<ReturnType<typeof getDocumentProxy>>;
export type PdfPage = Awaited<ReturnType<PdfDocument['getPage']>>;
export type Matrix = [number, number, number, number, number, number];

export const multiply = (m: Matrix, n: Matrix): Matrix => [m[0] * n[0] + m[2] * n[1], m[1] * n[0] + m[3] * n[1], m[0] * n[2] + m[2] * n[3], m[1] * n[2] + m[3] * n[3], m[0] * n[4] + m[2] * n[5] + m[4], m[1] * n[4] + m[3] * n[5] + m[5]];

/** One drawing operator, with the matrix from its user space to the page's viewport (scale 1, top-down). */
export type OperatorVisitor = (fn: number, args: unknown[] | null, toPage: () => Matrix) => void;

/** Calls the visitor `visit` makes from pdf.js's OPS table for every operator but the state ones it tracks. */
export async function walkOperators(page: PdfPage, visit: (ops: Record<string, number>) => OperatorVisitor): Promise<void> {
  const { OPS } = (await getResolvedPDFJS()) as unknown as { OPS: Record<string, number> };
  const list = await page.getOperatorList();
  const viewport = page.getViewport({ scale: 1 }).transform as Matrix;
  const visitor = visit(OPS);
  let ctm: Matrix = [1, 0, 0, 1, 0, 0];
  const stack: Matrix[] = [];
  list.fnArray.forEach((fn, i) => {
    const args = list.argsArray[i] as unknown[] | null;
    if (fn === OPS.save || fn === OPS.paintFormXObjectBegin) {
      stack.push(ctm);
      const matrix = fn === OPS.paintFormXObjectBegin ? (args?.[0] as Matrix | null) : null;
      if (matrix) ctm = multiply(ctm, matrix);
    } else if (fn === OPS.restore || fn === OPS.paintFormXObjectEnd) {
      ctm = stack.pop() ?? ctm;
    } else if (fn === OPS.transform && args) {
      ctm = multiply(ctm, args as Matrix);
    } else {
      const at = ctm;
      visitor(fn, args, () => multiply(viewport, at));
    }
  });
}
