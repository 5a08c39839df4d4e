/**
 * The library changes one server takes at once (uploads, replacements, deletions), in front of the
 * cross-process write lock: at most `limit` admitted, run one at a time in arrival order. A slot
 * is held until its change has finished — not until its client hangs up, or fifty uploads closed
 * after 50 ms would all get through (each still holding its file in memory and its turn at the
 * lock). A client that goes away cancels its change: skipped while it waits its turn, or told
 * through its `AbortSignal` while it runs (extraction stops, and nothing is written for a file
 * whose corpus files were not written yet; one already being indexed finishes).
 *
 * @example
 * const queue = createWriteQueue(4);
 * const ticket = queue.admit();            // undefined: busy, answer 503
 * res.once('close', () => ticket.close()); // the client went away, or the answer was sent
 * const change = await ticket.run((signal) => library.add([{ ...input, signal }]));
 */

export interface WriteTicket {
  /**
   * Runs `work` when the changes admitted before it have finished; rejects with the signal's
   * reason (an `AbortError`) when the ticket was closed before its turn. Call once.
   */
  run<T>(work: (signal: AbortSignal) => Promise<T>): Promise<T>;
  /**
   * The caller no longer waits (the response was sent, or the client went away). Work not started
   * is dropped and its slot freed; running work is aborted and frees its slot when it ends.
   */
  close(): void;
  /** Whether the ticket was closed before its work settled. */
  readonly cancelled: boolean;
}

export interface WriteQueue {
  /** A slot for one change, or undefined when `limit` are held. */
  admit(): WriteTicket | undefined;
  /** Slots held now (admitted changes not yet finished or dropped). */
  readonly held: number;
}

export function createWriteQueue(limit: number): WriteQueue {
  let held = 0;
  let tail: Promise<unknown> = Promise.resolve();
  return {
    get held() {
      return held;
    },
    admit() {
      if (held >= limit) return undefined;
      held += 1;
      const controller = new AbortController();
      let state: 'admitted' | 'queued' | 'running' | 'done' = 'admitted';
      let cancelled = false;
      const free = (): void => {
        if (state === 'done') return;
        state = 'done';
        held -= 1;
      };
      return {
        get cancelled() {
          return cancelled;
        },
        run<T>(work: (signal: AbortSignal) => Promise<T>): Promise<T> {
          if (state !== 'admitted') return Promise.reject(new Error(`write ticket already ${state === 'done' ? 'closed' : 'running'}`));
          if (controller.signal.aborted) {
            free();
            return Promise.reject(controller.signal.reason as Error);
          }
          state = 'queued';
          const turn = tail.then(() => {
            // Dropped while it waited: its slot is already free, its turn passes at once.
            if (controller.signal.aborted) throw controller.signal.reason;
            state = 'running';
            return work(controller.signal);
          });
          tail = turn.then(
            () => undefined,
            () => undefined,
          );
          return new Promise<T>((resolve, reject) => {
            // Dropped while it waits: its caller hears so at once, not when its turn would have come.
            const dropped = (): void => {
              if (state === 'queued') reject(controller.signal.reason as Error);
            };
            controller.signal.addEventListener('abort', dropped, { once: true });
            // The slot is free before the caller hears the outcome.
            const settle = (): void => {
              controller.signal.removeEventListener('abort', dropped);
              free();
            };
            turn.then(
              (value) => {
                settle();
                resolve(value);
              },
              (error: unknown) => {
                settle();
                reject(error as Error);
              },
            );
          });
        },
        close() {
          // Work that settled has freed its slot already: nothing to cancel.
          if (state === 'done') return;
          cancelled = true;
          controller.abort();
          // Running work keeps its slot until it ends; work not started gives it up now.
          if (state !== 'running') free();
        },
      };
    },
  };
}
