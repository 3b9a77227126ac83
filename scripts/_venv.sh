# Shared by scripts/demo.sh and scripts/test.sh: create .venv and install slaclock with EXTRAS.
# Re-installs only when pyproject.toml changed since the last install (a stamp file records its hash).
set -eu
root=$(cd "$(dirname "$0")/.." && pwd)
venv="$root/.venv"
python=${PYTHON:-python3}
. "$root/scripts/_make_venv.sh"
stamp="$venv/.slaclock-installed-$EXTRAS"
want=$(cat "$root/pyproject.toml" | cksum | cut -d' ' -f1)
if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$want" ]; then
  "$venv/bin/python" -m pip install --quiet --disable-pip-version-check -e "$root[$EXTRAS]" 2>&1 \
    | grep -v "^WARNING: Location" || true
  "$venv/bin/python" -c "import slaclock" || { echo "installing slaclock failed" >&2; exit 1; }
  echo "$want" > "$stamp"
fi
