import { readFile } from 'node:fs/promises';
import { loadConfig } from '../src/config/index.js';
import { openKnowledgeBase, serviceTuningFor } from '../src/pipeline/open.js';
import { createKnowledgeService } from '../src/retrieval/service.js';
import { citationHolds, parseEvalSet } from '../src/retrieval/eval.js';
const config = loadConfig(process.env);
const opened = await openKnowledgeBase(config, { autoIngest: true });
for (const file of ['/work/shared/eval/dev.jsonl', '/work/shared/eval/dev2.jsonl']) {
  const items = parseEvalSet(await readFile(file, 'utf8'), file).filter((i) => i.type === 'cross');
  for (const ratio of [0.3, 0.4, 0.5, 0.6, 0.7]) {
    const svc = createKnowledgeService(opened.kb, opened.embedder, { ...serviceTuningFor(config, opened.profile), answer: { listRatio: ratio } });
    let cited = 0; let prec = 0;
    for (const it of items) {
      const { answer } = await svc.ask(it.question);
      const cs = answer.abstained ? [] : answer.citations;
      if (it.docs.every((d) => cs.some((c) => c.docId === d && citationHolds(c, it)))) cited += 1;
      const docs = [...new Set(cs.map((c) => c.docId))];
      prec += docs.length ? docs.filter((d) => it.docs.includes(d)).length / docs.length : 0;
    }
    console.log(file.split('/').pop(), ratio, (cited / items.length).toFixed(2), (prec / items.length).toFixed(2));
  }
}
