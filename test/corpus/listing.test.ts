import { mkdtemp, readFile, readdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseListing } from '../../src/corpus/listing.js';
import { importListing, readListingMap } from '../../src/pipeline/tools/import-listing.js';
import { CORPUS_DIR, FIXTURES } from '../helpers.js';

describe('parseListing', () => {
  it('finds the eight items of the listing page with their dates and bodies', async () => {
    const items = parseListing(await readFile(path.join(FIXTURES, 'listing-page.txt'), 'utf8'));
    expect(items.map((i) => i.listingDate)).toEqual(['2018-08-23', '2017-12-29', '2017-11-08', '2017-11-08', '2017-11-08', '2017-11-08', '2017-11-08', '2017-11-08']);
    // 东莞's body runs over 19 lines of the page.
    const dongguan = items[5];
    expect(dongguan?.title).toBe('东莞市大数据发展规划(2016-2020年)');
    expect(dongguan?.body.split('\n')).toHaveLength(19);
    expect(items[0]?.body.endsWith('2018 年 3 月 22 日')).toBe(true);
  });

  it('rejects a page without items', () => {
    expect(() => parseListing('用户名\n密码\n')).toThrow(/no listing items found/);
  });
});

describe('importListing', () => {
  it('reproduces the committed corpus byte for byte', async () => {
    const out = await mkdtemp(path.join(tmpdir(), 'kb-import-'));
    const map = await readListingMap(path.join(CORPUS_DIR, 'import-map.yaml'));
    const result = await importListing(path.join(FIXTURES, 'listing-page.txt'), out, map);
    expect(result.written.map((w) => w.docId)).toEqual(['hebei', 'ai-plan', 'huizhou', 'zhongshan', 'shenzhen', 'dongguan', 'qingyuan', 'yunfu']);
    for (const name of await readdir(out)) {
      expect(await readFile(path.join(out, name), 'utf8'), name).toBe(await readFile(path.join(CORPUS_DIR, name), 'utf8'));
    }
  });

  it('reads metadata from the text: 文号, signing date, source URL', async () => {
    const ai = await readFile(path.join(CORPUS_DIR, 'ai-plan.md'), 'utf8');
    expect(ai).toContain('docNumber: 国发〔2017〕35号\n');
    expect(ai).toContain('dateIssued: 2017-07-08\n');
    expect(ai).toContain('sourceUrl: http://www.gov.cn/zhengce/content/2017-07/20/content_5211996.htm\n');
    // 云浮 cites 云府办〔2016〕27号 but has no number of its own.
    expect(await readFile(path.join(CORPUS_DIR, 'yunfu.md'), 'utf8')).not.toContain('docNumber');
  });
});
