/**
 * The page's rough edges from issue 25 (newcomer report 2026-12-05 §7), in Debian's Chromium against
 * `kb serve` on a copy of the dev corpus (loopback, no ADMIN_TOKEN: the page itself may write):
 * the first screen (document count, example questions to click), a favicon, the library table at
 * 1280 and 390 px with sorting and a filter, and uploads (one title refused for several files, the
 * fields cleared afterwards, one result line per file, 仍然添加副本 after a 409 duplicate_document).
 */
import { cp, mkdir, mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CORPUS_DIR, MODELS_DIR, ROOT } from '../helpers.js';
import { launchChromium, startServe, type RunningServer } from './servers.js';

const OUT = path.join(ROOT, 'test-output');
let server: RunningServer;
let browser: Browser;

beforeAll(async () => {
  const corpus = await mkdtemp(path.join(tmpdir(), 'kb-page-edges-'));
  await cp(CORPUS_DIR, corpus, { recursive: true });
  const index = await mkdtemp(path.join(tmpdir(), 'kb-page-edges-idx-'));
  server = await startServe({ CORPUS_DIR: corpus, MODELS_DIR, INDEX_DIR: index, POLICY_KB_TODAY: '2026-11-29' });
  browser = await launchChromium();
  await mkdir(OUT, { recursive: true });
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await server?.stop();
});

/** A plain text file whose first line is its title. */
const textFile = (title: string, body: string) => ({ name: `${title}.txt`, mimeType: 'text/plain', buffer: Buffer.from(`${title}\n\n${body}\n`) });

async function openLibrary(page: Page): Promise<void> {
  await page.goto(`${server.url}/#library`);
  await page.locator('#library-rows tr[data-doc]').first().waitFor();
}

const titles = (page: Page) => page.locator('#library-rows tr[data-doc] .doc-title').allTextContents();

describe('the first screen', () => {
  it('says how many documents are loaded and offers example questions made from them, which ask when clicked', async () => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    const missing: string[] = [];
    page.on('response', (r) => {
      if (r.status() >= 400) missing.push(`${r.status()} ${r.url()}`);
    });
    await page.goto(server.url);
    const summary = page.locator('#kb-summary');
    await summary.filter({ hasText: '已载入' }).waitFor({ timeout: 30_000 });
    const { documents } = (await (await fetch(`${server.url}/api/documents`)).json()) as { documents: { title: string; passages: number }[] };
    expect(await summary.textContent()).toBe(`已载入 ${documents.length} 份文件（${documents.reduce((n, d) => n + d.passages, 0)} 段条文）。回答均摘自原文并附出处。`);
    const examples = page.locator('#examples button.example');
    expect(await examples.count()).toBe(3);
    const first = (await examples.first().textContent()) as string;
    // Made from a loaded document's title.
    expect(documents.some((d) => first.includes(`《${d.title}》`))).toBe(true);
    // The 提问 button is on the first screen (it was below the fold at 1280×900).
    const ask = await page.getByRole('button', { name: '提问' }).boundingBox();
    expect(ask && ask.y + ask.height).toBeLessThanOrEqual(900);
    await page.screenshot({ path: path.join(OUT, 'first-screen.png') });

    await examples.first().click();
    await page.locator('.conversation .user').filter({ hasText: first }).waitFor();
    await page.locator('.conversation .assistant:not([aria-busy])').first().waitFor({ timeout: 30_000 });
    expect(await page.locator('#welcome').isVisible()).toBe(false);
    await page.getByRole('button', { name: '新对话' }).click();
    expect(await page.locator('#welcome').isVisible()).toBe(true);
    // The favicon is there (it was a 404), and nothing else the page asked for failed.
    const icon = await page.evaluate("document.querySelector('link[rel=icon]').href");
    const res = await fetch(icon as string);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^image\/svg\+xml/u);
    expect(missing).toEqual([]);
    await page.close();
  }, 90_000);
});

