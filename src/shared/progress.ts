/**
 * Progress bars for long steps, written to a stream (stderr in the CLI). On a terminal the bar
 * redraws in place; elsewhere one line is written per 10 % so logs stay short.
 */
export interface ProgressStream {
  write(chunk: string): unknown;
  isTTY?: boolean;
}

export interface Progress {
  tick(n?: number): void;
  /** Corrects the total (an estimate made before everything was counted). */
  retotal?(total: number): void;
  done(): void;
}

export type ProgressFactory = (label: string, total: number) => Progress;

/** 42s, 3m05s, 1h02m. */
export function formatDuration(seconds: number): string {
  const s = Math.max(0, Math.round(seconds));
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`;
  return `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`;
}

export const noProgress: ProgressFactory = () => ({ tick() {}, done() {} });

export function createProgressFactory(stream: ProgressStream, now: () => number = Date.now): ProgressFactory {
  return (label, initialTotal) => {
    let total = initialTotal;
    const started = now();
    let count = 0;
    let lastDecile = -1;
    const render = (final: boolean): void => {
      const seconds = Math.max((now() - started) / 1000, 1e-3);
      const rate = count / seconds;
      const pct = total > 0 ? Math.floor((count / total) * 100) : 100;
      const width = 24;
      const filled = Math.round((pct / 100) * width);
      // Time left at the rate so far, once there is a rate to go by.
      const eta = !final && count > 0 && count < total ? ` ETA ${formatDuration((total - count) / rate)}` : '';
      const line = `${label.padEnd(10)} [${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${count}/${total} ${pct}% ${rate.toFixed(1)}/s ${seconds.toFixed(1)}s${eta}`;
      if (stream.isTTY) stream.write(`\r${line}${final ? '\n' : ''}`);
      else if (Math.floor(pct / 10) > lastDecile || (final && lastDecile < 10)) {
        lastDecile = final ? 10 : Math.floor(pct / 10);
        stream.write(`${line}\n`);
      }
    };
    return {
      tick(n = 1) {
        count += n;
        render(false);
      },
      retotal(n) {
        total = n;
      },
      done() {
        render(true);
      },
    };
  };
}
