/**
 * The one server-sent-events writer, for `POST /api/chat` (named events) and
 * `POST /v1/chat/completions` (unnamed `data:` chunks), as Hono's `streamSSE` serves every stream.
 */
import type { Response } from 'express';

export interface EventStream {
  /** One event: `event: <name>` when named, then `data: <data>` (a string as is, anything else as JSON). */
  send(data: unknown, event?: string): void;
  end(): void;
}

/** Starts a 200 event stream on `res`: no caching, no proxy buffering (nginx `X-Accel-Buffering`). */
export function openEventStream(res: Response): EventStream {
  res.status(200).setHeader('Content-Type', 'text/event-stream; charset=utf-8');
  res.setHeader('Cache-Control', 'no-cache');
  res.setHeader('X-Accel-Buffering', 'no');
  return {
    send(data, event) {
      res.write(`${event === undefined ? '' : `event: ${event}\n`}data: ${typeof data === 'string' ? data : JSON.stringify(data)}\n\n`);
    },
    end() {
      res.end();
    },
  };
}