describe('the library table', () => {
  it('fits a 390 px phone: no sideways scrolling, each document a card with labelled fields', async () => {
    const page = await browser.newPage({ viewport: { width: 390, height: 844 } });
    await openLibrary(page);
    // Before: the table was 627 px wide and its headers one character per line.
    expect(await page.evaluate('document.documentElement.scrollWidth')).toBeLessThanOrEqual(390);
    const cells = await page.evaluate(`[...document.querySelectorAll('#library-rows tr[data-doc] td')].map((td) => Math.round(td.getBoundingClientRect().width))`);
    expect(Math.min(...(cells as number[]))).toBeGreaterThan(250);
    expect(await page.evaluate(`getComputedStyle(document.querySelector('#library-rows tr[data-doc="yunfu"] td.issuer'), '::before').content`)).toBe('"发文机关："');
    await page.screenshot({ path: path.join(OUT, 'library-390.png'), fullPage: true });
    await page.close();
  }, 60_000);

  it('sorts by a column (again: the other way), and filters by text and validity', async () => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    await openLibrary(page);
    const all = await titles(page);
    expect(all).toHaveLength(8);
    expect(await page.locator('.library-table th[data-sort="title"]').getAttribute('aria-sort')).toBe('ascending');
    await page.locator('.library-table th[data-sort="date"] button').click();
    const dates = await page.locator('#library-rows tr[data-doc] td.date').allTextContents();
    expect(dates).toEqual([...dates].sort());
    expect(await page.locator('.library-table th[data-sort="date"]').getAttribute('aria-sort')).toBe('ascending');
    await page.locator('.library-table th[data-sort="date"] button').click();
    expect(await page.locator('#library-rows tr[data-doc] td.date').allTextContents()).toEqual([...dates].sort().reverse());
    await page.locator('#library-sort').selectOption('passages:desc');
    const passages = (await page.locator('#library-rows tr[data-doc] td.passages').allTextContents()).map(Number);
    expect(passages).toEqual([...passages].sort((a, b) => b - a));

    await page.locator('#library-filter').fill('云浮');
    expect(await titles(page)).toEqual(['云浮市促进云计算大数据产业发展优惠办法(试行)']);
    expect(await page.locator('#library-shown').textContent()).toBe('显示 1 / 8 份');
    await page.locator('#library-filter').fill('');
    await page.locator('#library-validity').selectOption('expired');
    expect(await page.locator('#library-rows tr[data-doc]').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-doc')))).toEqual(['yunfu']);
    await page.locator('#library-filter').fill('没有这个词');
    expect(await page.locator('#library-rows .no-match').textContent()).toBe('没有符合筛选条件的文件。');
    await page.screenshot({ path: path.join(OUT, 'library-1280.png') });
    await page.close();
  }, 60_000);
});

