/** Shared by the benchmarks: synthetic corpora from the real documents, and folder sizes. */
import { mkdir, readdir, readFile, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { parseDocumentFile, serializeDocument } from '../src/corpus/document.js';
import { seededRandom } from './bench-support.js';

export async function dirSize(dir: string): Promise<number> {
  let total = 0;
  for (const e of await readdir(dir, { withFileTypes: true, recursive: true })) if (e.isFile()) total += (await stat(path.join(e.parentPath, e.name))).size;
  return total;
}

/** The corpus repeated `copies` times with perturbations: numbers changed, sentence pairs swapped, new docIds. */
export async function synthesize(copies: number, out: string, corpusDir = 'corpus'): Promise<void> {
  await mkdir(out, { recursive: true });
  for (const f of (await readdir(corpusDir)).filter((n) => n.endsWith('.md'))) {
    const doc = parseDocumentFile(f, await readFile(path.join(corpusDir, f)));
    for (let i = 0; i < copies; i += 1) {
      const body = doc.body
        .replace(/\d+/gu, (d) => String((Number(d) * (i + 3)) % 10000))
        .replace(/([^。]{8,}?。)([^。]{8,}?。)/gu, (_m, a: string, b: string) => (i % 2 ? b + a : a + b));
      await writeFile(path.join(out, `${doc.meta.docId}-${i}.md`), serializeDocument({ ...doc.meta, docId: `${doc.meta.docId}-${i}`, title: `${doc.meta.title}（样本${i}）`, aliases: [] }, body));
    }
  }
}

const PLACES = ['北京', '天津', '石家庄', '太原', '沈阳', '大连', '长春', '哈尔滨', '上海', '南京', '苏州', '无锡', '杭州', '宁波', '温州', '合肥', '福州', '厦门', '南昌', '济南', '青岛', '烟台', '郑州', '洛阳', '武汉', '宜昌', '长沙', '株洲', '广州', '深圳', '珠海', '佛山', '东莞', '中山', '惠州', '江门', '湛江', '肇庆', '清远', '云浮', '南宁', '柳州', '海口', '三亚', '重庆', '成都', '绵阳', '贵阳', '遵义', '昆明', '拉萨', '西安', '宝鸡', '兰州', '西宁', '银川', '乌鲁木齐', '呼和浩特', '包头', '唐山', '保定', '邯郸', '徐州', '常州', '南通', '扬州', '嘉兴', '绍兴', '金华', '台州', '芜湖', '泉州', '漳州', '赣州', '潍坊', '临沂', '南阳', '襄阳', '岳阳', '衡阳', '桂林'];
const KINDS = ['若干措施', '实施方案', '管理办法', '行动计划', '实施意见', '暂行规定', '工作方案', '发展规划', '扶持办法', '实施细则'];
const CHAPTERS = ['总则', '组织领导', '主要任务', '重点工程', '支持政策', '资金管理', '监督检查', '保障措施', '法律责任', '附则'];
const NUMERALS = ['一', '二', '三', '四', '五', '六', '七', '八', '九', '十'];

function chineseNumber(n: number): string {
  if (n <= 10) return NUMERALS[n - 1] as string;
  if (n < 20) return `十${NUMERALS[n - 11] ?? ''}`;
  const tens = Math.floor(n / 10);
  const ones = n % 10;
  return `${NUMERALS[tens - 1] as string}十${ones ? (NUMERALS[ones - 1] as string) : ''}`;
}

/**
 * Policy documents that are different documents, not copies: each one has its own place, issuer,
 * dates, title and topic (300 words drawn from the 19k common nouns and verbs of jieba's dictionary), and its
 * articles are sentences of the real corpus with about 30 % of their words replaced by words of
 * that topic, numbers changed. Chapters (第X章) hold articles (第X条) of 110–380 characters, so each
 * article is about one passage. Writes documents until about `passages` passages; returns
 * {documents, articles}.
 */
export async function synthesizeDocuments(passages: number, out: string, options: { seed?: number; corpusDir?: string } = {}): Promise<{ documents: number; articles: number }> {
  const rand = seededRandom(options.seed ?? 1);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)] as T;
  const { Jieba } = await import('@node-rs/jieba');
  const { dict } = await import('@node-rs/jieba/dict.js');
  const jieba = Jieba.withDict(dict);
  // Content words of the dictionary: nouns, verbs, verbal nouns, 2–4 Han characters.
  const vocabulary = Buffer.from(dict)
    .toString('utf8')
    .split('\n')
    .flatMap((line) => {
      const [word, freq, tag] = line.split(' ');
      return word && /^\p{Script=Han}{2,4}$/u.test(word) && /^(n|nz|v|vn|an)$/u.test(tag ?? '') && Number(freq) >= 100 ? [word] : [];
    });
  const sentences: string[][] = [];
  const corpusDir = options.corpusDir ?? 'corpus';
  for (const f of (await readdir(corpusDir)).filter((n) => n.endsWith('.md'))) {
    const doc = parseDocumentFile(f, await readFile(path.join(corpusDir, f)));
    for (const s of doc.body.split(/(?<=[。；])/u)) {
      const t = s.replace(/^[\s第一二三四五六七八九十百条章节（）()、\d.]+/u, '').trim();
      if (t.length >= 12 && t.length <= 160) sentences.push(jieba.cut(t, false));
    }
  }
  await mkdir(out, { recursive: true });
  let articles = 0;
  let documents = 0;
  while (articles < passages) {
    const place = pick(PLACES);
    const topic = Array.from({ length: 300 }, () => pick(vocabulary));
    const subject = `${pick(topic)}${pick(topic)}`;
    const year = 2008 + Math.floor(rand() * 18);
    const kind = pick(KINDS);
    const title = `${place}市关于促进${subject}发展的${kind}`;
    const sentence = (): string =>
      (pick(sentences) as string[])
        .map((w) => (w.length >= 2 && /\p{Script=Han}/u.test(w) && rand() < 0.3 ? pick(topic) : w.replace(/\d+/gu, (d) => String(Math.floor(rand() * 10 ** d.length)))))
        .join('');
    const wanted = Math.min(passages - articles, 8 + Math.floor(rand() * 50));
    const chapters = Math.max(1, Math.round(wanted / 8));
    let body = `${title}\n`;
    let n = 0;
    for (let c = 1; c <= chapters && n < wanted; c += 1) {
      body += `第${chineseNumber(c)}章 ${c === 1 ? '总则' : pick(CHAPTERS)}\n`;
      const inChapter = c === chapters ? wanted - n : Math.min(wanted - n, 4 + Math.floor(rand() * 8));
      for (let a = 0; a < inChapter; a += 1) {
        n += 1;
        let text = '';
        while (text.length < 110) text += sentence();
        if (text.length > 380) text = `${text.slice(0, 379)}。`;
        body += `第${chineseNumber(n)}条 ${text}\n`;
      }
    }
    const month = String(1 + Math.floor(rand() * 12)).padStart(2, '0');
    const day = String(1 + Math.floor(rand() * 28)).padStart(2, '0');
    const issued = `${year}-${month}-${day}`;
    const meta = {
      docId: `syn-${options.seed ?? 1}-${documents}`,
      title,
      issuer: `${place}市人民政府`,
      docNumber: `${place.slice(0, 1)}府〔${year}〕${1 + Math.floor(rand() * 120)}号`,
      dateIssued: issued,
      ...(rand() < 0.4 ? { effectiveFrom: issued, effectiveTo: `${year + 1 + Math.floor(rand() * 5)}-${month}-${day}` } : {}),
    };
    await writeFile(path.join(out, `${meta.docId}.md`), serializeDocument(meta, body));
    articles += n;
    documents += 1;
  }
  return { documents, articles };
}
