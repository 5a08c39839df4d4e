import { loadConfig } from '../src/config/index.js';
import { openKnowledgeBase } from '../src/pipeline/open.js';
import { compareProvisions, comparisonMarkdown } from '../src/retrieval/compare.js';
const opened = await openKnowledgeBase(loadConfig(process.env), { autoIngest: true });
console.log(comparisonMarkdown(await compareProvisions(opened.kb, opened.service.searcher, process.argv[2] ?? '')));
