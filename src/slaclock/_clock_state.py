"""The stored form of the streaming clocks: versioned, checksummed, lossless JSON data.

Both clocks (:mod:`slaclock.streaming`, :mod:`slaclock.full_history`) write a mapping naming
:data:`STATE_FORMAT` and :data:`STATE_VERSION`, the clock kind, and each policy it was built
with (name, version, content digest), sealed with a SHA-256 checksum. Loading checks all of
these and the shape of what follows, and raises :class:`ClockStateError` otherwise. Instants are
kept losslessly: events as ISO 8601 text with the whole UTC offset (``-00:44:30``) and their IANA
zone's name, cycle instants as integer microseconds.

>>> from slaclock import Policy
>>> policy = Policy(name="p", version="3", metrics={"resolution": {}})
>>> state = sealed({**state_header("incremental", policy), "ticket_id": "T-1"})
>>> name, version, digest = next(iter(state["policies"]))
>>> name, version, len(digest), len(state["checksum"])
('p', '3', 16, 64)
>>> checked({**state, "ticket_id": "T-2"}, "incremental", policy, check_policy=True)
Traceback (most recent call last):
...
slaclock.errors.ClockStateError: clock state: checksum mismatch - the state was changed or truncated after to_dict() wrote it
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from datetime import datetime, timedelta, timezone, tzinfo
from itertools import pairwise
from typing import Any, NamedTuple
from zoneinfo import ZoneInfo

from pydantic import BaseModel, ConfigDict, ValidationError

from slaclock._tz import MAX_INSTANT, MIN_INSTANT, micros_in_range, to_micros
from slaclock.errors import ClockStateError, SlaclockError, value_text
from slaclock.policy import Policy, PolicySet
from slaclock.replay import (
    ClockRecord,
    CycleContext,
    MetricProgress,
    ReplayedCycle,
    TicketFacts,
    TicketReplay,
    Transition,
)
from slaclock.timeline import Event

__all__ = [
    "STATE_FORMAT",
    "STATE_VERSION",
    "KeptState",
    "checked",
    "event_data",
    "events_from_data",
    "history_state",
    "opened",
    "read_field",
    "replay_data",
    "restored_replay",
    "sealed",
    "state_header",
]

#: The ``format`` every stored clock names, and the version of that format this code writes.
STATE_FORMAT = "slaclock.clock"
STATE_VERSION = 1


class KeptState(NamedTuple):
    """What an incremental clock keeps besides its policy, id and attributes."""

    replay: TicketReplay
    last_events: tuple[Event, ...]  # the events at the last instant
    created_zone: tzinfo
    created_at: int  # the created event's instant (UTC microseconds)


def replay_data(kept: KeptState) -> dict[str, Any]:
    """An incremental clock's kept state as JSON data (see :func:`restored_replay`)."""
    replay = kept.replay
    contexts: list[list[Any]] = []
    numbers: dict[int, int] = {}

    def number(context: CycleContext) -> int:
        found = numbers.get(id(context))
        if found is None:
            found = numbers[id(context)] = len(contexts)
            contexts.append([context.policy.name, dict(context.attributes)])
        return found

    metrics = [
        [
            name,
            progress.started_after,
            progress.event_paused,
            progress.open is not None,
            [
                [
                    cycle.start,
                    number(cycle.start_context),
                    number(cycle.context),
                    [[at, counting] for at, counting in cycle.transitions],
                    cycle.events,
                    cycle.end,
                    cycle.cancelled,
                ]
                for cycle in progress.cycles
            ],
        ]
        for name, progress in replay.progress.items()
    ]
    # A metric with retroactive_pause keeps its ClockRecord; the key is written only then, so
    # every other state reads as before (and older state, without it, as it always did).
    records = [
        [name, progress.record.event_paused, [[at, c] for at, c in progress.record.transitions]]
        for name, progress in replay.progress.items()
        if progress.record is not None
    ]
    return {
        **({"records": records} if records else {}),
        "facts": list(replay.facts),
        "created_at": kept.created_at,
        "attributes": replay.attributes,
        "policy": None if replay.policy is None else replay.policy.name,
        "created_zone": _zone_data(kept.created_zone),
        "last_events": [event_data(e) for e in kept.last_events],
        "contexts": contexts,
        "metrics": metrics,
    }


