"""Bulk calendar arithmetic: whole columns of instants and durations at once (numpy).

:meth:`Calendar.add_many <slaclock.Calendar.add_many>` and :meth:`Calendar.elapsed_many
<slaclock.Calendar.elapsed_many>` convert their inputs to int64 microseconds here, run the
calendar's formulas vectorised over its compiled table, and give the results back in the kind
of container they came in. Exact like the per-item methods (a property test holds them
together). Needs numpy (the ``[numpy]`` extra; pandas and pyarrow bring it too).

Instants may be a sequence of aware datetimes, a pandas Series or DatetimeIndex with a time
zone, a numpy or pandas object column of aware datetimes (their zones may differ: each result
keeps its start's), or a numpy ``datetime64`` array (numpy's datetime64 counts from the UTC
epoch: read as UTC instants). Durations may be one ``timedelta``, text such as ``"8h"`` or
whole seconds (for every instant), a sequence or object column of them (each read as ``add``
reads it), or a numpy / pandas ``timedelta64`` column of a fixed unit (not months or years).
Parts of a microsecond (``datetime64[ns]``) are dropped, to the microsecond below. Two pandas
Series pair by position, so their indexes must be equal. Every instant must
lie in the supported range (1970 up to 2200): the first one outside is an
:class:`~slaclock.errors.OutOfRangeError` naming its position.

>>> import numpy as np
>>> from slaclock import Calendar
>>> cal = Calendar.weekdays("UTC")
>>> starts = np.array(["2025-03-07T16:00", "2025-03-10T09:00"], "datetime64[us]")
>>> add_many(cal.compiled, starts, "2h")  # Fri 16:00 + 2h of 09-17 -> Mon 10:00
array(['2025-03-10T10:00:00.000000', '2025-03-10T11:00:00.000000'],
      dtype='datetime64[us]')
>>> add_many(cal.compiled, np.array(["2250-01-01"], "datetime64[us]"), "2h")
Traceback (most recent call last):
...
slaclock.errors.OutOfRangeError: starts[0] out of range: 2250-01-01T00:00:00+00:00 - expected an instant from 1970-01-01T00:00:00Z up to 2200-01-01T00:00:00Z
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from slaclock._tz import (
    MAX_DURATION,
    MAX_INSTANT,
    check_in_range,
    from_micros,
    micros_in_range,
    out_of_range,
    timedelta_to_micros,
    to_micros,
)
from slaclock.durations import parse_duration
from slaclock.errors import ArgumentError, SlaclockError

if TYPE_CHECKING:
    from slaclock._open_table import OpenTable
    from slaclock.compiled_calendar import CompiledCalendar

__all__ = ["add_many", "elapsed_many"]


def _numpy() -> Any:
    try:
        import numpy
    except ImportError as exc:  # pragma: no cover - depends on the environment
        raise ImportError(
            "add_many/elapsed_many need numpy: pip install 'slaclock[numpy]'"
        ) from exc
    return numpy


def _is_pandas(values: Any) -> bool:
    return type(values).__module__.split(".")[0] == "pandas"


def _instants(values: Any, name: str) -> tuple[Any, Any]:
    """(int64 microseconds, how to give results back) for a column of instants."""
    np = _numpy()
    if _is_pandas(values) and values.dtype != object:
        tz = getattr(getattr(values, "dt", values), "tz", None)
        if tz is None:
            raise _naive(name)
        # A Series converts through .dt (its own tz_convert converts the index).
        utc = values.dt.tz_convert("UTC") if hasattr(values, "dt") else values.tz_convert("UTC")
        if utc.isna().any():
            raise ArgumentError(f"{name}: a missing instant (NaT) - expected every instant")
        micros = np.asarray(utc.astype("datetime64[us, UTC]").astype("int64"), np.int64)
        return _in_range(micros, name), ("pandas", values, tz)
    if isinstance(values, np.ndarray) and values.dtype != object:
        if values.dtype.kind != "M":
            raise ArgumentError(f"{name}: a numpy {values.dtype} array - expected datetime64")
        if np.isnat(values).any():
            raise ArgumentError(f"{name}: a missing instant (NaT) - expected every instant")
        micros = values.astype("datetime64[us]", copy=False).view(np.int64)
        return _in_range(micros, name), ("numpy", None, None)
    # Aware datetimes one by one: a list, or an object column (zones that differ, say).
    if isinstance(values, str | bytes | datetime) or not isinstance(values, Iterable):
        raise ArgumentError(
            f"{name}: {values!r} - expected a column of instants (a sequence of aware "
            "datetimes, a numpy or pandas column); for one instant use add or elapsed",
            value=values,
        )
    items = list(values)
    micros = np.fromiter(
        (to_micros(check_in_range(v, f"{name}[{i}]")) for i, v in enumerate(items)),
        np.int64,
        len(items),
    )
    if isinstance(values, np.ndarray):
        return micros, ("numpy objects", items, None)
    if _is_pandas(values):
        return micros, ("pandas objects", values, None)
    return micros, ("list", items, None)


def _same_index(starts: Any, other: Any, name: str) -> None:
    """Two pandas Series pair by position here: refuse indexes pandas would align differently."""
    first, second = getattr(starts, "index", None), getattr(other, "index", None)
    pandas = _is_pandas(starts) and _is_pandas(other)
    if pandas and first is not None and second is not None and not first.equals(second):
        raise ArgumentError(
            f"{name}: a Series whose index differs from starts' - expected the same index "
            f"(values pair by position; align first, e.g. {name}.reindex(starts.index))"
        )


def _in_range(micros: Any, name: str) -> Any:
    """``micros`` if every instant lies in the supported range, else the error naming the first
    one outside (``starts[3]``)."""
    if len(micros) and not (
        micros_in_range(int(micros.min())) and micros_in_range(int(micros.max()))
    ):
        index = next(i for i, m in enumerate(micros.tolist()) if not micros_in_range(m))
        value = micros[index]
        try:
            text = from_micros(int(value), None).isoformat()
        except (OverflowError, ValueError):  # pragma: no cover - beyond what datetime shows
            text = f"{int(value)} microseconds since 1970-01-01"
        raise out_of_range(text, f"{name}[{index}]")
    return micros


def _naive(name: str) -> Exception:
    from slaclock.errors import NaiveDatetimeError

    return NaiveDatetimeError(
        f"{name}: instants without a time zone - expected aware instants, e.g. "
        "series.dt.tz_localize('Europe/Berlin')",
        value=name,
    )


def _durations(values: Any, count: int, name: str) -> Any:
    """int64 microseconds for ``count`` instants: one duration for all (a ``timedelta``, text
    or whole seconds, as ``add`` reads them), or a column of them."""
    np = _numpy()
    if isinstance(values, np.integer):  # numpy's whole seconds read as Python's
        values = int(values)
    if isinstance(values, timedelta | str | int):
        one = _one_duration(values, name)
        return np.full(count, timedelta_to_micros(one), np.int64)
    if isinstance(values, np.timedelta64):
        values = np.full(count, values)
    if (_is_pandas(values) or isinstance(values, np.ndarray)) and values.dtype != object:
        array = np.asarray(values)
        if array.dtype.kind in "iu":  # whole seconds, as add reads an int
            return _whole_seconds(array, count, name)
        if array.dtype.kind != "m":
            raise ArgumentError(
                f"{name}: a {array.dtype} column - expected timedelta64 durations or whole "
                "seconds (integers)"
            )
        unit = np.datetime_data(array.dtype)[0]
        if unit in ("Y", "M", "generic"):
            raise ArgumentError(
                f"{name}: {array.dtype} - months and years have no fixed length (numpy would "
                "make a month 30.44 days); expected a fixed unit, e.g. timedelta64[h]",
                value=str(array.dtype),
            )
        if np.isnat(array).any():
            raise ArgumentError(f"{name}: a missing duration (NaT) - expected every duration")
        micros = array.astype("timedelta64[us]", copy=False).view(np.int64)
    elif isinstance(values, Iterable):
        micros = np.fromiter(
            (timedelta_to_micros(_one_duration(v, f"{name}[{i}]")) for i, v in enumerate(values)),
            np.int64,
        )
    else:
        raise ArgumentError(
            f"{name}: {values!r} - expected a duration (timedelta, text, whole seconds) or a "
            "column of them",
            value=values,
        )
    if len(micros) != count:
        raise ArgumentError(
            f"{name}: {len(micros)} durations for {count} instants - expected as many"
        )
    return micros


def _whole_seconds(array: Any, count: int, name: str) -> Any:
    """A column of whole seconds as int64 microseconds, each within the longest duration."""
    np = _numpy()
    limit = MAX_DURATION.days * 86_400
    magnitudes = np.abs(array.astype(np.float64))
    if len(array) and magnitudes.max() > limit:
        index = int(np.argmax(magnitudes))
        _one_duration(int(array[index]), f"{name}[{index}]")  # raises: "duration too long"
    if len(array) != count:
        raise ArgumentError(
            f"{name}: {len(array)} durations for {count} instants - expected as many"
        )
    return array.astype(np.int64) * 1_000_000


def _one_duration(value: Any, name: str) -> timedelta:
    """``value`` read as ``add`` reads a duration; an error names ``name`` (``durations[3]``)."""
    try:
        return parse_duration(value)
    except SlaclockError as exc:
        exc.args = (f"{name}: {exc}", *exc.args[1:])
        raise


def _instants_out(micros: Any, how: tuple[Any, Any, Any]) -> Any:
    kind, original, tz = how
    if kind == "numpy":
        return micros.view("datetime64[us]")
    if kind in ("numpy objects", "pandas objects"):
        items = [from_micros(int(m), item.tzinfo) for m, item in zip(micros, original)]
        return _objects(items, kind, original)
    if kind == "pandas":
        import pandas as pd  # type: ignore[import-untyped,unused-ignore]

        index = getattr(original, "index", None)
        stamps = pd.to_datetime(micros, unit="us", utc=True).tz_convert(tz)
        return pd.Series(stamps, index=index, name=original.name) if index is not None else stamps
    return [from_micros(int(m), item.tzinfo) for m, item in zip(micros, original)]


def _objects(items: list[Any], kind: str, original: Any) -> Any:
    """``items`` in an object column like ``original`` (numpy, or pandas with its index)."""
    if kind == "numpy objects":
        column = _numpy().empty(len(items), object)
        column[:] = items
        return column
    import pandas as pd  # type: ignore[import-untyped,unused-ignore]

    if isinstance(original, pd.Series):
        return pd.Series(items, index=original.index, name=original.name, dtype=object)
    return pd.Index(items, name=original.name, dtype=object)


def _durations_out(micros: Any, how: tuple[Any, Any, Any]) -> Any:
    kind, original, _ = how
    if kind == "numpy":
        return micros.view("timedelta64[us]")
    if kind == "numpy objects":
        return _objects([timedelta(microseconds=int(m)) for m in micros], kind, original)
    if kind in ("pandas", "pandas objects"):
        import pandas as pd  # type: ignore[import-untyped,unused-ignore]

        deltas = pd.to_timedelta(micros, unit="us")
        index = getattr(original, "index", None)
        return pd.Series(deltas, index=index, name=original.name) if index is not None else deltas
    return [timedelta(microseconds=int(m)) for m in micros]


# ------------------------------------------------------------------------------------------------
# The arithmetic over int64 arrays of UTC microseconds: the formulas of CompiledCalendar.elapsed
# and add_from, vectorised over one compiled table; an element whose answer lies outside the
# table takes the per-item path (exact either way).
def _arrays(table: OpenTable) -> tuple[Any, Any, Any]:
    """The table's starts, ends and cums as numpy int64 arrays."""
    np = _numpy()
    return (
        np.asarray(table.starts, np.int64),
        np.asarray(table.ends, np.int64),
        np.asarray(table.cums, np.int64),
    )


