#!/usr/bin/env python3
"""
An independent clause alignment, to check `POST /api/diff` / `kb diff --json` (issue 21 "Done when":
agreement on >= 85% of the new text's clauses as unchanged / modified / added).

Independent of src/retrieval/diff.ts in every part: its own article splitter (a line that starts with
第X条), Python's difflib (Ratcliff/Obershelp matching, not a similarity-weighted alignment) over the
sequence of article texts, and, inside each 'replace' block, pairs by difflib's ratio >= 0.6 in order.

    npx tsx server/cli/entry.ts diff OLD_ID NEW_ID --json > /tmp/diff.json
    python3 scripts/check-diff-independent.py OLD.md NEW.md /tmp/diff.json
"""
import difflib
import json
import re
import sys
import unicodedata

ARTICLE = re.compile(r'^\s*(第[零〇一二两三四五六七八九十百千]+条)', re.M)


def articles(path):
    text = open(path, encoding='utf-8').read()
    heads = list(ARTICLE.finditer(text))
    out = []
    for i, m in enumerate(heads):
        end = heads[i + 1].start() if i + 1 < len(heads) else len(text)
        body = text[m.end():end]
        body = re.sub(r'\n#+ .*', '', body)  # a chapter heading closing the article
        norm = re.sub(r'\s+', '', unicodedata.normalize('NFKC', body))
        out.append((m.group(1), norm))
    return out


def align(old, new):
    """Status of each new article: unchanged, modified or added."""
    status = {}
    sm = difflib.SequenceMatcher(None, [t for _, t in old], [t for _, t in new], autojunk=False)
    for tag, i1, i2, j1, j2 in sm.get_opcodes():
        if tag == 'equal':
            for j in range(j1, j2):
                status[new[j][0]] = 'unchanged'
        elif tag == 'insert':
            for j in range(j1, j2):
                status[new[j][0]] = 'added'
        elif tag == 'replace':
            i = i1
            for j in range(j1, j2):
                # The next old article in the block that is alike enough, keeping the order.
                best, best_ratio = None, 0.6
                for k in range(i, i2):
                    r = difflib.SequenceMatcher(None, old[k][1], new[j][1], autojunk=False).ratio()
                    if r >= best_ratio:
                        best, best_ratio = k, r
                if best is None:
                    status[new[j][0]] = 'added'
                else:
                    status[new[j][0]] = 'unchanged' if old[best][1] == new[j][1] else 'modified'
                    i = best + 1
    return status


def main():
    old_path, new_path, diff_path = sys.argv[1:4]
    old, new = articles(old_path), articles(new_path)
    theirs = align(old, new)
    ours = {}
    for row in json.load(open(diff_path, encoding='utf-8'))['rows']:
        if 'to' not in row:
            continue
        # moved rows are unchanged or modified by their text, as the independent side sees them
        status = row['status']
        if status == 'moved':
            status = 'modified' if row.get('changes') or row.get('fromChanges') else 'unchanged'
        ours[row['to']['clause']] = status
    agree = [c for c, _ in new if ours.get(c) == theirs.get(c)]
    print(f'new text: {len(new)} articles; old: {len(old)}')
    print(f'agreement on the new text\'s clauses: {len(agree)}/{len(new)} = {100 * len(agree) / len(new):.1f}%')
    counts = {}
    for c, _ in new:
        key = (ours.get(c), theirs.get(c))
        counts[key] = counts.get(key, 0) + 1
    for (a, b), n in sorted(counts.items(), key=lambda kv: -kv[1]):
        print(f'  ours {a:<10} independent {b:<10} {n}')
    for c, _ in new:
        if ours.get(c) != theirs.get(c):
            print(f'  disagree: {c}: ours {ours.get(c)}, independent {theirs.get(c)}')


if __name__ == '__main__':
    main()
