"""``slaclock import SOURCE FILE...``: helpdesk exports -> the command line's events format.

Each FILE is a JSON export of the source (one ticket document, a list of them, or the API's
list response; see :mod:`slaclock.importers`). The events are written as JSON Lines, one event
per line with its ``ticket_id``, ticket after ticket; the ``created`` line carries the ticket's
attributes. That is what ``slaclock evaluate``/``report`` read.

>>> import io, json, pathlib, tempfile
>>> export = {"ticket": {"id": 9, "created_at": "2025-03-07T09:00:00Z", "status": 2, "priority": 1},
...           "conversations": [{"id": 90, "incoming": False, "private": False, "user_id": 4,
...                              "created_at": "2025-03-07T09:20:00Z"}]}
>>> path = pathlib.Path(tempfile.mkdtemp()) / "freshdesk.json"
>>> _ = path.write_text(json.dumps(export))
>>> out = io.StringIO()
>>> write_import("freshdesk", [path], out)
1
>>> print(out.getvalue(), end="")
{"ticket_id": "9", "at": "2025-03-07T09:00:00Z", "kind": "created", "id": "ticket/9", "status": "open", "priority": "low", "attributes": {}}
{"ticket_id": "9", "at": "2025-03-07T09:20:00Z", "kind": "agent_replied", "id": "conversation/90", "public": true, "author": "4"}
"""

from __future__ import annotations

import json
import sys
import warnings
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import IO, Any

from pydantic import ValidationError

from slaclock.eventfiles import DuplicateKeyError, no_duplicate_keys
from slaclock.importers import SOURCES, ImportOptions
from slaclock.importers.common import ExportFormatError, UnmappedValuesWarning, as_event
from slaclock.timeline import Timeline

__all__ = [
    "event_lines",
    "options_from",
    "parse_pairs",
    "read_export",
    "run_import",
    "write_import",
]


def read_export(path: str | Path) -> Any:
    """The parsed JSON of an export file (an error names the file and line).

    >>> read_export("no-such-export.json")
    Traceback (most recent call last):
    ...
    slaclock.importers.common.ExportFormatError: no-such-export.json: cannot read: No such file or directory
    """
    path = Path(path)
    if path.exists() and not path.is_file() and not path.is_dir():  # /dev/zero: never ends
        raise ExportFormatError(
            f"{path}: not a regular file (a pipe or a device) - expected an export file",
            value=str(path),
        )
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise ExportFormatError(f"{path}: cannot read: {exc.strerror}", value=str(path)) from exc
    expected = "expected the JSON the source's API returns"
    try:
        text = raw.decode("utf-8-sig")  # a byte order mark, as Windows tools write, is fine
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise ExportFormatError(
            f"{path}:{line}: not UTF-8 text (byte {raw[exc.start]:#04x}) - {expected}",
            value=str(path),
        ) from exc
    try:
        return json.loads(text, object_pairs_hook=no_duplicate_keys)
    except json.JSONDecodeError as exc:
        raise ExportFormatError(
            f"{path}:{exc.lineno}: not valid JSON: {exc.msg} - {expected}", value=str(path)
        ) from exc
    except DuplicateKeyError as exc:  # json keeps the last one silently
        raise ExportFormatError(
            f"{path}: key {exc.key!r} is given twice in one object - {expected}", value=exc.key
        ) from exc
    except RecursionError as exc:
        raise ExportFormatError(f"{path}: nested too deeply - {expected}", value=str(path)) from exc
    except ValueError as exc:  # an integer of more than sys.get_int_max_str_digits() digits
        raise ExportFormatError(
            f"{path}: a number with more than {sys.get_int_max_str_digits()} digits - {expected}",
            value=str(path),
        ) from exc


def event_lines(timeline: Timeline) -> Iterable[dict[str, Any]]:
    """A timeline's events as the events file's lines (``ticket_id`` first; attributes on
    ``created``).

    >>> tl = Timeline(ticket_id="T", attributes={"group": "a"},
    ...               events=[{"at": "2025-01-01T09:00Z", "kind": "created"}])
    >>> list(event_lines(tl))
    [{'ticket_id': 'T', 'at': '2025-01-01T09:00:00Z', 'kind': 'created', 'attributes': {'group': 'a'}}]
    """
    for event in timeline.events:
        line = {"ticket_id": timeline.ticket_id, **as_event(event)}
        if event.kind == "created":
            line["attributes"] = {**timeline.attributes, **(event.attributes or {})}
        yield line


