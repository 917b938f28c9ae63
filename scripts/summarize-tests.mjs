// Adds up the gates, Vitest's and Playwright's JSON reports into one closing line.
import fs from "node:fs";

let passed = 0;
let failed = 0;
const failures = [];
const read = (f) => (fs.existsSync(f) ? JSON.parse(fs.readFileSync(f, "utf8")) : null);

for (const line of fs.existsSync("test-results/gates.txt")
  ? fs.readFileSync("test-results/gates.txt", "utf8").trim().split("\n")
  : []) {
  const [status, ...name] = line.split(" ");
  if (status === "pass") passed++;
  else {
    failed++;
    failures.push(`gate: ${name.join(" ")}`);
  }
}

const vitest = read("test-results/vitest.json");
if (vitest) {
  passed += vitest.numPassedTests;
  failed += vitest.numFailedTests + (vitest.numPendingTests ?? 0) + (vitest.numTodoTests ?? 0);
  if (!vitest.success && vitest.numFailedTests === 0) {
    failed++;
    failures.push("vitest: a test file failed to run");
  }
  for (const f of vitest.testResults ?? [])
    for (const a of f.assertionResults ?? [])
      if (a.status !== "passed") failures.push(`vitest: ${a.fullName} (${a.status})`);
} else {
  failed++;
  failures.push("vitest: no report (did not run)");
}

const pw = read("test-results/e2e.json");
if (pw) {
  passed += pw.stats.expected;
  failed += pw.stats.unexpected + pw.stats.flaky + pw.stats.skipped;
  if ((pw.errors ?? []).length) {
    failed++;
    failures.push(`playwright: ${pw.errors[0].message?.split("\n")[0]}`);
  }
} else if (!failures.some((f) => f.includes("build"))) {
  failed++;
  failures.push("playwright: no report (did not run)");
}

// pytest's JUnit report (python/run-tests.sh); a missing report is a failure.
const junit = fs.existsSync("test-results/pytest.xml") ? fs.readFileSync("test-results/pytest.xml", "utf8") : null;
if (junit) {
  const count = (name) =>
    [...junit.matchAll(new RegExp(`<testsuite\\b[^>]*\\b${name}="(\\d+)"`, "g"))].reduce((n, m) => n + Number(m[1]), 0);
  const bad = count("failures") + count("errors") + count("skipped");
  passed += count("tests") - bad;
  failed += bad;
  for (const m of junit.matchAll(
    /<testcase\b[^>]*\bclassname="([^"]*)"[^>]*\bname="([^"]*)"[^>]*>\s*<(failure|error|skipped)\b/g,
  ))
    failures.push(`pytest: ${m[1]}.${m[2]} (${m[3]})`);
} else {
  failed++;
  failures.push("pytest: no report (did not run)");
}

for (const f of failures) console.log(`FAILED ${f}`);
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed > 0 || passed === 0 ? 1 : 0);
