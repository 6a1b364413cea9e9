"""Account settings: SetSecurityTokenServicePreferences
(https://docs.aws.amazon.com/IAM/latest/APIReference/API_SetSecurityTokenServicePreferences.html).

The preference chooses which session tokens STS's global endpoint issues: `v1Token`, valid only
in the Regions enabled by default (AWS's default), or `v2Token`, valid in every Region. The
account keeps it; GetAccountSummary reports it as GlobalEndpointTokenVersion 1 or 2.
"""

from __future__ import annotations

from typing import Any

from localiam.services.iam._account import account_row
from localiam.services.iam._context import Handler, IamContext


def set_security_token_service_preferences(
    ctx: IamContext, params: dict[str, Any]
) -> dict[str, Any]:
    # The model's enum (`v1Token`, `v2Token`) is checked before the handler runs.
    account_row(ctx).sts_global_endpoint_token_version = params["GlobalEndpointTokenVersion"]
    return {}


HANDLERS: dict[str, Handler] = {
    "SetSecurityTokenServicePreferences": set_security_token_service_preferences,
}
