"""What the columnar path and its Spark and Dask adapters share: the policy argument checked
(:func:`as_policy`), and shipped to workers as its JSON form.

A worker validates the JSON once per process (memoised), so the compiled rules and calendar
tables it builds are reused by every group it evaluates.

>>> from slaclock.synthetic import DEFAULT_POLICY
>>> policy_from_json(policy_to_json(DEFAULT_POLICY)) == DEFAULT_POLICY
True
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from functools import lru_cache
from typing import Any

from slaclock.errors import ArgumentError
from slaclock.policy import Policy, PolicySet

__all__ = ["as_policy", "policy_from_json", "policy_to_json"]


def as_policy(value: Any) -> Policy | PolicySet:
    """The ``policy`` argument as a model: a Policy or PolicySet as it is, plain data (a mapping,
    a set if it has ``policies``) validated as :func:`slaclock.evaluate` does; anything else is an
    :class:`~slaclock.errors.ArgumentError`.

    >>> as_policy({"name": "24x7", "metrics": {"resolution": {"targets": {"normal": "8h"}}}}).name
    '24x7'
    >>> as_policy("policy.yaml")
    Traceback (most recent call last):
    ...
    slaclock.errors.ArgumentError: policy: 'policy.yaml' - expected a Policy, a PolicySet or its data (a mapping); read a file with slaclock.files.load_policy
    """
    if isinstance(value, Policy | PolicySet):
        return value
    if isinstance(value, Mapping):
        return (PolicySet if "policies" in value else Policy).model_validate(value)
    raise ArgumentError(
        f"policy: {value!r} - expected a Policy, a PolicySet or its data (a mapping); read a "
        "file with slaclock.files.load_policy",
        value=value,
    )


def policy_to_json(policy: Policy | PolicySet) -> str:
    """The policy (or policy set) as JSON text, to send to workers."""
    return policy.model_dump_json()


@lru_cache(maxsize=16)
def policy_from_json(text: str) -> Policy | PolicySet:
    """The policy (or set: JSON with a ``policies`` key) of :func:`policy_to_json`, validated
    once per process."""
    data = json.loads(text)
    return (PolicySet if "policies" in data else Policy).model_validate(data)
