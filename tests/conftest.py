"""Shared test configuration: Hypothesis profiles.

SLACLOCK_HYPOTHESIS_PROFILE=ci (set by scripts/test.sh under CI): derandomized, so CI runs are
repeatable and bounded in time; "dev" (default): random; "stress": many more examples.
"""

from __future__ import annotations

import os

from hypothesis import HealthCheck, settings

settings.register_profile(
    "ci",
    derandomize=True,
    max_examples=150,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
    print_blob=True,
)
settings.register_profile(
    "dev",
    max_examples=100,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)
# A long hunt for counterexamples: SLACLOCK_HYPOTHESIS_PROFILE=stress scripts/test.sh -k properties
settings.register_profile("stress", parent=settings.get_profile("dev"), max_examples=3000)
settings.load_profile(os.environ.get("SLACLOCK_HYPOTHESIS_PROFILE", "dev"))
