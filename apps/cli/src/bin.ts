#!/usr/bin/env node
/** Entry point of the `city` executable. */
import { runCli } from './run-cli.js';

// A reader that closes the pipe early (`city devices list --json | head -0`) is not an error of the
// command: stop quietly instead of dying on an unhandled EPIPE with a stack trace.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code === 'EPIPE') process.exit(process.exitCode ?? 0);
    throw error;
  });
}

process.exitCode = await runCli(process.argv.slice(2));
