# Shared by scripts/_venv.sh and scripts/test-compiled.sh: create the virtualenv "$venv" with
# "$python" unless it exists, with an up-to-date pip.
if [ ! -x "$venv/bin/python" ]; then
  "$python" -m venv "$venv"
  "$venv/bin/python" -m pip install --quiet --upgrade pip 2>&1 | grep -v "^WARNING: Location" || true
fi
