#!/usr/bin/env node
/** Process entry for the CLI: the only place that reads argv/env and calls process.exit. */
import { runCli } from './main.js';

const code = await runCli(process.argv.slice(2), { stdout: process.stdout, stderr: process.stderr, env: process.env, cwd: process.cwd() });
// Long-lived commands (serve, mcp) resolve only when they stop; others exit with their code.
process.exitCode = code;