def restored_replay(policy: Policy | PolicySet, count: int, data: Any) -> KeptState:
    """The kept state :func:`replay_data` wrote, for a clock of ``count`` events, checked."""
    try:
        # Validated from JSON text: strict, and arrays read as the tuples they stand for.
        parsed = _ReplayState.model_validate_json(_canonical(data))
        return _restore(policy, count, parsed)
    except ClockStateError:
        raise
    except SlaclockError as exc:  # e.g. stored attributes no policy can select with
        raise ClockStateError(f"clock state: {exc}", value=exc.value) from None
    except ValidationError as exc:
        raise ClockStateError(
            f"clock state: replay is malformed: {_first_error(exc)} - expected state "
            "written by to_dict()",
            value=data,
        ) from None


def history_state(
    state: dict[str, Any], policy: Policy | PolicySet, *, check_policy: bool
) -> tuple[str, dict[str, Any], list[Event]]:
    """(ticket id, attributes, events) of full-history state, or of slaclock 0.1's unversioned
    state (``ticket_id``, ``attributes``, ``events``: read as such, nothing to check)."""
    if "format" not in state and {"ticket_id", "events"} <= set(state) <= _LEGACY_KEYS:
        return (
            read_field(state, "ticket_id", str),
            read_field(state, "attributes", dict, {}),
            events_from_data(read_field(state, "events", list)),
        )
    state = checked(state, "full-history", policy, check_policy=check_policy)
    return (
        read_field(state, "ticket_id", str),
        read_field(state, "attributes", dict),
        events_from_data(read_field(state, "events", list)),
    )


# ----------------------------------------------------------------------------------------------
class _ReplayState(BaseModel):
    """The shape of an incremental clock's replay state (checked on loading)."""

    model_config = ConfigDict(frozen=True, extra="forbid", strict=True)

    # [status, solved_at, closed_at, public agent replies, reopens] (see TicketFacts)
    facts: tuple[str, int | None, int | None, int, int]
    created_at: int
    attributes: dict[str, Any]
    policy: str | None
    created_zone: dict[str, Any]
    last_events: list[dict[str, Any]]
    contexts: list[tuple[str, dict[str, Any]]]
    # [name, started_after, event_paused, open, cycles]; each cycle is
    # [start, start context, context, transitions [[at, counting]], event positions, end, cancelled]
    metrics: list[
        tuple[
            str,
            bool,
            bool,
            bool,
            list[tuple[int, int, int, list[tuple[int, bool]], list[int], int | None, bool]],
        ]
    ]
    # [name, event_paused, transitions [[at, counting]]] of each metric's ClockRecord
    records: list[tuple[str, bool, list[tuple[int, bool]]]] = []


