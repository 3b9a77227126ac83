"""slaclock: exact, fast, deterministic SLA clocks for support tickets.

>>> from datetime import datetime
>>> from zoneinfo import ZoneInfo
>>> from slaclock import Calendar
>>> cal = Calendar.weekdays("Europe/Berlin", "09:00", "17:00")
>>> cal.add(datetime(2025, 3, 7, 16, 30, tzinfo=ZoneInfo("Europe/Berlin")), "1h")
datetime.datetime(2025, 3, 10, 9, 30, tzinfo=zoneinfo.ZoneInfo(key='Europe/Berlin'))
"""

from slaclock.alerts import Alert, alerts
from slaclock.build_info import compiled_modules
from slaclock.calendar import ALWAYS_OPEN, Calendar, CountryHolidays
from slaclock.conventions import Conventions, Precision
from slaclock.durations import format_duration, parse_duration
from slaclock.engine import evaluate
from slaclock.errors import (
    ArgumentError,
    CalendarNeverOpenError,
    ClockStateError,
    DayTargetWarning,
    DurationSyntaxError,
    NaiveDatetimeError,
    OutOfRangeError,
    PolicyError,
    ReportOptionError,
    SlaclockError,
    SlaclockWarning,
    SubdivisionWarning,
    TimelineError,
    TimelineWarning,
)
from slaclock.frame import evaluate_frame
from slaclock.full_history import FullHistoryClock
from slaclock.policy import (
    Condition,
    DaysTarget,
    DurationTarget,
    MetricDefinition,
    MetricPolicy,
    Policy,
    PolicySet,
    Target,
    Threshold,
    TicketCondition,
)
from slaclock.results import CycleResult, MetricResult, Span, ThresholdResult, TicketResult
from slaclock.streaming import Deadline, HistoryNeededError, TicketClock
from slaclock.timeline import Event, Timeline

__version__ = "0.1.0"

__all__ = [
    "ArgumentError",
    "ALWAYS_OPEN",
    "Alert",
    "alerts",
    "Calendar",
    "CalendarNeverOpenError",
    "ClockStateError",
    "FullHistoryClock",
    "HistoryNeededError",
    "Condition",
    "CycleResult",
    "Deadline",
    "Event",
    "MetricDefinition",
    "MetricPolicy",
    "MetricResult",
    "Policy",
    "PolicySet",
    "Span",
    "Target",
    "ThresholdResult",
    "TicketClock",
    "TicketCondition",
    "TicketResult",
    "Threshold",
    "Timeline",
    "evaluate",
    "evaluate_frame",
    "CountryHolidays",
    "DaysTarget",
    "DurationTarget",
    "DurationSyntaxError",
    "NaiveDatetimeError",
    "OutOfRangeError",
    "PolicyError",
    "ReportOptionError",
    "SlaclockError",
    "SlaclockWarning",
    "SubdivisionWarning",
    "TimelineError",
    "Conventions",
    "DayTargetWarning",
    "Precision",
    "TimelineWarning",
    "__version__",
    "format_duration",
    "parse_duration",
    "compiled_modules",
]
