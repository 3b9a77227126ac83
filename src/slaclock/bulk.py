"""Bulk calendar arithmetic: whole columns of instants and durations at once (numpy).

:meth:`Calendar.add_many <slaclock.Calendar.add_many>` and :meth:`Calendar.elapsed_many
<slaclock.Calendar.elapsed_many>` convert their inputs to int64 microseconds here, run the
calendar's formulas vectorised over its compiled table, and give the results back in the kind
of container they came in. Exact like the per-item methods (a property test holds them
together). Needs numpy (the ``[numpy]`` extra; pandas and pyarrow bring it too).

Instants may be a sequence of aware datetimes, a pandas Series or DatetimeIndex with a time
zone, or a numpy ``datetime64`` array (numpy's datetime64 counts from the UTC epoch: read as
UTC instants). Durations may be one ``timedelta`` or text such as ``"8h"`` (for every
instant), a sequence of them, or a numpy / pandas ``timedelta64`` column.
"""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING, Any

from slaclock._tz import check_aware, from_micros, timedelta_to_micros, to_micros
from slaclock.durations import parse_duration

if TYPE_CHECKING:
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
    if _is_pandas(values):
        tz = getattr(getattr(values, "dt", values), "tz", None)
        if tz is None:
            raise _naive(name)
        # A Series converts through .dt (its own tz_convert converts the index).
        utc = values.dt.tz_convert("UTC") if hasattr(values, "dt") else values.tz_convert("UTC")
        if utc.isna().any():
            raise ValueError(f"{name}: a missing instant (NaT) - expected every instant")
        micros = np.asarray(utc.astype("datetime64[us, UTC]").astype("int64"), np.int64)
        return micros, ("pandas", values, tz)
    if isinstance(values, np.ndarray):
        if values.dtype.kind != "M":
            raise TypeError(f"{name}: a numpy {values.dtype} array - expected datetime64")
        if np.isnat(values).any():
            raise ValueError(f"{name}: a missing instant (NaT) - expected every instant")
        return values.astype("datetime64[us]", copy=False).view(np.int64), ("numpy", None, None)
    items = list(values)
    micros = np.fromiter(
        (to_micros(check_aware(v, f"{name}[{i}]")) for i, v in enumerate(items)),
        np.int64,
        len(items),
    )
    return micros, ("list", items, None)


def _naive(name: str) -> Exception:
    from slaclock.errors import NaiveDatetimeError

    return NaiveDatetimeError(
        f"{name}: instants without a time zone - expected aware instants, e.g. "
        "series.dt.tz_localize('Europe/Berlin')",
        value=name,
    )


def _durations(values: Any, count: int, name: str) -> Any:
    np = _numpy()
    if isinstance(values, (timedelta, str)):
        one = parse_duration(values) if isinstance(values, str) else values
        return np.full(count, timedelta_to_micros(one), np.int64)
    if _is_pandas(values) or isinstance(values, np.ndarray):
        array = np.asarray(values)
        if array.dtype.kind != "m":
            raise TypeError(f"{name}: a {array.dtype} column - expected timedelta64 durations")
        if np.isnat(array).any():
            raise ValueError(f"{name}: a missing duration (NaT) - expected every duration")
        micros = array.astype("timedelta64[us]", copy=False).view(np.int64)
    else:
        micros = np.fromiter(
            (timedelta_to_micros(parse_duration(v) if isinstance(v, str) else v) for v in values),
            np.int64,
        )
    if len(micros) != count:
        raise ValueError(f"{name}: {len(micros)} durations for {count} instants - expected as many")
    return micros


def _instants_out(micros: Any, how: tuple[Any, Any, Any]) -> Any:
    kind, original, tz = how
    if kind == "numpy":
        return micros.view("datetime64[us]")
    if kind == "pandas":
        import pandas as pd  # type: ignore[import-untyped,unused-ignore]

        index = getattr(original, "index", None)
        stamps = pd.to_datetime(micros, unit="us", utc=True).tz_convert(tz)
        return pd.Series(stamps, index=index, name=original.name) if index is not None else stamps
    return [from_micros(int(m), item.tzinfo) for m, item in zip(micros, original)]


def _durations_out(micros: Any, how: tuple[Any, Any, Any]) -> Any:
    kind, original, _ = how
    if kind == "numpy":
        return micros.view("timedelta64[us]")
    if kind == "pandas":
        import pandas as pd  # type: ignore[import-untyped,unused-ignore]

        deltas = pd.to_timedelta(micros, unit="us")
        index = getattr(original, "index", None)
        return pd.Series(deltas, index=index, name=original.name) if index is not None else deltas
    return [timedelta(microseconds=int(m)) for m in micros]


def add_many(compiled: CompiledCalendar, starts: Any, durations: Any) -> Any:
    """``add`` for each instant of ``starts`` and duration of ``durations`` (see the module)."""
    micros, how = _instants(starts, "starts")
    amounts = _durations(durations, len(micros), "durations")
    return _instants_out(compiled.add_many_micros(micros, amounts), how)


def elapsed_many(compiled: CompiledCalendar, starts: Any, ends: Any) -> Any:
    """``elapsed`` for each pair of ``starts`` and ``ends`` (see the module)."""
    a, how = _instants(starts, "starts")
    b, _ = _instants(ends, "ends")
    if len(a) != len(b):
        raise ValueError(f"ends: {len(b)} instants for {len(a)} starts - expected as many")
    return _durations_out(compiled.elapsed_many_micros(a, b), how)
