/**
 * One vitest configuration for every package: generous hook timeouts for tests that start
 * real engines, and a machine-readable report per package when running in CI so `.ci/run`
 * can refuse skipped tests.
 */
import { basename, join } from 'node:path';
import { defineConfig } from 'vitest/config';

const repoRoot = import.meta.dirname;

/** Builds the vitest config for the package in `packageDir`. */
export function cityVitestConfig(packageDir: string, overrides: { testTimeout?: number } = {}) {
  const reportName = `${basename(join(packageDir, '..'))}-${basename(packageDir)}.json`;
  return defineConfig({
    test: {
      include: ['test/**/*.test.ts'],
      testTimeout: overrides.testTimeout ?? 30_000,
      hookTimeout: 180_000,
      teardownTimeout: 30_000,
      reporters: process.env.CI
        ? ['default', ['json', { outputFile: join(repoRoot, '.ci-reports', reportName) }]]
        : ['default'],
    },
  });
}
