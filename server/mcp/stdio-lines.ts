/**
 * A guard in front of the MCP stdio transport: passes only whole lines, each at most
 * `maxLineBytes`. A longer line is dropped and reported (the SDK's own reader closes the whole
 * transport instead, so one oversized message used to end the server silently).
 */
import { Transform } from 'node:stream';

/** The SDK's read limit: a JSON-RPC message on stdio may be this long. */
export const MAX_LINE_BYTES = 10 * 1024 * 1024;

export interface OversizedLine {
  /** Bytes of the dropped line (without its newline). */
  bytes: number;
  /** The request id, when it appears near the start of the line (else null). */
  id: string | number | null;
}

const ID_RE = /"id"\s*:\s*(-?\d{1,15}|"(?:[^"\\]|\\.){0,200}")/u;

/** Blank lines pass (the SDK skips them); anything else must parse as JSON. */
function isJsonLine(line: Buffer): boolean {
  const text = line.toString('utf8').trim();
  if (text === '') return true;
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
}

function sniffId(head: string): string | number | null {
  const m = ID_RE.exec(head);
  if (!m) return null;
  const raw = m[1] as string;
  try {
    return JSON.parse(raw) as string | number;
  } catch {
    return null;
  }
}

/**
 * A Transform from stdin to the transport: whole lines ≤ maxLineBytes; `onOversized` for each line
 * dropped for its size, `onMalformed` (when given) for each non-blank line that is not JSON, which is
 * dropped too (the SDK would only log it, and the client would wait for an answer that never comes).
 */
export function limitLines(onOversized: (line: OversizedLine) => void, maxLineBytes = MAX_LINE_BYTES, onMalformed?: (bytes: number) => void): Transform {
  let parts: Buffer[] = [];
  let held = 0;
  let dropping = false;
  let dropped = 0;
  let head = '';
  return new Transform({
    transform(chunk: Buffer, _encoding, done) {
      let pos = 0;
      while (pos < chunk.length) {
        const nl = chunk.indexOf(10, pos);
        const end = nl === -1 ? chunk.length : nl;
        const piece = chunk.subarray(pos, end);
        if (!dropping && held + piece.length > maxLineBytes) {
          // Too long: forget what is held, keep the start to find the id, skip to the newline.
          head = Buffer.concat([...parts, piece]).subarray(0, 4096).toString('utf8');
          dropping = true;
          dropped = held;
          parts = [];
          held = 0;
        }
        if (dropping) dropped += piece.length;
        else {
          parts.push(piece);
          held += piece.length;
        }
        if (nl === -1) break;
        if (dropping) {
          onOversized({ bytes: dropped, id: sniffId(head) });
          dropping = false;
          dropped = 0;
          head = '';
        } else {
          const line = Buffer.concat(parts);
          if (onMalformed && !isJsonLine(line)) onMalformed(line.length);
          else this.push(Buffer.concat([line, Buffer.from('\n')]));
          parts = [];
          held = 0;
        }
        pos = nl + 1;
      }
      done();
    },
    flush(done) {
      if (dropping) onOversized({ bytes: dropped, id: sniffId(head) });
      else if (held > 0) this.push(Buffer.concat(parts));
      done();
    },
  });
}
