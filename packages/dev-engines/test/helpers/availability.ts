/**
 * Which optional engines this machine can run. In CI (CI=true) every engine must be present:
 * the tests then run regardless and fail loudly when an engine is missing, instead of skipping.
 */
import { spawnSync } from 'node:child_process';

const runs = (command: string, args: readonly string[]): boolean => {
  const result = spawnSync(command, args, { stdio: 'ignore', timeout: 20_000 });
  return result.error === undefined && result.status === 0;
};

/** True in CI, where nothing may skip. */
export const inCi = process.env.CI !== undefined && process.env.CI !== '' && process.env.CI !== 'false';

/** A Java runtime for DynamoDB Local. */
export const javaAvailable = runs('java', ['-version']);

/** moto's server mode for SNS/SQS. */
export const motoAvailable =
  runs('moto_server', ['--help']) || runs('python3', ['-c', 'import moto.server, flask']);

/** Skip condition: the engine is absent and we are not in CI. */
export const skipUnless = (available: boolean): boolean => !available && !inCi;
