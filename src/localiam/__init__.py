"""localiam: AWS Identity and Access Management on your own machine, faithful to AWS.

The public API in one place::

    from localiam import PolicyKind, parse_policy, Request, AuthorizationPolicies, evaluate

    policy = parse_policy(document, PolicyKind.IDENTITY)
    policies = AuthorizationPolicies.build(identity=[("my-policy", policy)])
    decision = evaluate(Request.build("arn:aws:iam::111122223333:user/alice",
                                      "s3:GetObject", "arn:aws:s3:::bucket/key"), policies)
    decision.decision, decision.blocked_by, decision.message
"""

from localiam.authz import (
    AuthorizationPolicies,
    Decision,
    DecisionKind,
    MatchedStatement,
    Request,
    evaluate,
)
from localiam.policy import MalformedPolicyDocument, PolicyDocument, PolicyKind, parse_policy

__all__ = [
    "AuthorizationPolicies",
    "Decision",
    "DecisionKind",
    "MalformedPolicyDocument",
    "MatchedStatement",
    "PolicyDocument",
    "PolicyKind",
    "Request",
    "evaluate",
    "parse_policy",
]
