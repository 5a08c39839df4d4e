import { Document } from '@langchain/core/documents';
import { PromptTemplate } from '@langchain/core/prompts';
import { RunnablePassthrough, RunnableSequence } from '@langchain/core/runnables';
import { BaseRetriever } from '@langchain/core/retrievers';
import { beforeAll, describe, expect, it } from 'vitest';
import type { OpenedSnapshot } from '../helpers.js';
import { PolicyKbRetriever, type PolicyKbDocumentMetadata } from '../../src/retrieval/langchain-retriever.js';
import { presentHit } from '../../src/retrieval/presenter.js';
import { realKnowledgeBase } from '../helpers.js';

const TODAY = '2026-01-15';

let opened: OpenedSnapshot;
beforeAll(async () => {
  opened = await realKnowledgeBase();
}, 120_000);

function formatDocs(docs: Document<PolicyKbDocumentMetadata>[]): string {
  return docs.map((d) => `[${d.metadata.title} ${d.metadata.clause}] ${d.pageContent}`).join('\n\n');
}

describe('PolicyKbRetriever', () => {
  it('is a LangChain BaseRetriever whose documents are verbatim passages with the presenter hit view as metadata', async () => {
    const retriever = new PolicyKbRetriever({ service: opened.service, k: 3, today: () => TODAY });
    expect(retriever).toBeInstanceOf(BaseRetriever);
    const docs = await retriever.invoke('云浮 电价优惠');
    const response = await opened.service.search('云浮 电价优惠', { k: 3 });
    expect(docs).toHaveLength(response.results.length);
    expect(docs.length).toBeGreaterThan(0);
    docs.forEach((doc, i) => {
      const hit = response.results[i];
      if (!hit) throw new Error('missing hit');
      const { text, ...view } = presentHit(opened.kb.documents, hit, TODAY);
      expect(doc.pageContent).toBe(text);
      expect(doc.metadata).toEqual(view);
      expect(doc.id).toBe(hit.passageId);
      // Verbatim: the text is the document body between the offsets.
      expect(opened.kb.documents.get(doc.metadata.docId)?.body.slice(doc.metadata.start, doc.metadata.end)).toBe(doc.pageContent);
    });
    const top = docs[0];
    expect(top?.pageContent).toContain('将予以大工业电价优惠和网络带宽等方面的政策支持。');
    expect(top?.metadata).toMatchObject({ docId: 'yunfu', title: '云浮市促进云计算大数据产业发展优惠办法(试行)', issuer: '云浮市人民政府', clause: '第六条', rank: 1 });
    expect(top?.metadata.validity.status).toBe('expired');
    expect(typeof top?.metadata.score).toBe('number');
  });

  it('passes k and docIds to the search, and reads the service through a getter each time', async () => {
    let calls = 0;
    const retriever = new PolicyKbRetriever({
      service: () => {
        calls += 1;
        return opened.service;
      },
      k: 2,
      docIds: ['shenzhen'],
    });
    const docs = await retriever.invoke('云浮 电价优惠');
    expect(calls).toBe(1);
    expect(docs.length).toBeLessThanOrEqual(2);
    expect(docs.every((d) => d.metadata.docId === 'shenzhen')).toBe(true);
  });

  it('leaves out documents not in force on validOn', async () => {
    // 云浮's 办法 ran 2017-07-01 for three years: in force in 2018, expired by 2025.
    const during = await new PolicyKbRetriever({ service: opened.service, k: 5, validOn: '2018-06-01' }).invoke('云浮 电价优惠');
    const after = await new PolicyKbRetriever({ service: opened.service, k: 5, validOn: '2025-06-01' }).invoke('云浮 电价优惠');
    expect(during.map((d) => d.metadata.docId)).toContain('yunfu');
    expect(after.map((d) => d.metadata.docId)).not.toContain('yunfu');
  });

  it('feeds a LangChain runnable chain that quotes 第六条 verbatim', async () => {
    const retriever = new PolicyKbRetriever({ service: opened.service, k: 3 });
    const prompt = PromptTemplate.fromTemplate('只根据以下条文回答，并引用条文。\n\n{context}\n\n问题：{question}');
    const chain = RunnableSequence.from([{ context: retriever.pipe(formatDocs), question: new RunnablePassthrough() }, prompt, (value: { toString(): string }) => value.toString()]);
    const output = await chain.invoke('云浮 电价优惠');
    const body = opened.kb.documents.get('yunfu')?.body ?? '';
    const article = body.slice(body.indexOf('第六条'), body.indexOf('第四章 鼓励发展'));
    expect(article.startsWith('第六条')).toBe(true);
    expect(output).toContain(article.trim());
    expect(output).toContain('[云浮市促进云计算大数据产业发展优惠办法(试行) 第六条]');
    expect(output).toContain('问题：云浮 电价优惠');
  });
});
