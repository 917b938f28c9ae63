#!/usr/bin/env bash
# Every test: type check, lint, unit + integration (a real Postgres 15 server started here and
# stopped at the end, plus PGlite), then e2e in Chromium against a production build.
# Ends with the line "N passed, N failed".
set -uo pipefail
cd "$(dirname "$0")/.."
mkdir -p test-results
rm -f test-results/*.json test-results/gates.txt

gate() { # a check that counts as one test
  local name=$1; shift
  if "$@"; then echo "pass $name" >>test-results/gates.txt; else echo "fail $name" >>test-results/gates.txt; fi
}

gate typecheck npx tsc --noEmit
gate lint npx eslint --max-warnings 0 .
gate format npx prettier --check .

pgdir="/tmp/atlas-test-pg-$$"
port=${ATLAS_TEST_PG_PORT:-$((20000 + $$ % 20000))}
stop_pg() { scripts/pg-test-server.sh stop "$pgdir"; }
trap stop_pg EXIT
if url=$(scripts/pg-test-server.sh start "$pgdir" "$port"); then
  ATLAS_TEST_PG="$url" npx vitest run --reporter=default --reporter=json --outputFile=test-results/vitest.json
else
  echo "fail postgres-server (could not start Postgres 15; see above)" >>test-results/gates.txt
fi

if gate build npx next build; then
  rm -rf .data/e2e-pglite .data/e2e-pglite.lock
  PW_REPORTER=json npx playwright test
fi

# Python helper (python/): pytest in a throwaway venv, against its own server on the build above.
python/run-tests.sh

node scripts/summarize-tests.mjs