def _cum_many(starts: Any, ends: Any, cums: Any, t: Any) -> Any:
    """``OpenTable.cum_at`` for each of ``t`` (numpy arrays)."""
    np = _numpy()
    if len(starts) == 0:
        return np.zeros(len(t), np.int64)
    i = np.searchsorted(starts, t, "right") - 1
    j = np.maximum(i, 0)
    return np.where(i < 0, 0, cums[j] + np.minimum(t, ends[j]) - starts[j])


def _elapsed_micros(compiled: CompiledCalendar, a: Any, b: Any) -> Any:
    """``elapsed`` in microseconds for each pair of ``a`` and ``b`` (int64 arrays)."""
    np = _numpy()
    if len(a) == 0:
        return np.zeros(0, np.int64)
    table = compiled.table_covering(int(min(a.min(), b.min())), int(max(a.max(), b.max())))
    starts, ends, cums = _arrays(table)
    return _cum_many(starts, ends, cums, b) - _cum_many(starts, ends, cums, a)


_END = to_micros(MAX_INSTANT)  # the first instant past the supported range


def _add_micros(compiled: CompiledCalendar, s: Any, d: Any) -> Any:
    """``add_micros`` for each pair of ``s`` and ``d`` (int64 arrays)."""
    np = _numpy()
    out = s.copy()
    if len(s) == 0:
        return out
    moving = d != 0
    if not moving.any():
        return out
    compiled.check_can_add(timedelta(microseconds=int(d[moving][0])))
    table = compiled.table_covering(int(s.min()), int(s.max()))
    starts, ends, cums = _arrays(table)
    cum_ends = cums + (ends - starts)
    target = _cum_many(starts, ends, cums, s) + d
    count = len(starts)
    found = np.zeros(len(s), bool)
    forward = d > 0
    backward = d < 0
    if count and forward.any():
        i = np.searchsorted(cum_ends, target, "left")
        j = np.minimum(i, count - 1)
        t = starts[j] + target - cums[j]
        ok = forward & (i < count) & (t <= table.hi) & (t < _END)  # the end is out of range
        out[ok] = t[ok]
        found |= ok
    if count and backward.any():
        k = np.searchsorted(cums, target, "right") - 1
        j = np.maximum(k, 0)
        t = starts[j] + target - cums[j]
        ok = backward & (k >= 0) & (t >= table.lo)
        out[ok] = t[ok]
        found |= ok
    for index in np.flatnonzero(moving & ~found):  # beyond the table: the general path
        out[index] = compiled.add_micros(int(s[index]), int(d[index]))
    return out


