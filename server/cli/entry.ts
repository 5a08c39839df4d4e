#!/usr/bin/env node
/** Process entry for the CLI: the only place that reads argv/env and calls process.exit. */
import { runCli } from './main.js';

const stopSignal = new Promise<void>((resolve) => {
  process.once('SIGINT', () => resolve());
  process.once('SIGTERM', () => resolve());
});
const code = await runCli(process.argv.slice(2), {
  stdin: process.stdin,
  stdout: process.stdout,
  stderr: process.stderr,
  env: process.env,
  cwd: process.cwd(),
  stopSignal,
  onReloadSignal: (handler) => process.on('SIGHUP', handler),
});
// Long-lived commands (serve, mcp) resolve only when they stop; others exit with their code.
process.exitCode = code;
// Long-lived commands leave handles (watchers, ONNX threads) behind when they stop: exit now.
if (['serve', 'start', 'mcp'].includes(process.argv[2] ?? '')) process.exit(code);
