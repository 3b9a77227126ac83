"""``slaclock import``: an export in examples/ -> events file -> ``slaclock report``, and the
command's error paths."""

from __future__ import annotations

import io
import json
from pathlib import Path

from slaclock.cli import main
from slaclock.files import read_timelines
from slaclock.timeline import Timeline

ROOT = Path(__file__).resolve().parents[1]
EXPORT = ROOT / "examples" / "exports" / "zendesk-audits.json"
POLICY = ROOT / "examples" / "policies" / "b2b-saas.yaml"
FIXTURES = Path(__file__).parent / "fixtures" / "importers"


def run(*argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    status = main(list(argv), out=out, err=err)
    return status, out.getvalue(), err.getvalue()


def test_import_then_report(tmp_path: Path) -> None:
    """The example export, imported and reported on the b2b-saas policy (Mon-Fri 09-17 New York,
    normal: first response 8h, requester wait 40h paused while pending)."""
    status, out, err = run("import", "zendesk", str(EXPORT))
    assert (0, "") == (status, err)
    events = tmp_path / "events.jsonl"
    events.write_text(out, encoding="utf-8")
    status, report, _ = run("report", str(POLICY), str(events))
    # first_response: 5001 replied after 1h (met); 5002's 09:01 comment was a trigger's, the
    # agent answered Tue 10:00 = Mon 8h + Tue 1h = 9h > 8h (breached); 5003 after 15m (met).
    # requester_wait: 5001 2h; 5002 Mon 8h + Tue 2h = 10h; 5003 15m + (pending until Wed 09:00)
    # + 3h = 3h15m: all within 40h.
    assert 0 == status
    # Nothing is still running past its due instant, so nothing is overdue.
    # Every ticket as of the file's latest event (5003 solved Wed 12:00 New York = 17:00Z).
    lines = report.splitlines()
    assert "as of 2025-03-05T17:00:00+00:00 (the latest event in the file)" == lines[0]
    rows = [line.split() for line in lines[1:-1]]
    header = rows[0]
    assert ["priority", "metric", "met", "breached", "overdue", "attainment"] == header
    assert [
        ["normal", "first_response", "2", "1", "0", "66.7%"],
        ["normal", "requester_wait", "3", "0", "0", "100.0%"],
    ] == rows[1:]
    assert lines[-1].endswith("overdue: 0")


def test_imported_events_read_back_as_the_same_timelines(tmp_path: Path) -> None:
    """What import writes, the events reader reads back into the importer's timelines."""
    from slaclock.importers import zendesk

    _, out, _ = run("import", "zendesk", str(EXPORT))
    path = tmp_path / "events.jsonl"
    path.write_text(out, encoding="utf-8")
    read = [t for t in read_timelines(path) if isinstance(t, Timeline)]
    assert zendesk.to_timelines(json.loads(EXPORT.read_text(encoding="utf-8"))) == read


def test_every_source_imports_its_fixture() -> None:
    """Each source's fixture imports to 12 or 13 lines, the first the ticket's creation."""
    for source in ("zendesk", "jira", "zammad", "servicenow", "freshdesk"):
        status, out, err = run("import", source, str(FIXTURES / f"{source}.json"))
        lines = [json.loads(line) for line in out.splitlines()]
        assert (0, "", "created") == (status, err, lines[0]["kind"]), source
        assert len(lines) in (12, 13, 14, 15), source


def test_unmapped_values_warn_on_stderr_and_strict_fails(tmp_path: Path) -> None:
    """An unknown status is a warning on stderr (exit 0); with --strict an error (exit 2); a
    --status mapping makes it known."""
    export = json.loads((FIXTURES / "zendesk.json").read_text(encoding="utf-8"))
    export["audits"]["audits"][4]["events"][0]["value"] = "waiting"
    path = tmp_path / "export.json"
    path.write_text(json.dumps(export), encoding="utf-8")
    status, out, err = run("import", "zendesk", str(path))
    assert 0 == status
    assert (
        "slaclock: warning: zendesk: values with no mapping, kept as they are: status 'waiting'"
        in err
    )
    assert '"status": "waiting"' in out
    status, out, err = run("import", "zendesk", str(path), "--strict")
    assert (2, "") == (status, out)
    assert "status 'waiting' (tickets 4701)" in err
    status, out, err = run("import", "zendesk", str(path), "--status", "waiting=pending")
    assert (0, "") == (status, err)
    assert '"status": "pending"' in out


def test_errors_name_the_file(tmp_path: Path) -> None:
    """A file that is not JSON, or not the source's shape, is exit 2 naming the file."""
    bad = tmp_path / "bad.json"
    bad.write_text("{not json", encoding="utf-8")
    status, _, err = run("import", "jira", str(bad))
    assert 2 == status
    assert f"{bad}:1: not valid JSON" in err
    status, _, err = run("import", "zendesk", str(FIXTURES / "jira.json"))
    assert 2 == status
    assert "jira.json: zendesk: ticket ?: no audits" in err
    status, _, err = run("import", "zendesk", str(EXPORT), "--status", "waiting")
    assert (2, True) == (status, "expected SOURCE=VALUE" in err)


def test_priority_and_attribute_options() -> None:
    """--priority overrides the table; --attribute keeps a field under its own name or another."""
    status, out, err = run(
        "import", "jira", str(FIXTURES / "jira.json"),
        "--priority", "High=urgent", "--attribute", "summary=title",
    )  # fmt: skip
    lines = [json.loads(line) for line in out.splitlines()]
    assert (0, "") == (status, err)
    assert {"title": "Invoices page blank"} == lines[0]["attributes"]
    assert ["urgent"] == [e["priority"] for e in lines if e["kind"] == "priority_changed"]


def test_a_kept_attribute_holding_an_object_names_the_ticket(tmp_path: Path) -> None:
    """A kept field whose value is an object (a Jira option, a ServiceNow reference) is no
    attribute value: exit 2 naming the file, the source, the ticket, the attribute and the
    value, with what to do - not pydantic's bare report without the ticket."""
    export = {
        "audits": [
            {
                "id": 1, "ticket_id": 42, "created_at": "2025-03-07T14:00:00Z", "author_id": 9,
                "via": {"channel": "web"},
                "events": [
                    {"id": 11, "type": "Create", "field_name": "status", "value": "new"},
                    {"id": 12, "type": "Create", "field_name": "group_id",
                     "value": {"id": 3, "name": "Billing"}},
                ],
            }
        ]
    }  # fmt: skip
    path = tmp_path / "zendesk.json"
    path.write_text(json.dumps({"audits": export}), encoding="utf-8")
    status, out, err = run("import", "zendesk", str(path))
    assert (2, "") == (status, out)
    assert (
        f"slaclock: {path}: zendesk: ticket 42: attributes.group: unsupported attribute value "
        "{'id': 3, 'name': 'Billing'} - expected text, a number, true/false, null, or a list of "
        "those (keep a field of the source that holds a plain value as 'group': "
        "ImportOptions(attributes={FIELD: 'group'}), or --attribute FIELD=group)\n"
    ) == err
