// Prints the suite's totals as the one plain line CI reads: "N passed, N failed". The second argument is the exit
// status of `npm run lint`: a failed lint counts as one failed check.
import { readFileSync } from 'node:fs';

const file = process.argv[2];
const lintFailed = process.argv[3] !== undefined && process.argv[3] !== '0';
let report;
try {
  report = JSON.parse(readFileSync(file, 'utf8'));
} catch (error) {
  console.log(`no test report at ${file} (${error.message})`);
  console.log(`0 passed, ${lintFailed ? 2 : 1} failed`);
  process.exit(1);
}
const passed = report.numPassedTests ?? 0;
// A test file that failed to load ran no test, yet it is a failure: count it as one.
const brokenFiles = (report.testResults ?? []).filter(
  (r) => r.status === 'failed' && !(r.assertionResults ?? []).some((a) => a.status === 'failed'),
).length;
const failed = (report.numFailedTests ?? 0) + brokenFiles + (lintFailed ? 1 : 0);
if (lintFailed) console.log('npm run lint failed (ESLint or prettier --check): counted as 1 failed');
const skipped = (report.numPendingTests ?? 0) + (report.numTodoTests ?? 0);
console.log(`${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ''}`);
process.exit(failed > 0 || passed === 0 ? 1 : 0);
