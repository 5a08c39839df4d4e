/**
 * Runs a question set through the same search and abstention code as `ask`, and the LangChain
 * tutorial stack (RecursiveCharacterTextSplitter 1000/200 + the same embedder + HNSWLib) for the
 * ablation.
 */
// LangChain is loaded when the baseline runs (`kb eval --ablation`, bench-scale), not by every CLI start.
import type { Document } from '@langchain/core/documents';
import type { EvalItem, EvalRun } from '../retrieval/eval.js';
import type { StoredDocument } from '../storage/types.js';
import type { SearchMode } from '../retrieval/search.js';
import type { OpenedKnowledgeBase } from './open.js';

export type EvalSystem = SearchMode;

/**
 * Retrieval runs at `k` in the given mode. With `answers` (hybrid only), each question is also put
 * to `ask` exactly as a user would, and the run carries that answer for answer-level scoring; its
 * abstention is then the answer's.
 */
export async function runEval(opened: Pick<OpenedKnowledgeBase, 'service'>, items: readonly EvalItem[], options: { k: number; mode: EvalSystem; answers?: boolean }): Promise<EvalRun[]> {
  const runs: EvalRun[] = [];
  for (const item of items) {
    const response = await opened.service.searcher.search(item.question, { k: options.k, mode: options.mode });
    if (options.answers && options.mode === 'hybrid') {
      const { answer } = await opened.service.ask(item.question);
      const citations = answer.citations.filter((c) => !c.lowConfidence).map((c) => ({ docId: c.docId, passageId: c.passageId, quote: c.quote }));
      runs.push({ item, abstained: answer.abstained, results: response.results, answer: { abstained: answer.abstained, text: answer.answer, citations } });
    } else {
      runs.push({ item, abstained: await opened.service.abstains(response), results: response.results });
    }
  }
  return runs;
}

/** Splits every document like the LangChain RAG tutorial, keeping body offsets. */
export async function tutorialChunks(documents: ReadonlyMap<string, StoredDocument>): Promise<Document[]> {
  const [{ RecursiveCharacterTextSplitter }, { Document }] = await Promise.all([import('@langchain/textsplitters'), import('@langchain/core/documents')]);
  const splitter = new RecursiveCharacterTextSplitter({ chunkSize: 1000, chunkOverlap: 200 });
  const docs: Document[] = [];
  for (const [docId, doc] of documents) {
    let cursor = 0;
    for (const text of await splitter.splitText(doc.body)) {
      const found = doc.body.indexOf(text, Math.max(0, cursor - 400));
      const start = found >= 0 ? found : cursor;
      cursor = start + text.length;
      docs.push(new Document({ pageContent: text, metadata: { docId, title: doc.meta.title, start, end: start + text.length } }));
    }
  }
  return docs;
}

export async function runLangchainBaseline(opened: Pick<OpenedKnowledgeBase, 'store' | 'embedder'>, items: readonly EvalItem[], options: { k: number }): Promise<EvalRun[]> {
  const [{ HNSWLib }, { PolicyKbEmbeddings }] = await Promise.all([import('@langchain/community/vectorstores/hnswlib'), import('../embeddings/langchain.js')]);
  const store = await HNSWLib.fromDocuments(await tutorialChunks(await opened.store.documents.getMany((await opened.store.documents.list()).map((d) => d.meta.docId))), new PolicyKbEmbeddings(opened.embedder));
  const runs: EvalRun[] = [];
  for (const item of items) {
    const hits = await store.similaritySearchWithScore(item.question, options.k);
    runs.push({
      item,
      abstained: false,
      results: hits.map(([doc, score], i) => ({
        rank: i + 1,
        passageId: `lc-${String(doc.metadata.docId)}-${String(doc.metadata.start)}`,
        docId: String(doc.metadata.docId),
        title: String(doc.metadata.title),
        breadcrumb: `《${String(doc.metadata.title)}》`,
        text: doc.pageContent,
        start: Number(doc.metadata.start),
        end: Number(doc.metadata.end),
        score: 1 - score,
      })),
    });
  }
  return runs;
}
