"""Identifiers and ARNs of AWS Organizations, in AWS's shapes
(https://docs.aws.amazon.com/organizations/latest/APIReference/API_Organization.html and the
pages of Root, OrganizationalUnit, Account and Policy; "Resource types defined by AWS
Organizations" in the Service Authorization Reference).

- organization `o-` + 10 lowercase letters or digits; root `r-` + 4; OU `ou-<root suffix>-` + 8;
  policy `p-` + 8; CreateAccount request `car-` + 32.
- `arn:aws:organizations::<management>:organization/<org>`, `.../root/<org>/<root>`,
  `.../ou/<org>/<ou>`, `.../account/<org>/<account>`,
  `.../policy/<org>/<type in lowercase>/<policy>`; AWS's own policies are
  `arn:aws:organizations::aws:policy/<type in lowercase>/<policy>`.
"""

from __future__ import annotations

import random
import re
from dataclasses import dataclass
from types import MappingProxyType
from typing import Final

_LOWER_ALNUM = "abcdefghijklmnopqrstuvwxyz0123456789"

SCP: Final = "SERVICE_CONTROL_POLICY"
RCP: Final = "RESOURCE_CONTROL_POLICY"

#: AWS's own policies, one per authorization policy type, attached wherever the type is enabled.
FULL_ACCESS: Final = MappingProxyType({SCP: "p-FullAWSAccess", RCP: "p-RCPFullAWSAccess"})

ORG_ID = re.compile(r"o-[a-z0-9]{10,32}")
ROOT_ID = re.compile(r"r-[0-9a-z]{4,32}")
OU_ID = re.compile(r"ou-[0-9a-z]{4,32}-[a-z0-9]{8,32}")
ACCOUNT_ID = re.compile(r"\d{12}")
POLICY_ID = re.compile(r"p-[0-9a-zA-Z_]{8,128}")


def policy_arn(management: str, org_id: str, policy_type: str, policy_id: str) -> str:
    """A policy's ARN; AWS's own policies (`FULL_ACCESS`) have the account `aws` and no org."""
    kind = policy_type.lower()
    if policy_id in FULL_ACCESS.values():
        return f"arn:aws:organizations::aws:policy/{kind}/{policy_id}"
    return f"arn:aws:organizations::{management}:policy/{org_id}/{kind}/{policy_id}"


def organization_arn(management: str, org_id: str) -> str:
    return f"arn:aws:organizations::{management}:organization/{org_id}"


def root_arn(management: str, org_id: str, root_id: str) -> str:
    return f"arn:aws:organizations::{management}:root/{org_id}/{root_id}"


def ou_arn(management: str, org_id: str, ou_id: str) -> str:
    return f"arn:aws:organizations::{management}:ou/{org_id}/{ou_id}"


def account_arn(management: str, org_id: str, account_id: str) -> str:
    return f"arn:aws:organizations::{management}:account/{org_id}/{account_id}"


def target_arn(management: str, org_id: str, target_id: str) -> str:
    """The ARN of a policy target: a root, an OU or an account."""
    if target_id.startswith("r-"):
        return root_arn(management, org_id, target_id)
    if target_id.startswith("ou-"):
        return ou_arn(management, org_id, target_id)
    return account_arn(management, org_id, target_id)


@dataclass(frozen=True, slots=True)
class OrgIds:
    """Makes new Organizations identifiers from a source of randomness (seed it in tests)."""

    source: random.Random

    def _chars(self, count: int) -> str:
        return "".join(self.source.choice(_LOWER_ALNUM) for _ in range(count))

    def organization(self) -> str:
        return "o-" + self._chars(10)

    def root(self) -> str:
        return "r-" + self._chars(4)

    def ou(self, root_id: str) -> str:
        return f"ou-{root_id.removeprefix('r-')}-{self._chars(8)}"

    def policy(self) -> str:
        return "p-" + self._chars(8)

    def create_account_request(self) -> str:
        return "car-" + "".join(self.source.choice("0123456789abcdef") for _ in range(32))

    def account(self) -> str:
        """A new 12-digit account id (the caller checks that it is not taken)."""
        return str(self.source.randrange(10**11, 10**12)).zfill(12)
