#!/usr/bin/env bash
# The Python helper's tests, as the README's test command runs them: install ./python offline into
# a throwaway venv that sees Debian's numpy, torch, pytest and tqdm (PyPI is not needed), then
# pytest, whose integration tests start their own server on the production build (.next).
# Writes test-results/pytest.xml (JUnit); scripts/summarize-tests.mjs counts it.
set -uo pipefail
cd "$(dirname "$0")/.."
mkdir -p test-results
rm -f test-results/pytest.xml
venv=$(mktemp -d /tmp/moe-atlas-venv-XXXXXX)
trap 'rm -rf "$venv"' EXIT
if ! /usr/bin/python3 -m venv --system-site-packages "$venv" || ! "$venv/bin/pip" install -q --no-build-isolation --no-index ./python; then
  echo "python: could not install ./python into a venv (python3-venv, python3-setuptools >= 61?)"
  exit 1
fi
cd python && "$venv/bin/python" -m pytest -q -p no:cacheprovider --junitxml=../test-results/pytest.xml tests
