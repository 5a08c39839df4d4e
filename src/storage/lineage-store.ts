/**
 * Versions and repeals as every reader sees them, on any backend: a store whose documents carry
 * `meta.lineage` (corpus/lineage.ts), derived from the whole catalogue of the version being read,
 * once per store version. Presenter, answers, compare and the `validOn` filter all judge validity
 * from the metadata they read, so they follow version chains and repeals without knowing of them.
 *
 * Nothing is written: a document's status follows the library as it is at each read, whatever
 * order versions arrived in and after any upload, replacement or deletion.
 */
import type { ValidMeta } from '../corpus/document.js';
import { deriveLineage } from '../corpus/lineage.js';
import type { Lineage } from '../corpus/validity.js';
import { documentMatches } from './filters.js';
import type { DocumentFilter, DocumentStore, DocumentSummary, EvidenceView, KnowledgeStore, StoredDocument } from './types.js';

interface Catalogue {
  version: string;
  summaries: DocumentSummary[];
  lineage: Map<string, Lineage>;
  byId: Map<string, DocumentSummary>;
}

const WRAPPED = Symbol('lineage-store.inner');

/** The store a lineage view wraps (itself when it wraps none). */
export function baseStore(store: KnowledgeStore): KnowledgeStore {
  return (store as KnowledgeStore & { [WRAPPED]?: KnowledgeStore })[WRAPPED] ?? store;
}

/** A read view of `inner` whose documents carry their lineage. */
export function withLineage(inner: KnowledgeStore): KnowledgeStore {
  if (baseStore(inner) !== inner) return inner;
  let catalogue: Promise<Catalogue> | undefined;
  let catalogueVersion: string | undefined;
  const load = (): Promise<Catalogue> => {
    const version = inner.info.version;
    if (!catalogue || catalogueVersion !== version) {
      catalogueVersion = version;
      const pending = inner.documents.list().then((list) => {
        const lineage = deriveLineage(list.map((d) => d.meta));
        const summaries = list.map((d) => ({ ...d, meta: augment(d.meta, lineage) }));
        return { version, summaries, lineage, byId: new Map(summaries.map((d) => [d.meta.docId, d] as const)) };
      });
      // A failed read is not remembered: the next call tries again.
      pending.catch(() => {
        if (catalogue === pending) catalogue = undefined;
      });
      catalogue = pending;
    }
    return catalogue;
  };

  // The same stored object gets the same view (answers compare documents by identity across a request).
  const docViews = new WeakMap<StoredDocument, StoredDocument>();
  const viewOf = (doc: StoredDocument, cat: Catalogue): StoredDocument => {
    let view = docViews.get(doc);
    if (!view) {
      view = { ...doc, meta: cat.byId.get(doc.meta.docId)?.meta ?? augment(doc.meta, cat.lineage) };
      docViews.set(doc, view);
    }
    return view;
  };

  const views = new WeakMap<EvidenceView, EvidenceView>();
  const documents: DocumentStore = {
    list: async () => (await load()).summaries,
    async get(docId) {
      const [doc, cat] = await Promise.all([inner.documents.get(docId), load()]);
      return doc && viewOf(doc, cat);
    },
    async getMany(docIds) {
      const [docs, cat] = await Promise.all([inner.documents.getMany(docIds), load()]);
      return new Map([...docs].map(([id, doc]) => [id, viewOf(doc, cat)] as const));
    },
    async select(filter: DocumentFilter) {
      if (filter.validOn === undefined) return inner.documents.select(filter);
      // The backend narrows by what it can (ids, issuer, dates); validity on the day follows the
      // library's versions and repeals, judged here over the catalogue (the one filter definition).
      const { validOn, ...rest } = filter;
      const [ids, cat] = await Promise.all([inner.documents.select(rest), load()]);
      return ids.filter((id) => {
        const doc = cat.byId.get(id);
        return doc !== undefined && documentMatches(doc.meta, { validOn });
      });
    },
    containing: (texts, docIds) => inner.documents.containing(texts, docIds),
  };

  const view: KnowledgeStore = {
    get info() {
      return inner.info;
    },
    documents,
    passages: inner.passages,
    lexical: inner.lexical,
    vectors: inner.vectors,
    async evidence(request) {
      const [base, cat] = await Promise.all([inner.evidence(request), load()]);
      // The embedded store answers every request with its one snapshot: its view is made once.
      let out = views.get(base);
      if (!out) {
        out = evidenceWithLineage(base, (doc) => viewOf(doc, cat));
        views.set(base, out);
      }
      return out;
    },
  };
  Object.defineProperty(view, WRAPPED, { value: inner });
  return view;
}

function augment(meta: ValidMeta, lineage: ReadonlyMap<string, Lineage>): ValidMeta {
  const own = lineage.get(meta.docId);
  return own ? { ...meta, lineage: own } : meta;
}

/** The evidence view with its documents seen through `view` (everything else as the backend gave it). */
function evidenceWithLineage(base: EvidenceView, view: (doc: StoredDocument) => StoredDocument): EvidenceView {
  const documents = new Map([...base.documents].map(([id, doc]) => [id, view(doc)] as const));
  // Everything else of the view (passages, term statistics, the snapshot's own fields) reads through.
  return Object.create(base, { documents: { value: documents, enumerable: true } }) as EvidenceView;
}
