/**
 * The same Embedder as a LangChain `Embeddings`, so LangChain code (vector stores, retrievers) can
 * reuse the model: `new PolicyKbEmbeddings(embedder)`.
 */
import { Embeddings, type EmbeddingsParams } from '@langchain/core/embeddings';
import type { Embedder } from './embedder.js';

export class PolicyKbEmbeddings extends Embeddings {
  private readonly embedder: Embedder;

  constructor(embedder: Embedder, params: EmbeddingsParams = {}) {
    super(params);
    this.embedder = embedder;
  }

  override async embedDocuments(documents: string[]): Promise<number[][]> {
    return (await this.embedder.embedDocuments(documents)).map((v) => Array.from(v));
  }

  override async embedQuery(document: string): Promise<number[]> {
    return Array.from(await this.embedder.embedQuery(document));
  }
}
