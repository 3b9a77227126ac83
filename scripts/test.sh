#!/usr/bin/env sh
# The whole test suite. Creates .venv on first use and installs slaclock with its test extras.
# Extra arguments go to pytest (e.g. scripts/test.sh -k calendar -x).
set -eu
EXTRAS=test
. "$(dirname "$0")/_venv.sh"
cd "$root"
# Hypothesis: the "ci" profile (fixed budget, derandomized) under CI, "dev" otherwise.
if [ -n "${CI:-}" ]; then export SLACLOCK_HYPOTHESIS_PROFILE=ci; fi
exec "$venv/bin/python" -m pytest "$@"
