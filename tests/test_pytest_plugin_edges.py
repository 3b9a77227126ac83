"""Edge cases of the pytest plugin's explanations: a failed comparison of ticket results says
what differs even when every metric is equal, and a cycle comparison names differing spans."""

from __future__ import annotations

import pytest

pytest_plugins = ["pytester"]


def test_ticket_results_differing_outside_their_metrics_say_what_differs(
    pytester: pytest.Pytester,
) -> None:
    """Two results with equal metrics but other attributes: the explanation names the field
    and both values (it used to read only 'ticket T-1 vs T-1:', hiding pytest's own diff)."""
    pytester.makepyfile(
        """
        def test_it(sla_ticket):
            billing = sla_ticket("2025-03-07T16:30:00-05:00", priority="high",
                                 attributes={"group": "billing"}).evaluate()
            tech = sla_ticket("2025-03-07T16:30:00-05:00", priority="high",
                              attributes={"group": "tech"}).evaluate()
            assert billing.metrics == tech.metrics
            assert billing == tech
        """
    )
    result = pytester.runpytest("-p", "no:cacheprovider")
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(
        ["*ticket T-1 vs T-1:*", "*attributes: {*'billing'*} != {*'tech'*}*"]
    )


def test_cycles_differing_only_in_spans_say_so(pytester: pytest.Pytester) -> None:
    """A cycle measured with explain=True against the same cycle without: the explanation says
    the spans differ (it used to list no field at all above the clock trace)."""
    pytester.makepyfile(
        """
        from slaclock import evaluate

        def test_it(sla_ticket, sla_policy):
            story = sla_ticket("2025-03-07T16:30:00-05:00", priority="high").agent_replies(after="1h")
            traced = story.evaluate().first_response.cycles[0]
            plain = evaluate(sla_policy, story.timeline()).first_response.cycles[0]
            assert traced == plain
        """
    )
    result = pytester.runpytest("-p", "no:cacheprovider")
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(["*first_response cycle 0 differs:*", "*spans: 2 != 0*"])
