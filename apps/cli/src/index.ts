/**
 * @city/cli — the `city` command. The executable is `dist/bin.js`; these exports let other tools
 * run it in-process and reuse its profile layout.
 */
export type { AuthClient } from './auth-client.js';
export type { CliErrorCode } from './cli-error.js';
export { CLI_ERROR_CODES, CliError } from './cli-error.js';
export { CLI_VERSION, createProgram } from './create-program.js';
export { EXIT_CODES, exitCodeFor } from './exit-code.js';
export { formatError } from './format-error.js';
export type { CliIo } from './lib/_terminal.js';
export type { ProfileDevice, ProfileTokens } from './profile.js';
export { defaultProfileBase, PROFILE_FILES, Profile, resolveProfileDir } from './profile.js';
export { runCli } from './run-cli.js';
