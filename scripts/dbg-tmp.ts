import { loadConfig } from '../src/config/index.js';
import { openKnowledgeBase } from '../src/pipeline/open.js';
const opened = await openKnowledgeBase(loadConfig(process.env), { autoIngest: true });
const r = await opened.service.searcher.search(process.argv[2] ?? '', { k: 8 });
for (const h of r.results) console.log(h.rank, h.docId, h.start, h.end, h.text.slice(0, 60));