def add_many(compiled: CompiledCalendar, starts: Any, durations: Any) -> Any:
    """``add`` for each instant of ``starts`` and duration of ``durations`` (see the module).

    >>> from datetime import datetime, timezone
    >>> from slaclock import Calendar
    >>> cal = Calendar.weekdays("UTC")  # Mon-Fri 09:00-17:00
    >>> add_many(cal.compiled, [datetime(2025, 3, 7, 16, tzinfo=timezone.utc)], ["90m"])
    [datetime.datetime(2025, 3, 10, 9, 30, tzinfo=datetime.timezone.utc)]
    """
    micros, how = _instants(starts, "starts")
    _same_index(starts, durations, "durations")
    amounts = _durations(durations, len(micros), "durations")
    return _instants_out(_add_micros(compiled, micros, amounts), how)


def elapsed_many(compiled: CompiledCalendar, starts: Any, ends: Any) -> Any:
    """``elapsed`` for each pair of ``starts`` and ``ends`` (see the module).

    >>> import numpy as np
    >>> from slaclock import Calendar
    >>> cal = Calendar.weekdays("UTC")  # Fri 16:00 -> Mon 10:00: 1h on Friday + 1h on Monday
    >>> elapsed_many(cal.compiled, np.array(["2025-03-07T16:00"], "datetime64[us]"),
    ...              np.array(["2025-03-10T10:00"], "datetime64[us]"))
    array([7200000000], dtype='timedelta64[us]')
    """
    a, how = _instants(starts, "starts")
    b, _ = _instants(ends, "ends")
    _same_index(starts, ends, "ends")
    if len(a) != len(b):
        raise ArgumentError(f"ends: {len(b)} instants for {len(a)} starts - expected as many")
    return _durations_out(_elapsed_micros(compiled, a, b), how)
