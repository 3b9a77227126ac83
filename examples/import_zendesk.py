"""From a helpdesk export to an attainment report: `slaclock import` then `slaclock report`.

Run: python examples/import_zendesk.py
The same on the command line:

    slaclock import zendesk examples/exports/zendesk-audits.json > events.jsonl
    slaclock validate examples/policies/b2b-saas.yaml --events events.jsonl
    slaclock report examples/policies/b2b-saas.yaml events.jsonl --by priority
"""

from __future__ import annotations

import io
import tempfile
from pathlib import Path

from slaclock.cli import main

HERE = Path(__file__).resolve().parent
EXPORT = HERE / "exports" / "zendesk-audits.json"
POLICY = HERE / "policies" / "b2b-saas.yaml"


def run(*argv: str) -> str:
    out, err = io.StringIO(), io.StringIO()
    status = main(list(argv), out=out, err=err)
    if status not in (0, 1):
        raise SystemExit(err.getvalue())
    return out.getvalue()


if __name__ == "__main__":
    with tempfile.TemporaryDirectory() as folder:
        events = Path(folder) / "events.jsonl"
        events.write_text(run("import", "zendesk", str(EXPORT)), encoding="utf-8")
        print(run("validate", str(POLICY), "--events", str(events)))
        # 5002's first public comment came from a trigger: not an agent reply, so its first
        # response (the agent's, the next day) breached the 8-hour target.
        print(run("report", str(POLICY), str(events), "--by", "priority"))