def _restore(policy: Policy | PolicySet, count: int, state: _ReplayState) -> KeptState:
    """The kept state of checked replay data, validating what the shape cannot say."""
    policies = {p.name: p for p in ((policy,) if isinstance(policy, Policy) else policy.policies)}

    def known_policy(name: str) -> Policy:
        found = policies.get(name)
        if found is None:
            raise ClockStateError(
                f"clock state names policy {name!r} - expected one of {sorted(policies)}",
                value=name,
            )
        return found

    contexts = [CycleContext(known_policy(name), attributes) for name, attributes in state.contexts]
    for context in contexts:
        _check_context(context)
    progress: dict[str, MetricProgress] = {}
    for name, started_after, event_paused, is_open, cycles in state.metrics:
        if name in progress:
            raise ClockStateError(f"clock state lists metric {name!r} twice", value=name)
        replayed: list[ReplayedCycle] = []
        for start, first, current, transitions, positions, end, cancelled in cycles:
            if not (0 <= first < len(contexts) and 0 <= current < len(contexts)):
                raise ClockStateError(
                    f"clock state: metric {name!r} cycle refers to context {max(first, current)} "
                    f"of {len(contexts)} - expected state written by to_dict()",
                    value=name,
                )
            for context in (contexts[first], contexts[current]):
                if name not in context.policy.metrics:
                    raise ClockStateError(
                        f"clock state: a cycle of metric {name!r} is measured by policy "
                        f"{context.policy.name!r}, which has no such metric - expected one of "
                        f"{sorted(context.policy.metrics)}",
                        value=name,
                    )
            ats = [at for at, _ in transitions]
            for instant in (start, *ats, *(() if end is None else (end,))):
                if not micros_in_range(instant):
                    raise ClockStateError(
                        f"clock state: metric {name!r} has instant {instant} outside the "
                        f"supported range ({_RANGE}) - expected state written by to_dict()",
                        value=instant,
                    )
            if (
                not transitions
                or ats[0] != start
                or ats != sorted(ats)
                or not positions
                or positions != sorted(positions)
                or not 0 <= positions[0] <= positions[-1] < count
                or (end is not None and end < ats[-1])
            ):
                raise ClockStateError(
                    f"clock state: metric {name!r} has a malformed cycle starting at {start} - "
                    "expected ascending transitions from its start and event positions below "
                    f"{count}",
                    value=name,
                )
            replayed.append(
                ReplayedCycle(
                    start,
                    contexts[first],
                    contexts[current],
                    [Transition(at, counting) for at, counting in transitions],
                    list(positions),
                    end,
                    cancelled,
                )
            )
        if is_open and (not replayed or replayed[-1].end is not None):
            raise ClockStateError(
                f"clock state: metric {name!r} is open without an open last cycle", value=name
            )
        progress[name] = MetricProgress(
            replayed, replayed[-1] if is_open else None, started_after, event_paused
        )
    for name, event_paused, transitions in state.records:
        _restore_record(progress, name, event_paused, transitions)
    in_force = None if state.policy is None else known_policy(state.policy)
    if isinstance(policy, Policy) and in_force is not policy:
        raise ClockStateError("clock state: no policy in force under a single policy")
    for name, metric in () if in_force is None else in_force.metrics.items():
        kept = progress.get(name)
        if metric.retroactive_pause and (kept is None or kept.record is None):
            raise ClockStateError(
                f"clock state: metric {name!r} has retroactive_pause but no clock record - "
                "expected state written by to_dict()",
                value=name,
            )
    try:
        last_events = tuple(events_from_data(state.last_events))
        zone = _zone(state.created_zone)
    except (ValidationError, ValueError, KeyError, TypeError) as exc:
        raise ClockStateError(
            f"clock state: unreadable last events or zone: {exc} - expected state written by "
            "to_dict()",
            value=state.last_events,
        ) from None
    if not last_events or len({to_micros(e.at) for e in last_events}) != 1:
        raise ClockStateError(
            "clock state: last_events must hold the events at the last instant", value=count
        )
    status, solved_at, closed_at, replies, reopens = state.facts
    for instant in (state.created_at, solved_at, closed_at):
        if instant is not None and not micros_in_range(instant):
            raise ClockStateError(
                f"clock state: instant {instant} outside the supported range ({_RANGE}) - "
                "expected state written by to_dict()",
                value=instant,
            )
    if replies < 0 or reopens < 0:
        raise ClockStateError(
            f"clock state: negative counts {replies}, {reopens} - expected counts of events",
            value=state.facts,
        )
    facts = TicketFacts(status, solved_at, closed_at, replies, reopens)
    replay = TicketReplay.restored(policy, state.attributes, in_force, progress, facts)
    replay.check_priority()
    if replay.context is not None:
        _check_context(replay.context)
    return KeptState(replay, last_events, zone, state.created_at)


def _restore_record(
    progress: dict[str, MetricProgress],
    name: str,
    event_paused: bool,
    transitions: list[tuple[int, bool]],
) -> None:
    """Give metric ``name`` its checked :class:`ClockRecord`, and each of its cycles that
    opened while it was kept (at or after its first instant) its ``prior``, as
    :func:`~slaclock.progress.open_cycle` did."""
    metric = progress.get(name)
    ats = [at for at, _ in transitions]
    if metric is None or metric.record is not None:
        problem = "no state" if metric is None else "two records"
        raise ClockStateError(
            f"clock state: a clock record of metric {name!r}, which has {problem} - expected "
            "state written by to_dict()",
            value=name,
        )
    bad = next((at for at in ats if not micros_in_range(at)), None)
    if bad is None:
        bad = next((b for a, b in pairwise(ats) if a >= b), None)
    if bad is not None:
        raise ClockStateError(
            f"clock state: metric {name!r} has a malformed clock record (instant {bad!r}) - "
            f"expected strictly ascending instants in {_RANGE}",
            value=bad,
        )
    record = ClockRecord([Transition(at, counting) for at, counting in transitions], event_paused)
    metric.record = record
    for cycle in metric.cycles:
        if ats and cycle.start >= ats[0]:
            cycle.prior = record.transitions


#: The instants stored state may hold: those events and ``as_of`` may take (integer
#: microseconds since the epoch, from 1970-01-01 up to 2200-01-01, see ``slaclock._tz``).
_RANGE = f"{MIN_INSTANT.isoformat()} up to {MAX_INSTANT.isoformat()}"


