import { describe, expect, it } from 'vitest';
import { ERROR_CODES, UNKNOWN_DOC_LISTED_IDS, unknownDocError } from '../../src/shared/errors.js';

describe('unknownDocError (the one unknown-docId message)', () => {
  it('lists a few known ids, says when there are none, and points to the listing otherwise', () => {
    expect(unknownDocError('x', ['a', 'b']).message).toBe('unknown docId "x"; known docIds: a, b');
    expect(unknownDocError('x', []).message).toBe('unknown docId "x"; known docIds: (none: the corpus is empty)');
    expect(unknownDocError('x').message).toBe('unknown docId "x"; list the documents (GET /api/documents, kb docs, MCP list_documents) for their ids');
    expect(unknownDocError('x').code).toBe(ERROR_CODES.UNKNOWN_DOC);
  });

  it('stays short for a library of thousands: the first ids, how many more, where they are listed; a long id is cut', () => {
    const ids = Array.from({ length: 3428 }, (_, i) => `law-${i}`);
    const e = unknownDocError('y'.repeat(500), ids);
    expect(e.message).toBe(`unknown docId "${'y'.repeat(100)}"; known docIds: ${ids.slice(0, UNKNOWN_DOC_LISTED_IDS).join(', ')} and ${3428 - UNKNOWN_DOC_LISTED_IDS} more; list the documents (GET /api/documents, kb docs, MCP list_documents) for their ids`);
    expect(e.message.length).toBeLessThan(500);
    expect(e.details).toEqual({ docId: 'y'.repeat(100), knownIds: ids.slice(0, UNKNOWN_DOC_LISTED_IDS) });
  });
});
