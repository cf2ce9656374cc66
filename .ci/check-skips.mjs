// Reads the vitest JSON reports written under .ci-reports/ and fails when a test was skipped
// that is not on .ci/skip-allowlist.txt. Prints the allowed skips and a closing summary line.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const reportsDir = join(root, '.ci-reports');
const allow = readFileSync(join(root, '.ci/skip-allowlist.txt'), 'utf8')
  .split('\n')
  .map((l) => l.trim())
  .filter((l) => l && !l.startsWith('#'));

let files = [];
try {
  files = readdirSync(reportsDir).filter((f) => f.endsWith('.json'));
} catch {
  console.error('no test reports found in .ci-reports/: did the tests run?');
  process.exit(1);
}
let passed = 0;
let failed = 0;
let skipped = 0;
const allowed = [];
const refused = [];
for (const file of files) {
  const report = JSON.parse(readFileSync(join(reportsDir, file), 'utf8'));
  for (const suite of report.testResults ?? []) {
    for (const t of suite.assertionResults ?? []) {
      const name = `${file.replace(/\.json$/, '')} › ${t.fullName ?? t.title}`;
      if (t.status === 'passed') passed++;
      else if (t.status === 'failed') failed++;
      else {
        skipped++;
        (allow.some((a) => name.includes(a)) ? allowed : refused).push(name);
      }
    }
  }
}
if (allowed.length) {
  console.log(`Allowed skips (component cannot be installed on these machines):`);
  for (const n of allowed) console.log(`  - ${n}`);
}
if (refused.length) {
  console.log(`Skipped tests that must run in CI:`);
  for (const n of refused) console.log(`  - ${n}`);
}
console.log(`${passed} passed, ${failed} failed, ${skipped} skipped`);
process.exit(failed > 0 || refused.length > 0 || passed === 0 ? 1 : 0);