describe('uploads from the page', () => {
  it('refuses one title for several files, and sends nothing', async () => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    const posts: string[] = [];
    page.on('request', (r) => {
      if (r.method() === 'POST') posts.push(r.url());
    });
    await openLibrary(page);
    await page.locator('.upload-fields summary').click();
    await page.locator('#upload-title').fill('同一个标题');
    await page.locator('#upload-input').setInputFiles([textFile('甲通知', '第一条 甲。'), textFile('乙通知', '第一条 乙。')]);
    await page.locator('#library-status.error').waitFor();
    expect(await page.locator('#library-status').textContent()).toBe('一个标题只能用于一个文件：这次选了 2 个文件。请逐个上传，或清空“标题”后再上传。');
    expect(posts).toEqual([]);
    // The title stays for the person to fix.
    expect(await page.locator('#upload-title').inputValue()).toBe('同一个标题');
    await page.close();
  }, 60_000);

  it('keeps one result line per file of a batch, applies the typed issuer to each, and clears the fields afterwards', async () => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    await openLibrary(page);
    await page.locator('.upload-fields summary').click();
    await page.locator('#upload-issuer').fill('梧州市人民政府');
    await page.locator('#upload-status').fill('现行有效');
    await page.locator('#upload-input').setInputFiles([
      textFile('梧州市数据中心用电补贴办法', '第一条 对在梧州新建的数据中心，按年用电量给予每千瓦时0.1元补贴。'),
      { name: 'broken.pdf', mimeType: 'application/pdf', buffer: Buffer.from('%PDF-1.7\n1 0 obj\n<< /Type /Catalog') },
      textFile('梧州市算力券管理办法', '第一条 算力券用于购买算力服务。'),
    ]);
    await page.locator('#library-status', { hasText: '个已存入' }).waitFor({ timeout: 60_000 });
    // Before: only the last file's result stayed in one status line.
    const lines = page.locator('#upload-results li');
    expect(await lines.count()).toBe(3);
    expect(await lines.locator('.result-file').allTextContents()).toEqual(['梧州市数据中心用电补贴办法.txt', 'broken.pdf', '梧州市算力券管理办法.txt']);
    expect(await lines.evaluateAll((li) => li.map((l) => l.className))).toEqual(['done', 'failed', 'done']);
    expect(await lines.nth(0).locator('.result-status').textContent()).toMatch(/^《梧州市数据中心用电补贴办法》已加入：\d+ 段$/u);
    expect(await lines.nth(1).locator('.result-status').textContent()).toMatch(/^无法读取「broken\.pdf」/u);
    expect(await page.locator('#library-status').textContent()).toBe('3 个文件：2 个已存入，1 个未能加入（见上方各行）');
    // Before: the fields stayed filled for the next batch.
    for (const field of ['title', 'issuer', 'status', 'effectiveFrom', 'effectiveTo']) expect(await page.locator(`#upload-${field}`).inputValue(), field).toBe('');
    await page.locator('#library-filter').fill('梧州');
    expect(await page.locator('#library-rows tr[data-doc] td.issuer').allTextContents()).toEqual(['梧州市人民政府', '梧州市人民政府']);
    await page.screenshot({ path: path.join(OUT, 'upload-results.png') });
    await page.close();
  }, 120_000);

  it('offers 仍然添加副本 after a 409 duplicate_document and sends the copy with allowDuplicate=true', async () => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    await openLibrary(page);
    // The 409 is write25's (issue 25: the same bytes again); until that branch is merged here, its answer
    // and the copy's are stood in for at the network edge, and the page's requests are checked.
    const sent: string[] = [];
    await page.route('**/api/documents', async (route) => {
      if (route.request().method() !== 'POST') return route.continue();
      const body = route.request().postDataBuffer()?.toString('latin1') ?? '';
      sent.push(body);
      const copy = /name="allowDuplicate"\r\n\r\ntrue\r\n/u.test(body);
      await route.fulfill(
        copy
          ? { status: 201, contentType: 'application/json', body: JSON.stringify({ docId: 'yunfu-2', title: '云浮市促进云计算大数据产业发展优惠办法(试行)', outcome: 'added', passages: 17, pageCount: 0, warnings: [], searchable: true }) }
          : { status: 409, contentType: 'application/json', body: JSON.stringify({ error: 'duplicate_document', error_description: '文件库中已有内容完全相同的文件，未重复添加；如确需再存一份，请选择“仍然添加副本”。' }) },
      );
    });
    await page.locator('#upload-input').setInputFiles(textFile('云浮办法副本', '第一条 同样的字节。'));
    const line = page.locator('#upload-results li').first();
    await line.locator('button.add-copy').waitFor({ timeout: 30_000 });
    expect(await line.getAttribute('class')).toBe('failed');
    expect(await line.locator('.result-status').textContent()).toContain('文件库中已有内容完全相同的文件');
    await line.locator('button.add-copy').click();
    await page.locator('#upload-results li.done').waitFor({ timeout: 30_000 });
    expect(await line.locator('.result-status').textContent()).toBe('《云浮市促进云计算大数据产业发展优惠办法(试行)》已加入：17 段');
    expect(sent).toHaveLength(2);
    expect(sent[0]).not.toContain('allowDuplicate');
    expect(sent[1]).toMatch(/name="allowDuplicate"\r\n\r\ntrue\r\n/u);
    // The same file again: its bytes (read here as latin1, as the body was).
    expect(sent[1]).toContain(Buffer.from('第一条 同样的字节。').toString('latin1'));
    await page.close();
  }, 60_000);
});
