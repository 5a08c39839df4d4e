/**
 * A piece of positioned text on a page (a PDF text item, an OCR line): what the layout reader and the OCR
 * engines share. Its own module, so OCR does not import the layout reader (which imports the extract types,
 * which name the OCR engines: a cycle). Coordinates are top-down, in points.
 */
export interface Fragment {
  x: number;
  /** Top of the glyph box. */
  y: number;
  width: number;
  /** Font size / glyph height. */
  height: number;
  text: string;
}
