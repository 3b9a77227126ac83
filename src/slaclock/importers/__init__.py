"""Importers: helpdesk exports -> slaclock timelines.

One module per source, each with a pure ``to_timelines(export, options=None)`` taking the
export as plain data (what the vendor's API returns, parsed from JSON) and its documented
default tables ``STATUSES``, ``PRIORITIES`` and ``ATTRIBUTES``:

- :mod:`slaclock.importers.zendesk`: Ticket Audits API
- :mod:`slaclock.importers.jira`: Jira Service Management issues with ``expand=changelog``
- :mod:`slaclock.importers.zammad`: ticket, articles and history
- :mod:`slaclock.importers.servicenow`: incident, ``sys_audit`` and ``sys_journal_field`` rows
- :mod:`slaclock.importers.freshdesk`: ticket, conversations and activities

The shared rules (status mapping, unmapped values, ids, attributes) are in
:mod:`slaclock.importers.common`; the how-to is ``docs/how-to/importing.md``.

>>> sorted(SOURCES)
['freshdesk', 'jira', 'servicenow', 'zammad', 'zendesk']
>>> SOURCES["zendesk"].STATUSES["hold"]
'on_hold'
"""

from __future__ import annotations

from collections.abc import Mapping
from types import ModuleType

from slaclock.importers import freshdesk, jira, servicenow, zammad, zendesk
from slaclock.importers.common import (
    ExportFormatError,
    ImportOptions,
    Unmapped,
    UnmappedValueError,
    UnmappedValuesWarning,
)

__all__ = [
    "SOURCES",
    "ExportFormatError",
    "ImportOptions",
    "Unmapped",
    "UnmappedValueError",
    "UnmappedValuesWarning",
]

#: The importer module of each source name (the names ``slaclock import`` accepts).
SOURCES: Mapping[str, ModuleType] = {
    "zendesk": zendesk,
    "jira": jira,
    "zammad": zammad,
    "servicenow": servicenow,
    "freshdesk": freshdesk,
}