def _check_context(context: CycleContext) -> None:
    """The attributes that pick a cycle's target and calendar hold values a ticket can have."""
    policy, attributes = context.policy, context.attributes
    for key in ("priority", policy.calendar_attribute):
        if key is None:
            continue
        value = attributes.get(key)
        if value is not None and (not isinstance(value, (str, int)) or isinstance(value, bool)):
            raise ClockStateError(
                f"clock state: attribute {key}={value!r:.40} - expected a string", value=value
            )


def _policy_identity(policy: Policy | PolicySet) -> list[list[str | None]]:
    """[name, version, content digest] of each policy: what a stored clock was built with."""
    policies = (policy,) if isinstance(policy, Policy) else policy.policies
    return [[p.name, p.version, p.derived("state_digest", _digest_policy)] for p in policies]


def _digest_policy(policy: Policy) -> str:
    # Defaults excluded: a later slaclock adding a field with a default keeps the digest.
    data = policy.model_dump(mode="json", exclude_defaults=True)
    return hashlib.sha256(_canonical(data)).hexdigest()[:16]


def _canonical(data: Any) -> bytes:
    return json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def state_header(kind: str, policy: Policy | PolicySet) -> dict[str, Any]:
    """The keys every stored clock starts with: format, version, clock kind, policies."""
    return {
        "format": STATE_FORMAT,
        "format_version": STATE_VERSION,
        "clock": kind,
        "policies": _policy_identity(policy),
    }


def sealed(body: dict[str, Any]) -> dict[str, Any]:
    """``body`` with its ``checksum`` (SHA-256 of its canonical JSON text)."""
    try:
        digest = hashlib.sha256(_canonical(body)).hexdigest()
    except (TypeError, ValueError) as exc:
        raise ClockStateError(
            f"clock state is not JSON data: {exc} - expected attribute values that JSON can hold",
            value=body.get("ticket_id"),
        ) from None
    return {**body, "checksum": digest}


def opened(data: Mapping[str, Any] | str | bytes) -> dict[str, Any]:
    """Stored state as a dict (JSON text is parsed), or a :class:`ClockStateError`."""
    if isinstance(data, (str, bytes)):
        text = data
        try:
            data = json.loads(text)
        except (ValueError, RecursionError) as exc:
            raise ClockStateError(
                f"clock state is not JSON text: {exc} - expected the text of to_dict() "
                "(truncated?)",
                value=text[:80],
            ) from None
    if not isinstance(data, Mapping):
        raise ClockStateError(
            f"clock state: {type(data).__name__} {value_text(data):.60} - expected the mapping "
            "to_dict() returns",
            value=data,
        )
    _check_printable(data)
    return dict(data)


def _check_printable(data: Any) -> None:
    """Refuse an integer too long to write out (4,300+ digits), so every message can show it."""
    stack = [data]
    while stack:  # iterative: any depth
        item = stack.pop()
        if isinstance(item, int) and item.bit_length() > 14_000:
            raise ClockStateError(f"clock state: {value_text(item)} - expected to_dict()'s state")
        if isinstance(item, Mapping):
            stack.extend((*item.keys(), *item.values()))
        elif isinstance(item, (list, tuple)):
            stack.extend(item)


def checked(
    state: dict[str, Any], kind: str, policy: Policy | PolicySet, *, check_policy: bool
) -> dict[str, Any]:
    """``state`` after checking its format, version, checksum, clock kind and policies."""
    if state.get("format") != STATE_FORMAT:
        raise ClockStateError(
            f"clock state: format {state.get('format')!r} - expected {STATE_FORMAT!r} "
            "(state written by to_dict())",
            value=state.get("format"),
        )
    version = read_field(state, "format_version", int)
    if version != STATE_VERSION:
        raise ClockStateError(
            f"clock state: format version {version} - this slaclock reads version "
            f"{STATE_VERSION}"
            + (" (written by a newer slaclock?)" if version > STATE_VERSION else ""),
            value=version,
        )
    checksum = read_field(state, "checksum", str)
    body = {k: v for k, v in state.items() if k != "checksum"}
    try:
        actual = hashlib.sha256(_canonical(body)).hexdigest()
    except (TypeError, ValueError, RecursionError):
        actual = ""
    if actual != checksum:
        raise ClockStateError(
            "clock state: checksum mismatch - the state was changed or truncated after "
            "to_dict() wrote it",
            value=checksum,
        )
    clock = state.get("clock")
    if clock != kind:
        raise ClockStateError(f"clock state: clock {clock!r} - expected {kind!r}", value=clock)
    unknown = sorted(set(state) - _KEYS[kind], key=str)
    if unknown:
        raise ClockStateError(
            f"clock state: unknown key(s) {unknown!r:.80} - expected the keys to_dict() writes: "
            f"{sorted(_KEYS[kind])}",
            value=unknown,
        )
    stored = state.get("policies")
    expected = _policy_identity(policy)
    if check_policy and stored != expected:
        raise ClockStateError(
            f"clock state was built with policies {_policies_text(stored)}, not with "
            f"{_policies_text(expected)} - load it with the policy it was built with, or "
            + (
                "rebuild the clock from the ticket's events"
                if kind == "incremental"
                else "pass policy_changed='replay' to evaluate its events under the new policy"
            ),
            value=stored,
        )
    return state


