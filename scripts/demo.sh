#!/usr/bin/env sh
# The main job: evaluate the embedded sample policy on sample tickets and print the results.
# Creates .venv on first use and installs slaclock into it.
set -eu
EXTRAS=yaml
. "$(dirname "$0")/_venv.sh"
exec "$venv/bin/slaclock" demo "$@"
