"""The base of slaclock's public input models (calendars, policies and their parts, timelines and
events): frozen, strict about keys, re-validated on copy."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from functools import cached_property
from typing import Any, TypeVar

from pydantic import BaseModel, ConfigDict
from typing_extensions import Self

__all__ = ["ValueModel"]

_T = TypeVar("_T")


class ValueModel(BaseModel):
    """A frozen pydantic model whose ``model_copy(update=...)`` validates the changed copy.

    Models built on it cache derived forms (a calendar's compiled tables, a policy's compiled
    rules, a timeline's instants) on the instance, each declared on the model that owns it (a
    ``cached_property``, or :meth:`derived` for forms another module builds); pydantic's own
    ``model_copy`` would carry those caches into a changed copy. Re-validating makes the copy a
    fresh, checked value instead.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    @cached_property
    def _derived_forms(self) -> dict[str, Any]:
        # Not a field: never validated, dumped or compared (pydantic compares fields only).
        return {}

    def derived(self, name: str, build: Callable[[Self], _T]) -> _T:
        """The form of this value called ``name``, built by ``build(self)`` on first use and kept
        on the value (it is immutable, so the form never goes stale).

        Used by the modules that compile a value for their own use (the engine's rules and
        targets of a policy): the cache lives on the value it derives from.

        >>> from slaclock import Calendar
        >>> cal = Calendar.weekdays("UTC")
        >>> cal.derived("open_days", lambda c: sorted(c.hours))
        ['fri', 'mon', 'thu', 'tue', 'wed']
        >>> cal.derived("open_days", lambda c: []) is cal.derived("open_days", list)
        True
        """
        forms = self._derived_forms
        found = forms.get(name)
        if found is None:
            found = forms[name] = build(self)
        return found

    def model_copy(self, *, update: Mapping[str, Any] | None = None, deep: bool = False) -> Self:
        """A changed copy, validated again (what-if edits never mutate the original).

        >>> from slaclock import Calendar
        >>> cal = Calendar.weekdays("UTC")
        >>> cal.model_copy(update={"hours": {"mon-sat": "08:00-18:00"}}).hours["sat"]
        (('08:00', '18:00'),)
        >>> cal.hours["sat"]
        Traceback (most recent call last):
        ...
        KeyError: 'sat'
        """
        # The field values as they are (not a dump: a target dumps as its text): validation
        # accepts its own output, and nested models (already valid) are taken as they are.
        data = {name: getattr(self, name) for name in type(self).model_fields}
        data.update(update or {})
        return type(self).model_validate(data)
