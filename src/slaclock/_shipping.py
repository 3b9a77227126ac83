"""What the Spark and Dask adapters share: the policy shipped to workers as its JSON form.

A worker validates the JSON once per process (memoised), so the compiled rules and calendar
tables it builds are reused by every group it evaluates.

>>> from slaclock.synthetic import DEFAULT_POLICY
>>> policy_from_json(policy_to_json(DEFAULT_POLICY)) == DEFAULT_POLICY
True
"""

from __future__ import annotations

import json
from functools import lru_cache

from slaclock.policy import Policy, PolicySet, as_policy

__all__ = ["policy_from_json", "policy_to_json"]


def policy_to_json(policy: Policy | PolicySet) -> str:
    """The policy (or policy set) as JSON text, to send to workers (checked here, on the
    driver: a wrong argument fails before any job starts)."""
    return as_policy(policy).model_dump_json()


@lru_cache(maxsize=16)
def policy_from_json(text: str) -> Policy | PolicySet:
    """The policy (or set: JSON with a ``policies`` key) of :func:`policy_to_json`, validated
    once per process."""
    return as_policy(json.loads(text))
