/**
 * What an HTML <table> is for, judged from its structure as readability (Mozilla) judges data tables: a
 * table for data becomes rows ("cell | cell", one passage per row later); a table that lays the page out
 * (the body in one cell, one cell per row, tables inside tables, role="presentation") is read as ordinary
 * blocks; a table of links (navigation, related links) is left out of the body; an info box (发文机关 | … |
 * 文号 | …) is left out of the body and read for metadata hints.
 */
import type { CheerioAPI } from 'cheerio';
import type { Element } from 'domhandler';
import { hintKeyFor } from './hints.js';
import { visibleLength } from './text-normalize.js';

export type TableRole = 'data' | 'layout' | 'navigation' | 'info';

const isTag = (node: { type: string }, ...names: string[]): boolean => node.type === 'tag' && names.includes((node as Element).tagName.toLowerCase());

/** The rows of this table (not of tables inside it): tr children of the table or of its thead/tbody/tfoot. */
export function ownRows(table: Element): Element[] {
  const rows: Element[] = [];
  for (const child of table.children) {
    if (isTag(child, 'tr')) rows.push(child as Element);
    else if (isTag(child, 'thead', 'tbody', 'tfoot')) rows.push(...(child as Element).children.filter((c) => isTag(c, 'tr')).map((c) => c as Element));
  }
  return rows;
}

const ownCells = (row: Element): Element[] => row.children.filter((c) => isTag(c, 'td', 'th')).map((c) => c as Element);

/**
 * A link-text share above this makes a table navigation (readability drops blocks whose link density is
 * over 0.5: menus, "related links" boxes, pagers).
 */
const MAX_LINK_DENSITY = 0.5;

/** Classifies a table by its own rows and cells. */
export function classifyTable($: CheerioAPI, table: Element): TableRole {
  const $table = $(table);
  const role = ($table.attr('role') ?? '').toLowerCase();
  if (role === 'presentation' || role === 'none' || $table.attr('datatable') === '0') return 'layout';
  // A table holding tables lays out the page (readability: nested tables are layout).
  if ($table.find('table').length > 0) return 'layout';
  const text = visibleLength($table.text());
  if (text === 0) return 'layout';
  const links = visibleLength($table.find('a').text());
  if (links / text > MAX_LINK_DENSITY) return 'navigation';
  const rows = ownRows(table).map((row) => ownCells(row).map((cell) => $(cell).text().replace(/\s+/gu, ' ').trim()));
  const filled = rows.map((cells) => cells.filter((c) => c.length > 0));
  // One cell per row (or a single row of cells): a frame around blocks, not a grid.
  if (!filled.some((cells) => cells.length >= 2) || filled.filter((cells) => cells.length > 0).length < 2) return 'layout';
  // An info box: cells that are metadata labels (文号, 发文机关, 成文日期 … as hints.ts knows them).
  const all = filled.flat();
  const labels = all.filter((c) => c.length <= 12 && hintKeyFor(c) !== undefined).length;
  if (labels >= 2 && labels * 3 >= all.length) return 'info';
  return 'data';
}
