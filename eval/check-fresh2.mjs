#!/usr/bin/env node
// Checks a held-out question set (default: eval/fresh2.jsonl) against the documents in corpus/.
// Plain Node (20+), no dependencies:
//   node eval/check-fresh2.mjs [set.jsonl] [--corpus DIR] [--id-prefix f2-] [--against other.jsonl]...
// Exit 0 when every line passes, 1 with one line per problem, 2 for a bad argument.
//
// Per line: valid JSON object; exactly the fields id, question, docs, evidence, type; id of the form
// <prefix><3 digits> and unique; question a non-empty string, not repeated (within the set, nor in any
// --against set, compared with whitespace and punctuation removed); type one of the six; docs exist in
// the corpus, no repeats; evidence strings of >= 8 characters that occur verbatim in their document's
// body (front matter excluded) after all whitespace is removed from both. Shape per type:
//   fact/concept/clause/meta: one doc, 1-2 evidence strings, each in that doc;
//   cross: 2-5 docs, one evidence string per doc in the same order;
//   none: docs [] and evidence [].
// Same design as eval/check-fresh.mjs on branch fresh; written again here so this branch stands alone.
import { readFileSync, readdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const args = process.argv.slice(2);
let setPath = join(here, 'fresh2.jsonl');
let corpusDir = resolve(here, '..', 'corpus');
let idPrefix = 'f2-';
const against = [];

function usage(message) {
  if (message) process.stderr.write(`check-fresh2: ${message}\n`);
  process.stderr.write(
    'usage: node eval/check-fresh2.mjs [set.jsonl] [--corpus DIR] [--id-prefix P] [--against other.jsonl]...\n',
  );
  process.exit(message ? 2 : 0);
}

for (let i = 0; i < args.length; i++) {
  const a = args[i];
  const value = () => {
    if (args[i + 1] === undefined || args[i + 1].startsWith('--')) usage(`${a} needs a value`);
    return args[++i];
  };
  if (a === '--corpus') corpusDir = resolve(value());
  else if (a === '--id-prefix') idPrefix = value();
  else if (a === '--against') against.push(resolve(value()));
  else if (a === '-h' || a === '--help') usage();
  else if (a.startsWith('-')) usage(`unknown option ${a}`);
  else setPath = resolve(a);
}

const TYPES = ['fact', 'concept', 'clause', 'cross', 'meta', 'none'];
const SINGLE = new Set(['fact', 'concept', 'clause', 'meta']);
const FIELDS = ['id', 'question', 'docs', 'evidence', 'type'];
const MIN_EVIDENCE = 8;
const ID_RE = new RegExp(`^${idPrefix.replace(/[.*+?^${}()|[\]\\]/gu, '\\$&')}\\d{3}$`, 'u');

const squash = (s) => s.replace(/\s+/gu, '');
// for comparing questions across sets: no whitespace, no punctuation, ASCII lower case
const questionKey = (s) => squash(s).replace(/[\p{P}\p{S}]/gu, '').toLowerCase();

function readText(path, what) {
  try {
    return readFileSync(path, 'utf8');
  } catch (e) {
    return usage(`cannot read ${what} ${path}: ${e.message}`);
  }
}

// docId -> body text without front matter, whitespace removed
const bodies = new Map();
let names;
try {
  names = readdirSync(corpusDir).filter((n) => n.endsWith('.md'));
} catch (e) {
  usage(`cannot read corpus folder ${corpusDir}: ${e.message}`);
}
for (const name of names) {
  const text = readFileSync(join(corpusDir, name), 'utf8');
  const fm = /^---\r?\n[\s\S]*?\r?\n---\r?\n/u.exec(text);
  bodies.set(name.slice(0, -3), squash(fm ? text.slice(fm[0].length) : text));
}
if (bodies.size === 0) usage(`no .md documents in ${corpusDir}`);

// questions of other sets that this one must not repeat
const otherQuestions = new Map();
for (const path of against) {
  readText(path, 'set').split('\n').forEach((line, i) => {
    if (line.trim() === '') return;
    try {
      const o = JSON.parse(line);
      if (typeof o.question === 'string') otherQuestions.set(questionKey(o.question), `${path}:${i + 1} (${o.id})`);
    } catch {
      usage(`${path} line ${i + 1} is not valid JSON`);
    }
  });
}

const raw = readText(setPath, 'set');
const problems = [];
const ids = new Set();
const questions = new Map();
const counts = Object.fromEntries(TYPES.map((t) => [t, 0]));
const lines = raw.split('\n');
let items = 0;

lines.forEach((line, index) => {
  const at = `line ${index + 1}`;
  if (line.trim() === '') {
    if (index !== lines.length - 1) problems.push(`${at}: empty line`);
    return;
  }
  items++;
  let o;
  try {
    o = JSON.parse(line);
  } catch (e) {
    problems.push(`${at}: not valid JSON (${e.message})`);
    return;
  }
  if (o === null || typeof o !== 'object' || Array.isArray(o)) {
    problems.push(`${at}: expected a JSON object, got ${Array.isArray(o) ? 'an array' : typeof o}`);
    return;
  }
  const where = typeof o.id === 'string' ? `${at} (${o.id})` : at;
  const bad = (msg) => problems.push(`${where}: ${msg}`);

  const keys = Object.keys(o);
  for (const f of FIELDS) if (!keys.includes(f)) bad(`missing field "${f}"`);
  for (const k of keys) if (!FIELDS.includes(k)) bad(`unexpected field "${k}"`);

  if (typeof o.id !== 'string' || !ID_RE.test(o.id)) bad(`id must look like "${idPrefix}001", got ${JSON.stringify(o.id)}`);
  else if (ids.has(o.id)) bad(`duplicate id ${o.id}`);
  else ids.add(o.id);

  if (typeof o.question !== 'string' || o.question.trim() === '') bad('question must be a non-empty string');
  else {
    const key = questionKey(o.question);
    if (questions.has(key)) bad(`same question as ${questions.get(key)}`);
    else questions.set(key, o.id);
    if (otherQuestions.has(key)) bad(`same question as ${otherQuestions.get(key)}`);
  }

  if (!TYPES.includes(o.type)) {
    bad(`type must be one of ${TYPES.join(', ')}, got ${JSON.stringify(o.type)}`);
    return;
  }
  counts[o.type]++;

  if (!Array.isArray(o.docs) || !o.docs.every((d) => typeof d === 'string')) {
    bad('docs must be an array of strings');
    return;
  }
  if (!Array.isArray(o.evidence) || !o.evidence.every((e) => typeof e === 'string')) {
    bad('evidence must be an array of strings');
    return;
  }
  for (const d of o.docs) if (!bodies.has(d)) bad(`unknown doc "${d}" (known: ${[...bodies.keys()].join(', ')})`);
  if (new Set(o.docs).size !== o.docs.length) bad('docs has repeats');
  for (const e of o.evidence) {
    if (squash(e).length < MIN_EVIDENCE) bad(`evidence shorter than ${MIN_EVIDENCE} characters: "${e}"`);
  }
  const found = (doc, e) => bodies.has(doc) && bodies.get(doc).includes(squash(e));

  if (o.type === 'none') {
    if (o.docs.length !== 0) bad(`a none item must have docs [], got ${JSON.stringify(o.docs)}`);
    if (o.evidence.length !== 0) bad('a none item must have evidence []');
  } else if (SINGLE.has(o.type)) {
    if (o.docs.length !== 1) bad(`a ${o.type} item names exactly one doc, got ${o.docs.length}`);
    if (o.evidence.length < 1 || o.evidence.length > 2) bad(`a ${o.type} item has 1-2 evidence strings, got ${o.evidence.length}`);
    for (const e of o.evidence) {
      if (o.docs.length === 1 && bodies.has(o.docs[0]) && !found(o.docs[0], e)) bad(`evidence not found verbatim in ${o.docs[0]}: "${e}"`);
    }
  } else {
    if (o.docs.length < 2 || o.docs.length > 5) bad(`a cross item names 2-5 docs, got ${o.docs.length}`);
    if (o.evidence.length !== o.docs.length) bad(`a cross item has one evidence string per doc: ${o.docs.length} docs, ${o.evidence.length} evidence`);
    o.evidence.forEach((e, i) => {
      const doc = o.docs[i];
      if (doc !== undefined && bodies.has(doc) && !found(doc, e)) bad(`evidence ${i + 1} not found verbatim in ${doc}: "${e}"`);
    });
  }
});

if (items === 0) problems.push(`${setPath}: no items`);

const summary = TYPES.map((t) => `${t} ${counts[t]}`).join(', ');
if (problems.length) {
  for (const p of problems) process.stdout.write(`${p}\n`);
  process.stdout.write(`FAIL: ${problems.length} problem(s) in ${items} items (${summary})\n`);
  process.exit(1);
}
process.stdout.write(`OK: ${items} items, ${bodies.size} documents (${summary})\n`);