def parse_pairs(pairs: Sequence[str] | None, option: str) -> dict[str, str]:
    """``SOURCE=VALUE`` pairs of a repeatable option, as a mapping.

    >>> parse_pairs(["Waiting for vendor=on_hold"], "--status")
    {'Waiting for vendor': 'on_hold'}
    >>> parse_pairs(["on_hold"], "--status")
    Traceback (most recent call last):
    ...
    slaclock.importers.common.ExportFormatError: --status: 'on_hold' - expected SOURCE=VALUE, e.g. --status 'Waiting for vendor=on_hold'
    """
    found: dict[str, str] = {}
    for pair in pairs or ():
        key, sep, value = pair.partition("=")
        if not sep or not key.strip() or not value.strip():
            raise ExportFormatError(
                f"{option}: {pair!r} - expected SOURCE=VALUE, e.g. {option} 'Waiting for vendor=on_hold'",
                value=pair,
            )
        key, value = key.strip(), value.strip()
        if found.get(key, value) != value:  # the last would win silently
            raise ExportFormatError(
                f"{option}: {key!r} is mapped twice ({found[key]!r} and {value!r}) - expected "
                "one mapping per value",
                value=pair,
            )
        found[key] = value
    return found


def write_import(
    source: str,
    paths: Sequence[str | Path],
    out: IO[str],
    options: ImportOptions | None = None,
) -> int:
    """Import every file of ``source`` and write the events to ``out``; returns the number of
    tickets. Unmapped values warn (or raise, when ``options.strict``) once per file."""
    module = SOURCES.get(source)
    if module is None:
        raise ExportFormatError(
            f"unknown source {source!r} - expected one of {', '.join(sorted(SOURCES))}",
            value=source,
        )
    count = 0
    for path in paths:
        export = read_export(path)
        try:
            timelines: list[Timeline] = module.to_timelines(export, options)
        except (ExportFormatError, ValidationError) as exc:
            raise ExportFormatError(f"{path}: {exc}", value=str(path)) from exc
        for timeline in timelines:
            for line in event_lines(timeline):
                out.write(json.dumps(line, ensure_ascii=False) + "\n")
            count += 1
    return count


def options_from(
    statuses: Sequence[str] | None,
    priorities: Sequence[str] | None,
    attributes: Sequence[str] | None,
    strict: bool,
) -> ImportOptions:
    """The options of the command line's ``--status``, ``--priority``, ``--attribute`` and
    ``--strict`` (an ``--attribute FIELD`` keeps the field under its own name).

    >>> dict(options_from(None, ["P1=urgent"], ["group_id=group", "brand_id"], True).attributes)
    {'group_id': 'group', 'brand_id': 'brand_id'}
    """
    kept: Mapping[str, str] | None = None
    if attributes:
        kept = parse_pairs([a if "=" in a else f"{a}={a}" for a in attributes], "--attribute")
        fields: dict[str, str] = {}
        for field, name in kept.items():
            if name in fields:  # one field's values would overwrite the other's
                raise ExportFormatError(
                    f"--attribute: {fields[name]!r} and {field!r} are both kept as {name!r} - "
                    "expected one field per name",
                    value=name,
                )
            fields[name] = field
    return ImportOptions(
        statuses=parse_pairs(statuses, "--status"),
        priorities=parse_pairs(priorities, "--priority"),
        attributes=kept,
        strict=strict,
    )


def run_import(
    source: str,
    paths: Sequence[str | Path],
    out: IO[str],
    err: IO[str],
    options: ImportOptions | None = None,
) -> int:
    """``slaclock import``: :func:`write_import`, the values with no mapping listed on ``err``
    (``slaclock: warning: ...``) rather than raised; exit status 0.

    >>> import io
    >>> run_import("zendesk", [], io.StringIO(), io.StringIO())
    0
    """
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", UnmappedValuesWarning)
        write_import(source, paths, out, options)
    for record in caught:
        if isinstance(record.message, UnmappedValuesWarning):
            print(f"slaclock: warning: {record.message}", file=err)
        else:  # anything else is shown as usual
            warnings.showwarning(
                record.message, record.category, record.filename, record.lineno, record.file
            )
    return 0
