import { describe, expect, it } from 'vitest';
import { createWriteQueue } from '../../src/pipeline/library/write-queue.js';

const tick = (): Promise<void> => new Promise((r) => setTimeout(r, 5));

describe('createWriteQueue', () => {
  it('admits up to its limit and runs the changes one at a time, in arrival order', async () => {
    const queue = createWriteQueue(3);
    const tickets = [queue.admit(), queue.admit(), queue.admit()];
    expect(queue.admit()).toBeUndefined();
    const order: string[] = [];
    let running = 0;
    const runs = tickets.map((t, i) =>
      t?.run(async () => {
        running += 1;
        expect(running).toBe(1);
        order.push(`start ${i}`);
        await tick();
        order.push(`end ${i}`);
        running -= 1;
        return i;
      }),
    );
    expect(await Promise.all(runs)).toEqual([0, 1, 2]);
    expect(order).toEqual(['start 0', 'end 0', 'start 1', 'end 1', 'start 2', 'end 2']);
    expect(queue.held).toBe(0);
  });

  it('holds a slot until its change ends, not until its caller hangs up', async () => {
    const queue = createWriteQueue(1);
    const ticket = queue.admit();
    let finish!: () => void;
    let seen: AbortSignal | undefined;
    const run = ticket?.run((signal) => {
      seen = signal;
      return new Promise<void>((r) => (finish = r));
    });
    await tick();
    ticket?.close();
    expect(seen?.aborted).toBe(true);
    expect(ticket?.cancelled).toBe(true);
    expect(queue.held).toBe(1);
    expect(queue.admit()).toBeUndefined();
    finish();
    await run;
    expect(queue.held).toBe(0);
  });

  it('drops a change whose caller went away before its turn, freeing its slot at once', async () => {
    const queue = createWriteQueue(2);
    const first = queue.admit();
    const second = queue.admit();
    let release!: () => void;
    const running = first?.run(() => new Promise<void>((r) => (release = r)));
    let ran = false;
    const waiting = second?.run(async () => {
      ran = true;
    });
    second?.close();
    expect(queue.held).toBe(1);
    const third = queue.admit();
    expect(third).toBeDefined();
    await expect(waiting).rejects.toMatchObject({ name: 'AbortError' });
    release();
    await running;
    expect(await third?.run(async () => 'third')).toBe('third');
    expect(ran).toBe(false);
    expect(queue.held).toBe(0);
  });

  it('frees a slot whose change never started (a body that could not be read)', () => {
    const queue = createWriteQueue(1);
    queue.admit()?.close();
    expect(queue.held).toBe(0);
    expect(queue.admit()).toBeDefined();
  });

  it('a failed change frees its slot and does not stop the next', async () => {
    const queue = createWriteQueue(2);
    const a = queue.admit();
    const b = queue.admit();
    const failed = a?.run(() => Promise.reject(new Error('disk full')));
    const next = b?.run(async () => 'ok');
    await expect(failed).rejects.toThrow('disk full');
    expect(await next).toBe('ok');
    expect(queue.held).toBe(0);
  });
});
