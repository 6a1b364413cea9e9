"""The decision: requests, indexed policy sets, the evaluation flow and explained decisions.

Pure: no I/O, no clock, no globals.
"""

from localiam.authz._decision import Decision, DecisionKind, MatchedStatement, PolicyType
from localiam.authz._evaluate import evaluate
from localiam.authz._policies import AuthorizationPolicies
from localiam.authz._policyset import Entry, PolicySet
from localiam.authz._request import Request, resource_account_of
from localiam.authz._trace import Trace, TraceEvent

__all__ = [
    "AuthorizationPolicies",
    "Decision",
    "DecisionKind",
    "Entry",
    "MatchedStatement",
    "PolicySet",
    "PolicyType",
    "Request",
    "Trace",
    "TraceEvent",
    "evaluate",
    "resource_account_of",
]