#: The keys of slaclock 0.1's unversioned state (read unchecked), and of each clock's to_dict().
_LEGACY_KEYS = frozenset({"ticket_id", "attributes", "events"})
_HEADER = frozenset({"format", "format_version", "clock", "policies", "checksum"})
_KEYS = {"incremental": _HEADER | _LEGACY_KEYS | {"replay"}, "full-history": _HEADER | _LEGACY_KEYS}


def _policies_text(identity: Any) -> str:
    if not isinstance(identity, list):
        return repr(identity)
    return ", ".join(
        f"{item[0]!r} version {item[1]!r} (content {item[2]})"
        if isinstance(item, list) and len(item) == 3
        else repr(item)
        for item in identity
    )


def read_field(state: Mapping[str, Any], name: str, kind: type, default: Any = ...) -> Any:
    """``state[name]``, checked to be a ``kind`` (``default`` when missing, if given)."""
    if name not in state:
        if default is not ...:
            return default
        raise ClockStateError(
            f"clock state: {name!r} is missing - expected state written by to_dict() (truncated?)",
            value=name,
        )
    value = state[name]
    if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
        raise ClockStateError(
            f"clock state: {name}={value!r:.60} - expected {kind.__name__}", value=value
        )
    return value


def _first_error(exc: ValidationError) -> str:
    error = exc.errors()[0]
    where = ".".join(str(part) for part in error["loc"])
    return f"{where}: {error['msg']}"


def _zone_data(zone: tzinfo) -> dict[str, Any]:
    """A tzinfo stored losslessly: an IANA zone by its key, anything else by its fixed offset
    in microseconds (offsets may have seconds: -00:44:30)."""
    if isinstance(zone, ZoneInfo):
        return {"zone": zone.key}
    offset = zone.utcoffset(None)
    if offset is None:
        raise ClockStateError(f"clock state: time zone {zone!r} has no fixed offset", value=zone)
    return {"offset_us": offset // _MICRO}


_MICRO = timedelta(microseconds=1)


def _zone(data: Mapping[str, Any]) -> tzinfo:
    if "zone" in data:
        return ZoneInfo(str(data["zone"]))
    offset = data["offset_us"]
    if not isinstance(offset, int) or isinstance(offset, bool):
        raise TypeError(f"offset_us={offset!r} - expected an integer")
    return timezone(offset * _MICRO)


def event_data(event: Event) -> dict[str, Any]:
    """An event as JSON data with its instant stored losslessly (ISO text keeps the seconds of
    an offset such as -00:44:30; an IANA zone is kept by name)."""
    data = event.model_dump(mode="json", exclude_none=True)
    assert event.at.tzinfo is not None
    data["at"] = event.at.isoformat()
    if isinstance(event.at.tzinfo, ZoneInfo):
        data["zone"] = event.at.tzinfo.key
    return data


def events_from_data(items: list[Any]) -> list[Event]:
    """The events :func:`event_data` wrote, validated (a :class:`ClockStateError` otherwise)."""
    events: list[Event] = []
    for item in items:
        if not isinstance(item, Mapping):
            raise ClockStateError(
                f"clock state: event {item!r:.60} - expected a mapping", value=item
            )
        data = dict(item)
        zone = data.pop("zone", None)
        text = data.get("at")
        try:
            if isinstance(text, str):
                at = datetime.fromisoformat(text)
                if at.tzinfo is None:
                    raise ValueError(f"at={text!r} has no UTC offset")
                data["at"] = at.astimezone(ZoneInfo(zone)) if zone is not None else at
            events.append(Event.model_validate(data))
        except (ValidationError, ValueError, TypeError, KeyError, OverflowError) as exc:
            raise ClockStateError(
                f"clock state: unreadable event {item!r:.80}: {exc}", value=item
            ) from None
    return events
