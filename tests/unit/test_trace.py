"""localiam.authz._trace: rendering the account of every statement considered."""

from __future__ import annotations

from localiam.authz import Trace, TraceEvent


def test_matched_event() -> None:
    e = TraceEvent("identity", "p", 1, "S1", "Allow", "matched", "")
    assert e.render() == "identity p Statement[1] (S1) Allow: matched"


def test_unmatched_event_shows_why() -> None:
    e = TraceEvent("scp", "scps[0][0]", 0, None, "Deny", "action", "Action ['s3:*'] vs ec2:Run")
    assert e.render() == "scp scps[0][0] Statement[0] Deny: no match — Action ['s3:*'] vs ec2:Run"


def test_trace_renders_events_then_notes() -> None:
    t = Trace()
    assert t.render() == ""
    t.events.append(TraceEvent("identity", "p", 0, None, "Allow", "matched", ""))
    t.notes.append("SCPs do not apply to this principal.")
    assert t.render().splitlines() == [
        "identity p Statement[0] Allow: matched",
        "SCPs do not apply to this principal.",
    ]
