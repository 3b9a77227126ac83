"""``slaclock validate``: check a policy file (and with ``--events``, an events file against it).

>>> import json, pathlib, tempfile
>>> from slaclock.cli import main
>>> path = pathlib.Path(tempfile.mkdtemp()) / "policy.json"
>>> policy = {"name": "support", "calendar": {"timezone": "UTC", "hours": {"mon-fri": "09:00-17:00"}},
...           "metrics": {"first_response": {"targets": {"high": "4h"}}}}
>>> _ = path.write_text(json.dumps(policy))
>>> main(["validate", str(path)])  # doctest: +ELLIPSIS
/.../policy.json: valid (1 policy: support)
...0
"""

from __future__ import annotations

import argparse
from typing import IO

from slaclock.files import load_policy, policy_notes
from slaclock.policy import Policy, PolicySet

__all__ = ["validate"]


def validate(args: argparse.Namespace, out: IO[str], err: IO[str]) -> int:
    """Run ``slaclock validate`` with the parsed ``args``: 0 when valid (errors raise).

    >>> from slaclock.cli import main
    >>> main(["validate", "--help"])  # doctest: +ELLIPSIS
    usage: slaclock validate [-h] ...
    ...
    0
    """
    policy: Policy | PolicySet = load_policy(args.policy)
    names = [p.name for p in (policy.policies if isinstance(policy, PolicySet) else (policy,))]
    print(
        f"{args.policy}: valid ({len(names)} polic{'y' if len(names) == 1 else 'ies'}: {', '.join(names)})",
        file=out,
    )
    for note in policy_notes(policy):
        print(f"note: {note}", file=out)
    if args.events is not None:
        from slaclock.commands.validate_events import report_events

        return report_events(policy, args.events, args.known_status, out)
    return 0
