/** What a CLI command may touch: passed in so commands run in-process under test. */
export interface CliIo {
  /** Needed by `mcp` (stdio transport) only. */
  stdin?: NodeJS.ReadableStream;
  stdout: { write(chunk: string): unknown } & Partial<Pick<NodeJS.WritableStream, 'on' | 'once'>>;
  stderr: { write(chunk: string): unknown };
  env: Record<string, string | undefined>;
  cwd: string;
  /** Resolves when the user asks a long-running command to stop (SIGINT/SIGTERM); entry.ts wires it. */
  stopSignal?: Promise<void>;
  /** Registers a handler for a reload request (SIGHUP); entry.ts wires it. */
  onReloadSignal?: (handler: () => void) => void;
}

/** Thrown by commands for usage errors: message shown, exit code 2. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}
