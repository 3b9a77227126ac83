"""Policy files: YAML (safe loading only), TOML and JSON, with one documented schema.

A file holds either one policy, or named calendars and an ordered list of policies (a policy set)
that refer to the calendars by name::

    calendars:
      berlin: {timezone: Europe/Berlin, hours: {mon-fri: "09:00-17:00"}}
    policies:
      - name: vip
        conditions: {tags_any: [vip]}
        calendar: berlin
        metrics: {first_response: {targets: {urgent: 30m}}}

Errors name the file, the line (YAML), the path inside the file, the value and what was expected,
and every error is reported, not just the first:

>>> import tempfile, pathlib
>>> path = pathlib.Path(tempfile.mkdtemp()) / "bad.yaml"
>>> _ = path.write_text("name: p\\nmetrics:\\n  first_response:\\n    targets: {urgent: 4 hourz}\\n")
>>> load_policy(path)  # doctest: +ELLIPSIS
Traceback (most recent call last):
...
slaclock.files.PolicyFileError: .../bad.yaml:4: metrics.first_response.targets.urgent: unreadable duration: '4 hourz' - expected e.g. '4h', '30m', '1h30m', '90s' or ISO 8601 'PT4H'
"""

from __future__ import annotations

import csv
import json
import sys
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from slaclock.calendar import Calendar
from slaclock.errors import SlaclockError
from slaclock.policy import Policy, PolicySet
from slaclock.timeline import Timeline

__all__ = [
    "BadLine",
    "PolicyFile",
    "PolicyFileError",
    "load_calendar",
    "load_data",
    "load_policy",
    "policy_schema",
    "read_timelines",
]

_Lines = dict[tuple[Any, ...], int]


class PolicyFileError(SlaclockError, ValueError):
    """A policy or calendar file cannot be read or is invalid; ``problems`` lists every error as
    ``FILE[:LINE]: path.inside.file: what is wrong``.

    >>> error = PolicyFileError(["p.yaml:4: metrics.resolution: unknown key 'taregts'",
    ...                          "p.yaml:9: name: Field required"])
    >>> error.problems[1], isinstance(error, ValueError)
    ('p.yaml:9: name: Field required', True)
    """

    def __init__(self, problems: Sequence[str], *, value: Any = None) -> None:
        super().__init__("\n".join(problems), value=value)
        self.problems = list(problems)


