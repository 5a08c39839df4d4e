import { describe, expect, it } from 'vitest';
import { ERROR_CODES, KbError, unknownDocError } from '../../src/shared/errors.js';
import { describeLoadFailure } from '../../src/pipeline/compose/live.js';
import { REBUILD_HINT } from '../../src/storage/file/snapshot-io.js';

describe('KbError hint', () => {
  it('appends the hint to the message after "; " and keeps it as a field, with the reason apart', () => {
    const e = new KbError(ERROR_CODES.INDEX_MISMATCH, 'index format is version 2; this build reads version 3', { hint: REBUILD_HINT });
    expect(e.message).toBe('index format is version 2; this build reads version 3; run `npm run -s kb -- ingest --rebuild`');
    expect(e.hint).toBe(REBUILD_HINT);
    expect(e.reason).toBe('index format is version 2; this build reads version 3');
  });

  it('does not append a hint the message already ends with, and has none unless given', () => {
    const e = new KbError(ERROR_CODES.INDEX_MISSING, 'the database holds no policy-kb tables: was it emptied or recreated? run `npm run -s kb -- ingest` against it', { hint: 'run `npm run -s kb -- ingest` against it' });
    expect(e.message).toBe('the database holds no policy-kb tables: was it emptied or recreated? run `npm run -s kb -- ingest` against it');
    expect(e.reason).toBe('the database holds no policy-kb tables: was it emptied or recreated?');
    const plain = new KbError(ERROR_CODES.INVALID_INPUT, 'k must be an integer from 1 to 50; got 0');
    expect(plain.hint).toBeUndefined();
    expect(plain.reason).toBe(plain.message);
  });

  it('is set by the catalogue helper for an unknown docId when it points to the listing', () => {
    expect(unknownDocError('nope').hint).toBe('list the documents (GET /api/documents, kb docs, MCP list_documents) for their ids');
    expect(unknownDocError('nope', ['a', 'b']).hint).toBeUndefined();
  });

  it('decides what a failed first load tells the operator, not the wording of the message', () => {
    // A message that happens to say "run `…`" is not a hint; the field is.
    expect(describeLoadFailure(new KbError(ERROR_CODES.INTERNAL, 'the step run `x` failed'))).toMatch(/; fix the cause \(see the server log\)/u);
    expect(describeLoadFailure(new KbError(ERROR_CODES.INDEX_CORRUPT, 'index file a.bin fails its checksum (corrupted)', { hint: REBUILD_HINT }))).toBe('index file a.bin fails its checksum (corrupted); run `npm run -s kb -- ingest --rebuild`; then restart the server');
  });
});
