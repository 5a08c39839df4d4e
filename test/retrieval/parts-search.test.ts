/**
 * A parts question (江门和肇庆…分别…) reads each named document's own best passages. In a library one place names
 * many documents (深圳 names a dozen 条例 beside the city's plan); a joint search of 8 results shared among all of
 * them gave the document on the topic one or two passages, and its answering clause was often not among them.
 */
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { openKnowledgeBase } from '../../src/pipeline/compose/open.js';
import { testConfig, withSnapshot, type OpenedSnapshot } from '../helpers.js';

/** An article long enough to be a passage of its own (the chunker merges articles under 100 characters). */
const article = (n: string, text: string): string => `第${n}条 ${text}${'各区人民政府、市有关部门应当按照职责分工做好相关工作，加强统筹协调和督促检查，确保各项措施落实到位，定期向市人民政府报告工作进展情况，并向社会公开有关信息。'}\n`;

const DOCS: Record<string, string> = {
  // 江门 names four documents; only the first is about 冷库, in four articles.
  'jm-logistics': `江门市促进现代流通业发展办法\n\n${article('一', '支持建设冷库，新建冷库按库容给予补助。')}${article('二', '冷库运营企业用电执行优惠价格。')}${article('三', '鼓励冷库接入全市冷链信息平台。')}${article('四', '冷库建设用地优先保障。')}第五条 本办法自发布之日起施行。\n`,
  'jm-civility': `江门市文明行为促进条例\n\n${article('一', '公民应当文明出行。')}${article('二', '公共场所禁止喧哗。')}${article('三', '倡导垃圾分类。')}`,
  'jm-water': `江门市饮用水源保护条例\n\n${article('一', '保护饮用水水源。')}${article('二', '禁止在保护区内排污。')}${article('三', '加强水质监测。')}`,
  'jm-heritage': `江门市华侨文化遗产保护条例\n\n${article('一', '保护华侨文化遗产。')}${article('二', '鼓励社会力量参与保护。')}${article('三', '建立遗产名录。')}`,
  'zq-plan': '肇庆市农产品流通实施方案\n\n第一条 建设产地冷库，完善农产品冷链。\n第二条 本方案自印发之日起实施。\n',
};

let opened: OpenedSnapshot;
beforeAll(async () => {
  const corpus = await mkdtemp(path.join(tmpdir(), 'kb-parts-'));
  for (const [name, text] of Object.entries(DOCS)) await writeFile(path.join(corpus, `${name}.txt`), text);
  opened = withSnapshot(await openKnowledgeBase(await testConfig({ CORPUS_DIR: corpus }), { autoIngest: true }));
}, 180_000);

describe('the evidence of a parts question', () => {
  it('holds the best passages of each named document, however many documents a place names', async () => {
    const { response } = await opened.service.respond('江门和肇庆对冷库建设分别有什么规定？');
    expect(new Set(response.understanding.namedDocs.filter((d) => d.by === '江门').map((d) => d.docId)).size).toBe(4);
    const own = await opened.service.search('江门和肇庆对冷库建设分别有什么规定？', { docIds: ['jm-logistics'], k: 3, standIns: true });
    const read = response.results.filter((h) => h.docId === 'jm-logistics').map((h) => h.passageId);
    expect(read).toHaveLength(3);
    expect(read.sort()).toEqual(own.results.map((h) => h.passageId).sort());
    expect(response.results.some((h) => h.docId === 'zq-plan')).toBe(true);
  });
});
