/** Runs an external tool (pdftoppm, tesseract, antiword, catdoc) with a timeout, never through a shell. */
import { execFile } from 'node:child_process';

export class ToolMissingError extends Error {
  constructor(readonly tool: string) {
    super(`${tool} is not installed`);
  }
}

export interface ToolOptions {
  timeoutMs: number;
  signal?: AbortSignal | undefined;
  maxBuffer?: number;
}

/** Stdout of `command args…`; rejects with ToolMissingError when the program is not on PATH. */
export function runTool(command: string, args: readonly string[], options: ToolOptions): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    execFile(
      command,
      args,
      { timeout: options.timeoutMs, maxBuffer: options.maxBuffer ?? 64 * 1024 * 1024, encoding: 'buffer', signal: options.signal, killSignal: 'SIGKILL' },
      (error, stdout, stderr) => {
        if (error) {
          if ((error as NodeJS.ErrnoException).code === 'ENOENT') reject(new ToolMissingError(command));
          else reject(new Error(`${command} failed: ${error.message.split('\n')[0] ?? ''} ${stderr.toString('utf8').slice(0, 300)}`.trim(), { cause: error }));
          return;
        }
        resolve(stdout);
      },
    );
  });
}
