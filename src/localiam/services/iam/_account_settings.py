"""Account settings: SetSecurityTokenServicePreferences
(https://docs.aws.amazon.com/IAM/latest/APIReference/API_SetSecurityTokenServicePreferences.html).

The preference chooses which session tokens STS's global endpoint issues: `v1Token`, valid only
in the Regions enabled by default (AWS's default, and the version GetAccountSummary reports as
GlobalEndpointTokenVersion 1), or `v2Token`, valid in every Region. The `accounts` table has no
column for it yet, so only `v1Token`, the account's present and only setting, is accepted;
`v2Token` answers `NotImplemented` rather than claiming a change that would not be kept.
"""

from __future__ import annotations

from typing import Any

from localiam.protocol import ServiceError
from localiam.services.iam._context import Handler, IamContext

#: The version every account has (localiam cannot store another yet).
CURRENT_TOKEN_VERSION = "v1Token"


def set_security_token_service_preferences(
    ctx: IamContext, params: dict[str, Any]
) -> dict[str, Any]:
    version = params["GlobalEndpointTokenVersion"]
    if version != CURRENT_TOKEN_VERSION:
        raise ServiceError(
            "NotImplemented",
            f"localiam cannot store the global endpoint token version {version} yet: every "
            f"account uses {CURRENT_TOKEN_VERSION}.",
            501,
            sender=False,
        )
    return {}


HANDLERS: dict[str, Handler] = {
    "SetSecurityTokenServicePreferences": set_security_token_service_preferences,
}
