#!/usr/bin/env sh
# The test suite against the compiled build: builds the wheel with the mypyc hook on (from a copy
# of the sources, so no compiled module lands in src/), installs it with the test extras into
# its own .venv-compiled, and runs tests/ against the installed package. Extra arguments go to
# pytest. Needs a C compiler; see docs/how-to/compiled-build.md.
set -eu
root=$(cd "$(dirname "$0")/.." && pwd)
venv="$root/.venv-compiled"
python=${PYTHON:-python3}
. "$root/scripts/_make_venv.sh"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir "$work/src"
cp -r "$root/src/slaclock" "$work/src/"
cp "$root/pyproject.toml" "$root/README.md" "$root/LICENSE" "$work/"
find "$work/src" \( -name '__pycache__' -o -name '*.so' \) -prune -exec rm -rf {} +
echo "building the compiled wheel (mypyc; a minute or two)"
HATCH_BUILD_HOOK_ENABLE_MYPYC=1 "$venv/bin/python" -m pip wheel --quiet --no-deps \
  --disable-pip-version-check -w "$work/dist" "$work"
wheel=$(ls "$work"/dist/slaclock-*.whl)
case "$wheel" in *-none-any.whl) echo "not a compiled wheel: $wheel" >&2; exit 1 ;; esac
"$venv/bin/python" -m pip install --quiet --disable-pip-version-check --force-reinstall --no-deps "$wheel"
"$venv/bin/python" -m pip install --quiet --disable-pip-version-check "$wheel[test]"
cd "$root"
# Doctests: the pure modules' from the installed package; the compiled modules' docstrings are
# gone from their compiled code, so tests/test_build_info.py runs them from the source instead.
site=$("$venv/bin/python" -c "import pathlib, slaclock; print(pathlib.Path(slaclock.__file__).parent)")
ignores=$("$venv/bin/python" -c "
import slaclock
for name in slaclock.compiled_modules():
    print('--ignore=$site/' + name.split('.')[1] + '.py')")
echo "compiled: $("$venv/bin/python" -c "import slaclock; print(', '.join(slaclock.compiled_modules()))")"
if [ -n "${CI:-}" ]; then export SLACLOCK_HYPOTHESIS_PROFILE=ci; fi
export SLACLOCK_EXPECT_BUILD=compiled
# shellcheck disable=SC2086  # one --ignore per word
exec "$venv/bin/python" -m pytest tests "$site" $ignores "$@"
