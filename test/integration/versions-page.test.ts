/**
 * Versions in the page (issue 21 item 5), in Debian's Chromium against `kb serve`: a document opened
 * from the library table in the viewer shows its history and versions; 与现行版本对照 opens the
 * 新旧对照 view (two columns, changes highlighted, a clause opens the viewer at it, Markdown export),
 * at 1280 px and at 390 px (no sideways scrolling). Screenshots go to test-output/.
 */
import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MODELS_DIR, ROOT } from '../helpers.js';
import { launchChromium, startServe, type RunningServer } from './servers.js';

const OUT = path.join(ROOT, 'test-output');
const head = (revisions: string): string => `# 中华人民共和国某某条例\n\n2001年6月15日 中华人民共和国国务院令第306号公布\n\n${revisions}<!-- INFO END -->\n\n## 第一章 总则\n\n`;
const FIRST = '2010年1月9日 《国务院关于修改〈中华人民共和国某某条例〉的决定》第一次修订\n\n';
const OLD = `${head(FIRST)}第一条 为了规范某某活动，制定本条例。\n\n第二条 申请人应当向主管部门提交书面申请。\n\n第三条 主管部门应当在二十日内作出决定。\n\n第四条 本条例所称某某，是指依法设立的某某机构。\n\n第五条 违反本条例的，由主管部门责令改正。\n`;
const NEW = `${head(`${FIRST}2023年12月11日 《国务院关于修改〈中华人民共和国某某条例〉的决定》第二次修订\n\n`)}第一条 为了规范某某活动，制定本条例。\n\n第二条 国家鼓励以电子形式提交申请。\n\n第三条 违反本条例的，由主管部门责令改正。\n\n第四条 申请人应当向主管部门提交书面申请。\n\n第五条 主管部门应当在十五个工作日内作出决定。\n`;
const OLD_ID = '某某条例-2010-01-09';

let server: RunningServer;
let browser: Browser;

beforeAll(async () => {
  const corpus = await mkdtemp(path.join(tmpdir(), 'kb-versions-page-'));
  await writeFile(path.join(corpus, '某某条例(2010-01-09).md'), OLD);
  await writeFile(path.join(corpus, '某某条例(2023-12-11).md'), NEW);
  const index = await mkdtemp(path.join(tmpdir(), 'kb-versions-page-idx-'));
  server = await startServe({ CORPUS_DIR: corpus, MODELS_DIR, INDEX_DIR: index, POLICY_KB_TODAY: '2026-12-06' });
  browser = await launchChromium();
  await mkdir(OUT, { recursive: true });
}, 180_000);

afterAll(async () => {
  await browser?.close();
  await server?.stop();
});

describe('versions and 新旧对照 in the page', () => {
  for (const width of [1280, 390]) {
    it(`opens a document from the library, shows its versions, and compares it with the current one (${width} px)`, async () => {
      const page = await browser.newPage({ viewport: { width, height: 900 } });
      const errors: string[] = [];
      page.on('pageerror', (e) => errors.push(e.message));
      await page.goto(`${server.url}/#library`);
      const row = page.locator(`#library-rows tr[data-doc="${OLD_ID}"]`);
      await row.waitFor({ timeout: 30_000 });
      await page.screenshot({ path: path.join(OUT, `versions-library-${width}.png`), fullPage: true });
      await row.getByRole('button', { name: '阅读' }).click();
      // The viewer, in the chat view, with the document's history and its versions.
      await page.locator('#viewer').waitFor({ state: 'visible' });
      expect(await page.locator('#doc-title').textContent()).toBe('《中华人民共和国某某条例》');
      const versions = page.locator('.doc-versions .versions');
      await versions.waitFor();
      expect((await versions.textContent())?.replace(/\s+/gu, ' ')).toContain('版本：2010-01-09 2023-12-11（现行）');
      expect(await page.locator('.doc-versions summary').textContent()).toBe('沿革（2）');
      expect(await page.locator('#doc-body').textContent()).toContain('第三条 主管部门应当在二十日内作出决定。');
      await page.locator('#viewer').screenshot({ path: path.join(OUT, `versions-viewer-${width}.png`) });
      // 新旧对照: the modified clause, its old and new characters marked.
      await versions.getByRole('button', { name: '与现行版本对照' }).click();
      const table = page.locator('#diff-view table.diff-table');
      await table.waitFor();
      expect(await page.locator('#diff-view h2').textContent()).toContain('新旧对照：《中华人民共和国某某条例》');
      const modified = page.locator('#diff-view tr.diff-modified');
      expect(await modified.count()).toBe(1);
      expect(await modified.locator('td').nth(1).locator('ins').allTextContents()).not.toEqual([]);
      expect(await modified.locator('td').first().locator('del').allTextContents()).not.toEqual([]);
      expect(await modified.locator('td.diff-status').textContent()).toBe('修改（第三条→第五条）');
      expect(await page.locator('#diff-view tr.diff-added').count()).toBe(1);
      expect(await page.locator('#diff-view tr.diff-removed').count()).toBe(1);
      // Nothing wider than the screen.
      expect(await page.evaluate('document.documentElement.scrollWidth')).toBeLessThanOrEqual(width);
      await page.locator('#diff-view').screenshot({ path: path.join(OUT, `versions-diff-${width}.png`) });
      // The Markdown of a 修订说明.
      await page.getByRole('button', { name: '导出 Markdown（修订说明）' }).click();
      const markdown = page.locator('#diff-view textarea.compare-markdown');
      await markdown.waitFor({ state: 'visible' });
      expect(await markdown.inputValue()).toContain('| 修改前 | 修改后 | 说明 |');
      // A clause of the new version opens the viewer there, highlighted.
      await modified.locator('td').nth(1).getByRole('button', { name: '第五条' }).click();
      await page.locator('#doc-body mark').first().waitFor();
      expect((await page.locator('#doc-body mark').allTextContents()).join('')).toBe('第五条 主管部门应当在十五个工作日内作出决定。');
      expect(await page.locator('.doc-versions .versions strong').textContent()).toBe('2023-12-11（现行）');
      expect(errors).toEqual([]);
      await page.close();
    }, 120_000);
  }
});
