/**
 * `npm run bench:chunks`: chunk length distribution per document, structure-aware chunker vs
 * LangChain's RecursiveCharacterTextSplitter with default settings (chunkSize 1000, overlap 200).
 */
import { RecursiveCharacterTextSplitter } from '@langchain/textsplitters';
import { loadCorpus } from '../src/pipeline/library/corpus.js';

function stats(lengths: number[]): string {
  const s = [...lengths].sort((a, b) => a - b);
  const q = (p: number): number => s[Math.min(s.length - 1, Math.floor(p * s.length))] ?? 0;
  return `${String(s.length).padStart(4)} chunks  min ${String(s[0] ?? 0).padStart(4)}  p25 ${String(q(0.25)).padStart(4)}  median ${String(q(0.5)).padStart(4)}  p75 ${String(q(0.75)).padStart(4)}  max ${String(s[s.length - 1] ?? 0).padStart(5)}`;
}

const { documents, errors } = await loadCorpus('corpus');
for (const e of errors) console.error(`skipped: ${e.message}`);
const splitter = new RecursiveCharacterTextSplitter();
const allOurs: number[] = [];
const allLc: number[] = [];
console.log('docId       chunker      distribution (characters)');
for (const doc of documents) {
  const ours = doc.chunks.map((c) => c.text.length);
  const lc = (await splitter.splitText(doc.body)).map((t) => t.length);
  allOurs.push(...ours);
  allLc.push(...lc);
  console.log(`${doc.meta.docId.padEnd(11)} structure    ${stats(ours)}`);
  console.log(`${''.padEnd(11)} langchain    ${stats(lc)}`);
}
console.log(`${'ALL'.padEnd(11)} structure    ${stats(allOurs)}`);
console.log(`${''.padEnd(11)} langchain    ${stats(allLc)}`);
const breaksMidSentence = (texts: string[]): number => texts.filter((t) => !/[。；;！!？?\s”)）]$/u.test(t)).length;
const ourTexts = documents.flatMap((d) => d.chunks.map((c) => c.text));
const lcTexts = (await Promise.all(documents.map((d) => splitter.splitText(d.body)))).flat();
console.log(`\nchunks ending mid-sentence: structure ${breaksMidSentence(ourTexts)}/${ourTexts.length}, langchain ${breaksMidSentence(lcTexts)}/${lcTexts.length}`);
