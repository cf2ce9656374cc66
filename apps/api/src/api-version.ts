/** The API's version: the `version` of its package.json, shipped beside `dist/` in every install. */
import { readFileSync } from 'node:fs';

function readVersion(): string {
  // dist/api-version.js and src/api-version.ts both sit one level below the package root.
  const manifest = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as {
    version?: unknown;
  };
  return typeof manifest.version === 'string' ? manifest.version : '0.0.0';
}

/** The version of `@city/api` (also in `/health`, `--version` and `city_build_info`). */
export const API_VERSION: string = readVersion();
