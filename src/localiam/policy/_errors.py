"""Errors of the policy language: every finding carries the place it was found."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class PolicyFinding:
    """One problem in a policy document: where it is and AWS's wording for it."""

    location: str
    message: str

    def __str__(self) -> str:
        return f"{self.location}: {self.message}" if self.location else self.message


class MalformedPolicyDocument(ValueError):
    """A policy document that AWS would refuse with `MalformedPolicyDocument`.

    `findings` holds every problem found, each with its location such as
    `Statement[1].Condition.StringLike`; `message` is the first finding's AWS wording, which is
    what IAM answers with.
    """

    def __init__(self, findings: list[PolicyFinding] | tuple[PolicyFinding, ...]) -> None:
        self.findings: tuple[PolicyFinding, ...] = tuple(findings)
        super().__init__("; ".join(str(f) for f in self.findings))

    @property
    def message(self) -> str:
        return self.findings[0].message if self.findings else "Syntax errors in policy."

    def prefixed(self, place: str) -> MalformedPolicyDocument:
        """The same findings, located inside `place` (for example `identityPolicies[2]`)."""
        return MalformedPolicyDocument(
            [
                PolicyFinding(f"{place}.{f.location}" if f.location else place, f.message)
                for f in self.findings
            ]
        )
