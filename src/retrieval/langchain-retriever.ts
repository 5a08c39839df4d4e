/**
 * policy-kb's hybrid search as a LangChain retriever, beside `PolicyKbEmbeddings`: each hit becomes
 * a `Document` whose `pageContent` is the verbatim passage text and whose `metadata` is the
 * presenter's hit view (passageId, docId, title, issuer, docNumber, clause, breadcrumb, start,
 * end, page, validity, score, rank…), so a chain can cite what it was given.
 *
 *   const retriever = new PolicyKbRetriever({ service, k: 5, inForce: true });
 *   const docs = await retriever.invoke('云浮 电价优惠');
 */
import type { CallbackManagerForRetrieverRun } from '@langchain/core/callbacks/manager';
import { Document } from '@langchain/core/documents';
import { BaseRetriever, type BaseRetrieverInput } from '@langchain/core/retrievers';
import { isoToday } from '../shared/dates.js';
import { presentHit, type HitView } from './presenter.js';
import type { KnowledgeService } from './service.js';

/** What the metadata of a retrieved document carries: the hit view without its text (that is `pageContent`). */
export type PolicyKbDocumentMetadata = Omit<HitView, 'text'>;

export interface PolicyKbRetrieverInput extends BaseRetrieverInput {
  /** The service to search, or a getter for the current one (a live library swaps snapshots). */
  service: KnowledgeService | (() => KnowledgeService);
  /** Passages returned (1–50, default 8). */
  k?: number;
  /** Only these documents. */
  docIds?: string[];
  /** Only documents in force on this date (YYYY-MM-DD); documents of unknown validity are kept. */
  validOn?: string;
  /** Only documents in force today; `validOn` wins when both are set. */
  inForce?: boolean;
  /** The date validity is judged on (default: today's Asia/Shanghai calendar day). */
  today?: () => string;
}

export class PolicyKbRetriever extends BaseRetriever<PolicyKbDocumentMetadata> {
  static override lc_name(): string {
    return 'PolicyKbRetriever';
  }

  lc_namespace = ['policy_kb', 'retrievers'];

  private readonly service: () => KnowledgeService;
  readonly k: number;
  readonly docIds: string[] | undefined;
  readonly validOn: string | undefined;
  readonly inForce: boolean;
  private readonly today: () => string;

  constructor(fields: PolicyKbRetrieverInput) {
    super(fields);
    const { service } = fields;
    this.service = typeof service === 'function' ? service : () => service;
    this.k = fields.k ?? 8;
    this.docIds = fields.docIds;
    this.validOn = fields.validOn;
    this.inForce = fields.inForce ?? false;
    this.today = fields.today ?? (() => isoToday());
  }

  override async _getRelevantDocuments(query: string, _runManager?: CallbackManagerForRetrieverRun): Promise<Document<PolicyKbDocumentMetadata>[]> {
    const service = this.service();
    const response = await service.search(query, {
      k: this.k,
      ...(this.docIds ? { docIds: this.docIds } : {}),
      ...(this.validOn ? { validOn: this.validOn } : {}),
      ...(this.inForce ? { inForce: true } : {}),
    });
    const today = this.today();
    const docs = await service.catalog();
    return response.results.map((hit) => {
      const { text, ...metadata } = presentHit(docs, hit, today);
      return new Document<PolicyKbDocumentMetadata>({ pageContent: text, metadata, id: hit.passageId });
    });
  }
}
