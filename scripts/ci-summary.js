// Prints the totals of jest's JSON reports as CI's last line: "N passed, N failed".
// Usage: node scripts/ci-summary.js report.json [report.json ...]
// A missing or unreadable report counts as one failure: a suite that did not report did not pass.
const fs = require("fs");

let passed = 0;
let failed = 0;
for (const file of process.argv.slice(2)) {
  try {
    const r = JSON.parse(fs.readFileSync(file, "utf8"));
    passed += r.numPassedTests;
    failed += r.numFailedTests + (r.numRuntimeErrorTestSuites || 0);
    if (r.numTotalTests === 0) failed += 1; // a run that executed no test is a failure
  } catch (e) {
    console.error(`ci-summary: no usable report in ${file}: ${e.message}`);
    failed += 1;
  }
}
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed === 0 ? 0 : 1);
