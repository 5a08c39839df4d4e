/**
 * `kb import-listing FILE --out DIR`: turns a scraped listing page into corpus files.
 */
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { extractMeta, parseListing, type ListingMapEntry } from '../../corpus/listing.js';
import { serializeDocument } from '../../corpus/document.js';
import { ERROR_CODES, KbError } from '../../shared/errors.js';

const mapSchema = z.array(
  z.object({ match: z.string().min(1), docId: z.string().min(1), title: z.string().optional(), issuer: z.string().optional(), aliases: z.array(z.string().min(1)).optional() }).strict(),
);

export async function readListingMap(file: string): Promise<ListingMapEntry[]> {
  const parsed = mapSchema.safeParse(parseYaml(await readFile(file, 'utf8')));
  if (!parsed.success) {
    throw new KbError(ERROR_CODES.INVALID_INPUT, `${file}: invalid listing map: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
  }
  return parsed.data.map((e) => ({ match: e.match, docId: e.docId, ...(e.title ? { title: e.title } : {}), ...(e.issuer ? { issuer: e.issuer } : {}), ...(e.aliases ? { aliases: e.aliases } : {}) }));
}

export interface ImportResult {
  written: { docId: string; file: string; title: string; chars: number }[];
}

export async function importListing(pageFile: string, outDir: string, map: ListingMapEntry[]): Promise<ImportResult> {
  const page = await readFile(pageFile, 'utf8');
  const items = parseListing(page);
  await mkdir(outDir, { recursive: true });
  const written: ImportResult['written'] = [];
  for (const item of items) {
    const meta = extractMeta(item, map);
    const file = path.join(outDir, `${meta.docId}.md`);
    await writeFile(file, serializeDocument(meta, item.body), 'utf8');
    written.push({ docId: meta.docId, file, title: meta.title, chars: item.body.length });
  }
  return { written };
}
