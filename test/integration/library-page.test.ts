/**
 * The documents view in a real browser (Debian's Chromium through playwright-core) against
 * `kb serve` with ADMIN_TOKEN: upload a real PDF, see it listed with format, pages and validity,
 * ask about it and see the page in the citation, download the original, replace and delete it.
 */
import { existsSync } from 'node:fs';
import { cp, mkdir, mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CORPUS_DIR, MODELS_DIR, ROOT } from '../helpers.js';
import { launchChromium, startServe, type RunningServer } from './servers.js';

const OUT = path.join(ROOT, 'test-output');
const FORMATS = path.resolve(ROOT, '..', 'shared', 'formats', 'files');
const ADMIN = 'library-admin-token';
let server: RunningServer;
let browser: Browser;

beforeAll(async () => {
  const corpus = await mkdtemp(path.join(tmpdir(), 'kb-page-lib-'));
  for (const f of ['yunfu.md', 'shenzhen.md']) await cp(path.join(CORPUS_DIR, f), path.join(corpus, f));
  const index = await mkdtemp(path.join(tmpdir(), 'kb-page-idx-'));
  server = await startServe({ CORPUS_DIR: corpus, MODELS_DIR, INDEX_DIR: index, ADMIN_TOKEN: ADMIN, POLICY_KB_TODAY: '2026-11-29' });
  browser = await launchChromium();
  await mkdir(OUT, { recursive: true });
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await server?.stop();
});

async function enterAdminToken(page: Page): Promise<void> {
  const dialog = page.locator('dialog.token-dialog');
  await dialog.waitFor();
  expect(await dialog.textContent()).toContain('ADMIN_TOKEN');
  await page.locator('#api-token-input').fill(ADMIN);
  await page.getByRole('button', { name: '确定' }).click();
}

describe.skipIf(!existsSync(FORMATS))('documents view', () => {
  it('uploads, lists, cites by page, downloads, replaces and deletes a document', async () => {
    const page = await browser.newPage({ viewport: { width: 1400, height: 900 }, acceptDownloads: true });
    const external: string[] = [];
    page.on('request', (r) => {
      if (!r.url().startsWith(server.url)) external.push(r.url());
    });
    await page.goto(server.url);
    await page.getByRole('tab', { name: '文件库' }).click();
    await page.locator('#library-rows tr').nth(1).waitFor();
    expect(await page.locator('#library-rows tr').count()).toBe(2);
    expect(await page.locator('#library-rows tr[data-doc="yunfu"] .validity').textContent()).toBe('已失效');

    // Upload a real PDF: the admin token is asked for once, then the row shows format, pages, validity.
    await page.locator('#upload-input').setInputFiles(path.join(FORMATS, 'pdf-04.pdf'));
    await enterAdminToken(page);
    const row = page.locator('#library-rows tr[data-doc="pdf-04"]');
    await row.waitFor({ timeout: 60_000 });
    expect(await page.locator('#library-status').textContent()).toMatch(/^《南宁市发展和改革委员会关于南宁市市区管道燃气价格联动有关事项的通知》已加入：\d+ 段，2 页$/u);
    expect(await row.locator('.format').textContent()).toBe('PDF');
    expect(await row.locator('.pages').textContent()).toBe('2');
    expect(await row.locator('.validity').textContent()).toBe('现行有效');
    await page.screenshot({ path: path.join(OUT, 'library-uploaded.png') });

    // The original downloads byte for byte.
    const [download] = await Promise.all([page.waitForEvent('download'), row.getByText('下载原件').click()]);
    const saved = await download.path();
    expect(Buffer.compare(await readFile(saved), await readFile(path.join(FORMATS, 'pdf-04.pdf')))).toBe(0);

    // Ask about it: the citation names its page.
    await page.getByRole('tab', { name: '问答' }).click();
    await page.getByLabel('你的问题').fill('南宁市区居民用管道燃气，第一档每立方米卖多少钱？');
    await page.getByRole('button', { name: '提问' }).click();
    await page.locator('#citation-1').waitFor({ timeout: 30_000 });
    expect(await page.locator('#citation-1 .meta').textContent()).toContain('第1页');
    await page.locator('.conversation .assistant button.cite').first().click();
    await page.locator('#doc-body mark').first().waitFor();
    expect(await page.locator('#doc-meta').textContent()).toContain('共2页');
    await page.screenshot({ path: path.join(OUT, 'library-cited-page.png') });

    // Replace it in place with another file (same docId), then delete it after confirming.
    await page.getByRole('tab', { name: '文件库' }).click();
    await row.waitFor();
    const [chooser] = await Promise.all([page.waitForEvent('filechooser'), row.getByRole('button', { name: '替换' }).click()]);
    await chooser.setFiles(path.join(FORMATS, 'ofd-02.ofd'));
    await page.locator('#library-status', { hasText: '已替换' }).waitFor({ timeout: 60_000 });
    expect(await row.locator('.format').textContent()).toBe('OFD');
    page.once('dialog', (d) => void d.accept());
    await row.getByRole('button', { name: '删除' }).click();
    await page.locator('#library-status', { hasText: '已删除' }).waitFor({ timeout: 30_000 });
    expect(await page.locator('#library-rows tr[data-doc="pdf-04"]').count()).toBe(0);
    await page.screenshot({ path: path.join(OUT, 'library-deleted.png') });
    expect(external).toEqual([]);
    await page.close();
  }, 180_000);

  it('shows a clear error for a file it cannot read and keeps the library as it was', async () => {
    const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    await page.goto(`${server.url}/#library`);
    await page.locator('#library-rows tr').first().waitFor();
    const before = await page.locator('#library-rows tr').count();
    await page.locator('#upload-input').setInputFiles({ name: 'scan.pdf', mimeType: 'application/pdf', buffer: Buffer.from('%PDF-1.7\n1 0 obj\n<< /Type /Catalog') });
    // A new page has no token yet: the write asks for it.
    await enterAdminToken(page);
    await page.locator('#library-status.error').waitFor({ timeout: 30_000 });
    // In Chinese, with the cause kept (before: the English description alone).
    expect(await page.locator('#library-status').textContent()).toMatch(/^无法读取「scan\.pdf」：文件可能已损坏、不完整、已加密，或没有可识别的文字。（详情："scan\.pdf": the PDF is /u);
    expect(await page.locator('#upload-results li.failed .result-file').textContent()).toBe('scan.pdf');
    expect(await page.locator('#library-rows tr').count()).toBe(before);
    await page.screenshot({ path: path.join(OUT, 'library-error.png') });
    await page.close();
  }, 90_000);
});
