"""The base of slaclock's public value models: frozen, strict about keys, re-validated on copy."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pydantic import BaseModel, ConfigDict
from typing_extensions import Self

__all__ = ["ValueModel"]


class ValueModel(BaseModel):
    """A frozen pydantic model whose ``model_copy(update=...)`` validates the changed copy.

    Models built on it cache derived forms (a calendar's compiled tables, a policy's compiled
    rules, a timeline's instants) on the instance; pydantic's own ``model_copy`` would carry those
    caches into a changed copy. Re-validating makes the copy a fresh, checked value instead.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

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
        data = self.model_dump()
        data.update(update or {})
        return type(self).model_validate(data)
