/**
 * The chat page in a real browser: Debian's Chromium through playwright-core, against `kb serve`.
 */
import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { chromium, type Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../../server/cli/main.js';
import { captureIo, CORPUS_DIR, MODELS_DIR, ROOT, testConfig } from '../helpers.js';
import { startServe, type RunningServer } from './servers.js';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const OUT = path.join(ROOT, 'test-output');
let server: RunningServer;
let browser: Browser;

beforeAll(async () => {
  if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: install Debian's chromium (apt-get install chromium); .ci/run does`);
  const config = await testConfig();
  const env = { CORPUS_DIR, MODELS_DIR, INDEX_DIR: config.indexDir };
  expect(await runCli(['ingest'], captureIo(env))).toBe(0);
  server = await startServe(env);
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-quic'],
  });
  await mkdir(OUT, { recursive: true });
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await server?.stop();
});

describe('web chat page', () => {
  it('asks, shows cited markers, and opens the document at the highlighted quote', async () => {
    const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    const external: string[] = [];
    page.on('request', (r) => {
      if (!r.url().startsWith(server.url)) external.push(r.url());
    });
    await page.goto(server.url);
    await page.getByLabel('你的问题').fill('东莞电子政务网络的接入带宽要达到什么标准?');
    await page.getByRole('button', { name: '提问' }).click();
    const marker = page.locator('.conversation .assistant button.cite').first();
    await marker.waitFor({ timeout: 30_000 });
    const answerText = await page.locator('.conversation .assistant .answer-text').textContent();
    expect(answerText).toContain('万兆到市、千兆到镇');
    // The citation panel lists the same quote the marker points to.
    const quote = (await page.locator('#citation-1 .quote').textContent())?.replace(/^“|”$/gu, '');
    await marker.click();
    const highlighted = page.locator('#doc-body mark');
    await highlighted.first().waitFor();
    const text = (await highlighted.allTextContents()).join('');
    expect(text).toBe(quote);
    expect(await page.locator('#doc-title').textContent()).toBe('《东莞市大数据发展规划(2016-2020年)》');
    expect(await page.locator('#outline button').count()).toBeGreaterThan(20);
    await page.screenshot({ path: path.join(OUT, 'chat-answer.png') });
    expect(external).toEqual([]);
    await page.close();
  }, 90_000);

  it('says plainly when the knowledge base has nothing', async () => {
    const page = await browser.newPage();
    await page.goto(server.url);
    await page.getByLabel('你的问题').fill('贵州 大数据试验区 怎么建设');
    await page.keyboard.press('Enter');
    const banner = page.locator('.abstain-banner');
    await banner.waitFor({ timeout: 30_000 });
    expect(await banner.textContent()).toBe('知识库中未找到相关规定');
    expect(await page.locator('.citations .low').count()).toBeGreaterThan(0);
    await page.screenshot({ path: path.join(OUT, 'chat-abstain.png') });
    await page.close();
  }, 60_000);
});