class PolicyFile(BaseModel):
    """The file form of a policy set: calendars defined once, policies referring to them by name.

    >>> PolicyFile.model_validate({"calendars": {}, "policies": [
    ...     {"name": "p", "metrics": {"resolution": {}}}]}).policies[0]["name"]
    'p'
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    calendars: dict[str, Calendar] = Field(default_factory=dict)
    policies: list[dict[str, Any]] = Field(min_length=1)


def policy_schema() -> dict[str, Any]:
    """The JSON Schema of a policy file (one policy, or calendars + policies).

    >>> sorted(policy_schema()["$defs"])[:3]
    ['Calendar', 'Condition', 'CountryHolidays']
    """

    class _Set(BaseModel):
        model_config = ConfigDict(extra="forbid")
        calendars: dict[str, Calendar] = Field(default_factory=dict)
        policies: list[Policy] = Field(min_length=1)

    class SlaclockPolicyFile(BaseModel):
        file: Policy | _Set

    schema = SlaclockPolicyFile.model_json_schema()
    root = schema["properties"]["file"]
    schema.pop("properties", None)
    schema.pop("required", None)
    schema.pop("type", None)
    schema.update(root)
    schema["title"] = "slaclock policy file"
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    return schema


# ---------------------------------------------------------------------------------------------
# Reading the three formats
def _yaml(text: str, path: Path) -> tuple[Any, _Lines]:
    try:
        import yaml
    except ImportError as exc:  # pragma: no cover - depends on the environment
        raise PolicyFileError(
            [f"{path}: reading YAML needs PyYAML - install slaclock[yaml] or use JSON/TOML"]
        ) from exc
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"{path}:{mark.line + 1}" if mark is not None else str(path)
        raise PolicyFileError([f"{where}: not valid YAML: {getattr(exc, 'problem', exc)}"]) from exc
    lines: _Lines = {}

    def walk(current: Any, loc: tuple[Any, ...]) -> None:
        lines[loc] = current.start_mark.line + 1
        if isinstance(current, yaml.MappingNode):
            for key, value in current.value:
                here = (*loc, key.value)
                walk(value, here)
                lines[here] = key.start_mark.line + 1  # a key's own line, not its value's
        elif isinstance(current, yaml.SequenceNode):
            for index, item in enumerate(current.value):
                walk(item, (*loc, index))

    if node is not None:
        walk(node, ())
    return data, lines


def load_data(path: str | Path) -> tuple[Any, dict[tuple[Any, ...], int]]:
    """The plain data in a ``.yaml``/``.yml``, ``.toml`` or ``.json`` file, and for YAML the line
    of each path inside it (used in error messages).

    >>> import tempfile, pathlib
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "p.yaml"
    >>> _ = path.write_text("name: p\\nmetrics:\\n  resolution: {}\\n")
    >>> data, lines = load_data(path)
    >>> data["metrics"], lines[("metrics", "resolution")]
    ({'resolution': {}}, 3)
    """
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise PolicyFileError([f"{path}: cannot read: {exc.strerror}"], value=str(path)) from exc
    suffix = path.suffix.lower()
    if suffix in (".yaml", ".yml"):
        return _yaml(text, path)
    if suffix == ".toml":
        if sys.version_info >= (3, 11):
            import tomllib
        else:  # pragma: no cover
            import tomli as tomllib  # type: ignore[import-not-found,unused-ignore]
        try:
            return tomllib.loads(text), {}
        except tomllib.TOMLDecodeError as exc:
            raise PolicyFileError([f"{path}: not valid TOML: {exc}"]) from exc
    if suffix == ".json":
        try:
            return json.loads(text), {}
        except json.JSONDecodeError as exc:
            raise PolicyFileError([f"{path}:{exc.lineno}: not valid JSON: {exc.msg}"]) from exc
    raise PolicyFileError(
        [f"{path}: unknown file type {suffix!r} - expected .yaml, .yml, .toml or .json"],
        value=str(path),
    )


def _problems(
    error: ValidationError, path: Path, lines: _Lines, prefix: tuple[Any, ...] = ()
) -> list[str]:
    found = []
    for item in error.errors():
        loc = (*prefix, *item["loc"])
        # pydantic adds union/validator branch names (e.g. "Calendar" or "function-after"): keep
        # only the keys and indexes that exist in the file, for the path and the line.
        real: list[Any] = []
        for part in loc:
            if (
                (*real, part) in lines
                or not lines
                or isinstance(part, int)
                or (isinstance(part, str) and not part[:1].isupper() and "[" not in part)
            ):
                real.append(part)
        line = next(
            (lines[tuple(real[:n])] for n in range(len(real), -1, -1) if tuple(real[:n]) in lines),
            None,
        )
        dotted = "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in real).lstrip(".")
        message = item["msg"].removeprefix("Value error, ")
        if item["type"] == "extra_forbidden":
            message = f"unknown key {real[-1]!r} - check the spelling; unknown keys are errors"
        elif "input" in item and item["type"] not in ("value_error", "missing"):
            message += f" (got {item['input']!r})"
        found.append(f"{path}{f':{line}' if line else ''}: {dotted or '(top level)'}: {message}")
    return found


def _with_ics(data: Any, path: Path) -> Any:
    """The data with each calendar's ``ics`` files (paths relative to ``path``) read into its
    holidays and overrides (see :mod:`slaclock.ics`)."""
    from slaclock.ics import IcsError, expand_ics

    try:
        return expand_ics(data, path)
    except IcsError as exc:
        raise PolicyFileError([f"{path}: {exc}"], value=str(path)) from exc


def load_policy(path: str | Path) -> Policy | PolicySet:
    """The policy (one policy) or policy set (``calendars`` + ``policies``) in a file.

    Raises :class:`PolicyFileError` listing every problem found.

    >>> import tempfile, pathlib
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "policy.json"
    >>> _ = path.write_text('{"name": "p", "metrics": {"resolution": {"targets": {"normal": "8h"}}}}')
    >>> load_policy(path).metrics["resolution"].targets["normal"].duration
    datetime.timedelta(seconds=28800)
    """
    path = Path(path)
    data, lines = load_data(path)
    data = _with_ics(data, path)
    if not isinstance(data, Mapping):
        raise PolicyFileError(
            [f"{path}: expected a mapping at the top level, got {type(data).__name__}"]
        )
    if "policies" not in data:
        try:
            return Policy.model_validate(data)
        except ValidationError as exc:
            raise PolicyFileError(_problems(exc, path, lines), value=data) from exc
    try:
        spec = PolicyFile.model_validate(data)
    except ValidationError as exc:
        raise PolicyFileError(_problems(exc, path, lines), value=data) from exc
    problems: list[str] = []
    policies: list[Policy] = []
    for index, raw in enumerate(spec.policies):
        # Calendars defined once at the top are made available by name to every policy.
        merged = {**raw, "calendars": {**spec.calendars, **(raw.get("calendars") or {})}}
        try:
            policies.append(Policy.model_validate(merged))
        except ValidationError as exc:
            problems.extend(_problems(exc, path, lines, ("policies", index)))
    if not problems:
        try:
            return PolicySet(policies=tuple(policies))
        except ValidationError as exc:
            problems.extend(_problems(exc, path, lines))
    raise PolicyFileError(problems, value=data)


def load_calendar(path: str | Path) -> Calendar:
    """The calendar in a file (a calendar mapping, or a policy file's single calendar).

    >>> import tempfile, pathlib
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "calendar.toml"
    >>> _ = path.write_text('timezone = "Europe/Berlin"\\n[hours]\\nmon-fri = "09:00-17:00"\\n')
    >>> load_calendar(path).timezone
    'Europe/Berlin'
    """
    path = Path(path)
    data, lines = load_data(path)
    data = _with_ics(data, path)
    prefix: tuple[str, ...] = ()
    if isinstance(data, Mapping) and "timezone" not in data and "calendar" in data:
        data, prefix = data["calendar"], ("calendar",)
    try:
        return Calendar.model_validate(data)
    except ValidationError as exc:
        raise PolicyFileError(_problems(exc, path, lines, prefix), value=data) from exc


# ---------------------------------------------------------------------------------------------
# Event files: JSON Lines and CSV, grouped into one timeline per ticket
_EVENT_FIELDS = ("at", "kind", "id", "status", "priority", "public", "author")


class BadLine(SlaclockError, ValueError):
    """One malformed line of an events file (``where`` is ``FILE:LINE``).

    >>> bad = BadLine("events.jsonl:7", "not valid JSON: Expecting value")
    >>> str(bad), bad.reason
    ('events.jsonl:7: not valid JSON: Expecting value', 'not valid JSON: Expecting value')
    """

    def __init__(self, where: str, reason: str) -> None:
        super().__init__(f"{where}: {reason}", value=where)
        self.where = where
        self.reason = reason


def _event_from_csv(row: Mapping[str, str]) -> dict[str, Any]:
    event: dict[str, Any] = {}
    extra: dict[str, Any] = {}
    for key, value in row.items():
        if key is None or value is None or value == "" or key == "ticket_id":
            continue
        if key in _EVENT_FIELDS:
            if key == "public":
                lowered = value.strip().lower()
                if lowered not in ("true", "false", "1", "0", "yes", "no"):
                    raise ValueError(f"public: {value!r} - expected true or false")
                event[key] = lowered in ("true", "1", "yes")
            else:
                event[key] = value
        else:
            name = key.removeprefix("attributes.")
            extra[name] = [t for t in value.split(";") if t] if name == "tags" else value
    if extra:
        event["attributes"] = extra
    return event


def _rows(path: Path, fmt: str) -> Any:
    """(line number, ticket id, event data) for every line, or a BadLine for a malformed one."""
    with path.open(encoding="utf-8", newline="") as handle:
        if fmt == "csv":
            reader = csv.DictReader(handle)
            missing = {"ticket_id", "at", "kind"} - set(reader.fieldnames or ())
            if missing:
                yield BadLine(
                    f"{path}:1",
                    f"missing columns {sorted(missing)} - expected ticket_id,at,kind,...",
                )
                return
            for row in reader:
                where = f"{path}:{reader.line_num}"
                try:
                    yield reader.line_num, row["ticket_id"], _event_from_csv(row)
                except ValueError as exc:
                    yield BadLine(where, str(exc))
            return
        for number, line in enumerate(handle, start=1):
            if not line.strip():
                continue
            where = f"{path}:{number}"
            try:
                data = json.loads(line)
            except json.JSONDecodeError as exc:
                yield BadLine(where, f"not valid JSON: {exc.msg}")
                continue
            if not isinstance(data, dict) or not isinstance(data.get("ticket_id"), str):
                yield BadLine(where, "expected a JSON object with a string 'ticket_id'")
                continue
            ticket = data.pop("ticket_id")
            yield number, ticket, data


def _timeline(
    ticket: str, events: list[tuple[int, dict[str, Any]]], path: Path
) -> Timeline | BadLine:
    attributes: dict[str, Any] = {}
    rows = []
    for _number, event in events:
        if event.get("kind") == "created" and "attributes" in event:
            event = dict(event)
            attributes.update(event.pop("attributes") or {})
        rows.append(event)
    try:
        return Timeline.model_validate(
            {"ticket_id": ticket, "attributes": attributes, "events": rows}
        )
    except ValidationError as exc:
        index = next(
            (
                e["loc"][1]
                for e in exc.errors()
                if e["loc"][:1] == ("events",) and len(e["loc"]) > 1
            ),
            None,
        )
        line = events[index][0] if isinstance(index, int) and index < len(events) else events[0][0]
        reason = "; ".join(
            f"{'.'.join(str(p) for p in e['loc'][2:]) or 'event'}: {e['msg'].removeprefix('Value error, ')}"
            for e in exc.errors()
        )
        return BadLine(f"{path}:{line}", f"ticket {ticket!r}: {reason}")


def read_timelines(path: str | Path, *, fmt: str | None = None) -> Iterator[Timeline | BadLine]:
    """The timelines in an events file, one per ticket, and a :class:`BadLine` for each malformed
    line or invalid ticket (the caller decides whether to stop or skip).

    When every ticket's events are contiguous in the file (sorted or grouped by ticket), tickets
    stream one by one in bounded memory. When they are not, events are grouped in memory first
    (memory grows with the file). A cheap first pass over the ticket ids decides which.

    >>> import tempfile, pathlib
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "events.jsonl"
    >>> _ = path.write_text('{"ticket_id": "T-1", "at": "2025-03-07T16:30:00+01:00", "kind": "created"}\\n')
    >>> [t.ticket_id for t in read_timelines(path)]
    ['T-1']
    """
    path = Path(path)
    fmt = fmt or ("csv" if path.suffix.lower() == ".csv" else "jsonl")
    if not path.exists():
        raise PolicyFileError([f"{path}: no such file"], value=str(path))
    if _contiguous(path, fmt):
        current: str | None = None
        events: list[tuple[int, dict[str, Any]]] = []
        for row in _rows(path, fmt):
            if isinstance(row, BadLine):
                yield row
                continue
            number, ticket, event = row
            if ticket != current and current is not None:
                yield _timeline(current, events, path)
                events = []
            current = ticket
            events.append((number, event))
        if current is not None:
            yield _timeline(current, events, path)
        return
    grouped: dict[str, list[tuple[int, dict[str, Any]]]] = {}
    for row in _rows(path, fmt):
        if isinstance(row, BadLine):
            yield row
            continue
        number, ticket, event = row
        grouped.setdefault(ticket, []).append((number, event))
    for ticket, events in grouped.items():
        yield _timeline(ticket, events, path)


def _contiguous(path: Path, fmt: str) -> bool:
    """Whether each ticket's events form one run of lines (a first pass over ticket ids only)."""
    finished: set[str] = set()
    current = None
    for row in _rows(path, fmt):
        if isinstance(row, BadLine):
            continue
        ticket = row[1]
        if ticket != current:
            if ticket in finished:
                return False
            if current is not None:
                finished.add(current)
            current = ticket
    return True
