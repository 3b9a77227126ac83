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
slaclock.errors.PolicyFileError: .../bad.yaml:4: metrics.first_response.targets.urgent: unreadable duration: '4 hourz' - expected e.g. '4h', '30m', '1h30m', '90s' or ISO 8601 'PT4H'
"""

from __future__ import annotations

import json
import re
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Any, cast

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from slaclock.calendar import Calendar
from slaclock.errors import PolicyFileError
from slaclock.eventfiles import (
    MAX_CSV_CELL,
    BadLine,
    DuplicateKeyError,
    no_duplicate_keys,
    read_timelines,
)
from slaclock.policy import Policy, PolicySet

__all__ = [
    "MAX_CSV_CELL",
    "MAX_DEPTH",
    "MAX_VALUES",
    "BadLine",
    "PolicyFile",
    "PolicyFileError",
    "load_calendar",
    "load_data",
    "load_policy",
    "policy_notes",
    "policy_schema",
    "read_timelines",
]

_Lines = dict[tuple[Any, ...], int]


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
#: Deepest nesting a policy file may have (a real one needs about 8 levels).
MAX_DEPTH = 64
#: Most values a policy file may hold once YAML aliases are expanded (a real one holds hundreds).
MAX_VALUES = 100_000
# YAML 1.1 reads 1:30 as the sexagesimal number 90 (and 13:00 as 780); slaclock reads such
# plain scalars as text, as YAML 1.2 does, so a duration "1:30" is an error and "13:00" a time.
_SEXAGESIMAL = re.compile(r"[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+(?:\.[0-9_]*)?")
# Likewise YAML 1.1 reads yes/no/on/off as booleans: "country: NO" (Norway) became False and a
# status "on" True. As in YAML 1.2, only true/false are booleans; these stay text.
_YAML11_BOOLEAN = re.compile(r"yes|Yes|YES|no|No|NO|on|On|ON|off|Off|OFF")


def _short(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 80 else text[:77] + "..."


def _yaml(text: str, path: Path) -> tuple[Any, _Lines]:
    try:
        import yaml
    except ImportError as exc:  # pragma: no cover - depends on the environment
        raise PolicyFileError(
            [f"{path}: reading YAML needs PyYAML - install slaclock[yaml] or use JSON/TOML"]
        ) from exc

    class Loader(yaml.SafeLoader):
        def resolve(self, kind: Any, value: Any, implicit: Any) -> Any:
            if (
                kind is yaml.ScalarNode
                and implicit[0]
                and (_SEXAGESIMAL.fullmatch(value) or _YAML11_BOOLEAN.fullmatch(value))
            ):
                return "tag:yaml.org,2002:str"
            return super().resolve(kind, value, implicit)  # type: ignore[no-untyped-call]

        def construct_object(self, node: Any, deep: bool = False) -> Any:
            try:
                return super().construct_object(node, deep)
            except yaml.YAMLError:
                raise
            except (ValueError, TypeError, KeyError, AttributeError, OverflowError) as exc:
                # e.g. "!!timestamp foo", "!!bool maybe", "!!int abc": the tag's constructor
                # fails on the text; report the tag, the text and the line.
                raise yaml.constructor.ConstructorError(
                    None,
                    None,
                    f"cannot read {_short(node.value)} as {node.tag.rsplit(':', 1)[-1]}",
                    node.start_mark,
                ) from exc

    loader: Any = None
    try:
        loader = Loader(text)
        node = loader.get_single_node()
        lines = _yaml_lines(node, path) if node is not None else {}
        data = loader.construct_document(node) if node is not None else None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
        line = mark.line + 1 if mark is not None else None
        problem = getattr(exc, "problem", None) or exc
        if isinstance(exc, yaml.reader.ReaderError):  # a character YAML cannot hold
            line = text[: exc.position].count("\n") + 1
            problem = f"{exc.reason} (#x{exc.character:04x}) - expected printable text"
        raise PolicyFileError([f"{path}{_at(line)}: not valid YAML: {problem}"]) from exc
    except RecursionError as exc:
        raise PolicyFileError(
            [f"{path}: not valid YAML: nested too deeply - expected at most {MAX_DEPTH} levels"]
        ) from exc
    finally:
        if loader is not None:
            loader.dispose()
    return data, lines


def _at(line: int | None) -> str:
    return f":{line}" if line else ""


def _yaml_lines(root: Any, path: Path) -> _Lines:
    """The line of every path in a composed YAML document, after refusing documents that nest
    deeper than :data:`MAX_DEPTH`, expand (through aliases) to more than :data:`MAX_VALUES`
    values, or repeat a key in a mapping.

    Each node is visited once, however many aliases point at it: an alias bomb costs what its
    text costs (its expanded size is counted, not built).
    """
    import yaml

    lines: _Lines = {}
    sizes: dict[int, int] = {}  # id(node) -> values it expands to

    def walk(node: Any, loc: tuple[Any, ...], depth: int) -> int:
        seen = sizes.get(id(node))
        if seen is not None:
            return seen
        line = node.start_mark.line + 1
        lines.setdefault(loc, line)
        if depth > MAX_DEPTH:
            raise PolicyFileError(
                [
                    f"{path}:{line}: nested more than {MAX_DEPTH} levels deep - expected a flatter file"
                ]
            )
        size = 1
        if isinstance(node, yaml.MappingNode):
            keys: dict[tuple[str, str], int] = {}
            for key, value in node.value:
                if isinstance(key, yaml.ScalarNode):
                    ident = (key.tag, key.value)
                    if key.value != "<<" and ident in keys:
                        raise PolicyFileError(
                            [
                                f"{path}:{key.start_mark.line + 1}: key {key.value!r} is given "
                                f"twice (first on line {keys[ident]}) - expected each key once"
                            ],
                            value=key.value,
                        )
                    keys[ident] = key.start_mark.line + 1
                here = (*loc, key.value)
                size += walk(key, here, depth + 1) + walk(value, here, depth + 1)
                lines[here] = key.start_mark.line + 1  # a key's own line, not its value's
        elif isinstance(node, yaml.SequenceNode):
            for index, item in enumerate(node.value):
                size += walk(item, (*loc, index), depth + 1)
        if size > MAX_VALUES:
            raise PolicyFileError(
                [
                    f"{path}:{line}: expands to more than {MAX_VALUES} values (through YAML "
                    "aliases) - expected a policy file of ordinary size"
                ]
            )
        sizes[id(node)] = size
        return size

    walk(root, (), 0)
    return lines


def _json_duplicate_line(text: str, key: str) -> int | None:
    """The line of ``key`` given the second time in one object of ``text`` (by the YAML
    composer: JSON is YAML), else of the second ``"key":`` in the text (maybe another object's)."""
    try:
        import yaml

        stack = [yaml.compose(text, Loader=yaml.SafeLoader)]
        while stack:
            node = stack.pop()
            if isinstance(node, yaml.MappingNode):
                names = [k.value for k, _ in node.value if isinstance(k, yaml.ScalarNode)]
                twice = [k for k, _ in node.value if k.value == key and names.count(key) > 1]
                if len(twice) > 1:
                    return int(twice[1].start_mark.line) + 1
                stack.extend(value for _, value in node.value)
            elif isinstance(node, yaml.SequenceNode):
                stack.extend(node.value)
    except Exception:  # a courtesy: fall back to the text
        pass
    pattern = re.compile(re.escape(json.dumps(key)) + r"\s*:")
    found = list(pattern.finditer(text))
    return text[: found[1].start()].count("\n") + 1 if len(found) > 1 else None


def _json_lines(text: str, path: Path) -> _Lines:
    """The line of every path of a JSON document (already read and checked by ``json``), read
    by the YAML composer (JSON's flow syntax is YAML's); ``{}`` when it cannot (e.g. tabs
    between tokens), and error messages then name the path without a line."""
    try:
        import yaml

        node = yaml.compose(text, Loader=yaml.SafeLoader)
        return _yaml_lines(node, path) if node is not None else {}
    except Exception:  # lines are a courtesy: the data itself came from json
        return {}


def _check_depth(data: Any, path: Path) -> None:
    """Refuse data nested deeper than :data:`MAX_DEPTH` (iteratively: no recursion to overflow)."""
    stack: list[tuple[Any, int]] = [(data, 0)]
    while stack:
        value, depth = stack.pop()
        if depth > MAX_DEPTH:
            raise PolicyFileError(
                [f"{path}: nested more than {MAX_DEPTH} levels deep - expected a flatter file"]
            )
        if isinstance(value, Mapping):
            stack.extend((item, depth + 1) for item in value.values())
        elif isinstance(value, list):
            stack.extend((item, depth + 1) for item in value)


def _decode(raw: bytes, path: Path) -> str:
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise PolicyFileError(
            [
                f"{path}:{line}: not UTF-8 text (byte {raw[exc.start]:#04x} at offset {exc.start})"
                " - expected a UTF-8 text file"
            ],
            value=str(path),
        ) from exc
    if "\x00" in text:
        line = text[: text.index("\x00")].count("\n") + 1
        raise PolicyFileError(
            [f"{path}:{line}: a NUL character - expected a text file, not binary data"],
            value=str(path),
        )
    return text


def load_data(path: str | Path) -> tuple[Any, dict[tuple[Any, ...], int]]:
    """The plain data in a ``.yaml``/``.yml``, ``.toml`` or ``.json`` file, and for YAML the line
    of each path inside it (used in error messages).

    Refused with :class:`PolicyFileError` naming the file and line: text that is not UTF-8, a key
    given twice in one mapping (YAML, JSON), nesting deeper than :data:`MAX_DEPTH`, and YAML that
    expands through aliases to more than :data:`MAX_VALUES` values.

    >>> import tempfile, pathlib
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "p.yaml"
    >>> _ = path.write_text("name: p\\nmetrics:\\n  resolution: {}\\n")
    >>> data, lines = load_data(path)
    >>> data["metrics"], lines[("metrics", "resolution")]
    ({'resolution': {}}, 3)
    """
    path = Path(path)
    if path.exists() and not path.is_file() and not path.is_dir():  # a pipe or a device
        raise PolicyFileError(
            [f"{path}: not a regular file (a pipe or a device) - expected a policy file"],
            value=str(path),
        )
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise PolicyFileError([f"{path}: cannot read: {exc.strerror}"], value=str(path)) from exc
    text = _decode(raw, path)
    suffix = path.suffix.lower()
    if suffix in (".yaml", ".yml"):
        return _yaml(text, path)
    if suffix == ".toml":
        if sys.version_info >= (3, 11):
            import tomllib
        else:  # pragma: no cover
            import tomli as tomllib  # type: ignore[import-not-found,unused-ignore]
        try:
            data: Any = tomllib.loads(text)
        except tomllib.TOMLDecodeError as exc:
            raise PolicyFileError([f"{path}: not valid TOML: {exc}"]) from exc
        except RecursionError as exc:
            raise PolicyFileError(
                [f"{path}: nested more than {MAX_DEPTH} levels deep - expected a flatter file"]
            ) from exc
        except ValueError as exc:  # an integer of more than sys.get_int_max_str_digits() digits
            raise _huge_number(path) from exc
        _check_depth(data, path)
        return data, {}
    if suffix == ".json":
        try:
            data = json.loads(text, object_pairs_hook=no_duplicate_keys)
        except json.JSONDecodeError as exc:
            raise PolicyFileError([f"{path}:{exc.lineno}: not valid JSON: {exc.msg}"]) from exc
        except DuplicateKeyError as exc:
            line = _json_duplicate_line(text, exc.key)
            raise PolicyFileError(
                [f"{path}{_at(line)}: key {exc.key!r} is given twice - expected each key once"],
                value=exc.key,
            ) from exc
        except RecursionError as exc:
            raise PolicyFileError(
                [f"{path}: nested more than {MAX_DEPTH} levels deep - expected a flatter file"]
            ) from exc
        except ValueError as exc:  # an integer of more than sys.get_int_max_str_digits() digits
            raise _huge_number(path) from exc
        _check_depth(data, path)
        return data, _json_lines(text, path)
    raise PolicyFileError(
        [f"{path}: unknown file type {suffix!r} - expected .yaml, .yml, .toml or .json"],
        value=str(path),
    )


def _huge_number(path: Path) -> PolicyFileError:
    return PolicyFileError(
        [
            f"{path}: a number of more than {sys.get_int_max_str_digits()} digits - expected a "
            "policy file of ordinary values"
        ],
        value=str(path),
    )


_PATH_PREFIX = re.compile(r"([A-Za-z_][\w-]*(?:\.[\w-]+)*): ")


def _child(value: Any, part: Any) -> tuple[bool, Any]:
    """Whether ``part`` is a key or index of ``value`` in the file's data, and what it holds."""
    if isinstance(value, Mapping):
        for key in (part, str(part)):
            if key in value:
                return True, value[key]
        # YAML reads a date key as a date; pydantic's loc shows it as text.
        for key, item in value.items():
            if str(key) == str(part):
                return True, item
        return False, None
    if isinstance(value, (list, tuple)) and isinstance(part, int) and 0 <= part < len(value):
        return True, value[part]
    return False, None


def _problems(
    error: ValidationError, path: Path, lines: _Lines, data: Any, prefix: tuple[Any, ...] = ()
) -> list[str]:
    """One ``FILE[:LINE]: path: message`` per error, the path as written in the file.

    pydantic's locations add union and validator branch names (``Calendar``, ``str``,
    ``function-after[...]``): the path keeps only the keys and indexes that exist in ``data``
    (plus a missing key at the end). A type error of one union branch is dropped when another
    branch reports on the same value (``calendar.str: Input should be a valid string`` beside the
    calendar's real error).
    """
    rows: list[tuple[list[Any], bool, Any]] = []
    for item in error.errors():
        loc = (*prefix, *item["loc"])
        real: list[Any] = []
        node, branched = data, False
        for index, part in enumerate(loc):
            found, child = _child(node, part)
            if found:
                real.append(part)
                node = child
            elif index == len(loc) - 1 and item["type"] in ("missing", "extra_forbidden"):
                real.append(part)
            else:
                branched = True
        rows.append((real, branched, item))
    found_lines: list[tuple[int, str]] = []
    for real, branched, item in rows:
        if (
            branched
            and item["type"].endswith("_type")
            and any(other is not item and r[: len(real)] == real for r, _, other in rows)
        ):
            continue
        message = item["msg"].removeprefix("Value error, ")
        # A validator may name a deeper path itself ("metrics.first_responce: unknown metric"):
        # follow it in the data, for the path and the line.
        # A model validator (whole policy, loc ``()``) names a path inside its model instead.
        match = _PATH_PREFIX.match(message)
        if match:
            parts = match[1].split(".")
            own = bool(real) and parts[0] == real[-1]  # the field's validator names the field
            deeper, node = list(real), data
            for part in real:
                node = _child(node, part)[1]
            ok = True
            for part in parts[1:] if own else parts:
                found, node = _child(node, part)
                if not found:
                    ok = False
                    break
                deeper.append(part)
            if ok:
                real = deeper
                message = message[match.end() :]
        if item["type"] == "extra_forbidden":
            message = f"unknown key {real[-1]!r} - check the spelling; unknown keys are errors"
        elif "input" in item and item["type"] not in ("value_error", "missing"):
            message += f" (got {_short(item['input'])})"
        line = next(
            (lines[tuple(real[:n])] for n in range(len(real), -1, -1) if tuple(real[:n]) in lines),
            None,
        )
        dotted = "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in real).lstrip(".")
        found_lines.append((line or 0, f"{path}{_at(line)}: {dotted or '(top level)'}: {message}"))
    return [text for _, text in sorted(found_lines, key=lambda row: row[0])]


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
            raise PolicyFileError(_problems(exc, path, lines, data), value=data) from exc
    try:
        spec = PolicyFile.model_validate(data)
    except ValidationError as exc:
        raise PolicyFileError(_problems(exc, path, lines, data), value=data) from exc
    problems: list[str] = []
    policies: list[Policy] = []
    for index, raw in enumerate(spec.policies):
        # Calendars defined once at the top are made available by name to every policy (a
        # policy's own 'calendars' that is no mapping is left for its validation to report).
        own = raw.get("calendars")
        merged = raw
        if own is None or isinstance(own, Mapping):
            merged = {**raw, "calendars": {**spec.calendars, **(own or {})}}
        try:
            policies.append(Policy.model_validate(merged))
        except ValidationError as exc:
            problems.extend(_problems(exc, path, lines, data, ("policies", index)))
    if not problems:
        try:
            return PolicySet(policies=tuple(policies))
        except ValidationError as exc:
            problems.extend(_problems(exc, path, lines, data))
    raise PolicyFileError(problems, value=data)


def policy_notes(policy: Policy | PolicySet) -> list[str]:
    """Things that are valid but likely not what the author meant, one sentence each.

    >>> policy_notes(Policy(name="p", metrics={"resolution": {"targets": {"normal": "2 business days"}}}))
    ["policy 'p': no calendar - targets are measured 24x7 (calendar time); set 'calendar' for business hours", "policy 'p': metrics.resolution.targets.normal: '2 business days' on a calendar that is always open - every day is a business day there, closing at midnight; give the target a calendar with closing hours, or write '48h'"]
    """
    notes: list[str] = []
    for one in policy.policies if isinstance(policy, PolicySet) else (policy,):
        if one.calendar is None and one.calendar_attribute is None:
            notes.append(
                f"policy {one.name!r}: no calendar - targets are measured 24x7 (calendar time); "
                "set 'calendar' for business hours"
            )
        for metric, config in one.metrics.items():
            for priority, target in config.targets.items():
                if target.business_days is None or one.calendar_attribute is not None:
                    continue
                calendar = one.calendar_named(target.calendar, {})
                if calendar.compiled.never_closes():
                    notes.append(
                        f"policy {one.name!r}: metrics.{metric}.targets.{priority}: "
                        f"{target.model_dump()!r} on a calendar that is always open - every day "
                        "is a business day there, closing at midnight; give the target a "
                        f"calendar with closing hours, or write '{24 * target.business_days}h'"
                    )
    return notes


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
    raw, prefix = data, cast("tuple[str, ...]", ())
    if isinstance(data, Mapping) and "timezone" not in data and "calendar" in data:
        data, prefix = data["calendar"], ("calendar",)
    elif isinstance(data, Mapping) and ("metrics" in data or "policies" in data):
        raise PolicyFileError(  # not "unknown key 'metrics'" as if it were a calendar file
            [f"{path}: a policy file without a 'calendar' of its own - expected a calendar file"],
            value=str(path),
        )
    try:
        return Calendar.model_validate(data)
    except ValidationError as exc:
        raise PolicyFileError(_problems(exc, path, lines, raw, prefix), value=data) from exc
