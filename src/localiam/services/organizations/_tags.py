"""Tags on the organization's accounts, OUs, roots and policies: TagResource, UntagResource,
ListTagsForResource, and the tag condition keys (at most 50 tags a resource,
https://docs.aws.amazon.com/organizations/latest/APIReference/API_TagResource.html)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from localiam.services._context import tag_context
from localiam.services._tags import tags_of
from localiam.services.organizations._call import OrgCall, Spec, page
from localiam.services.organizations._errors import constraint, invalid_input, target_not_found
from localiam.services.organizations._names import FULL_ACCESS
from localiam.services.organizations._targets import arn_of_target, policy_type_of, target_exists
from localiam.store import select
from localiam.store.models import Tag

MAX_TAGS = 50


def request_tag_keys(call: OrgCall) -> dict[str, object]:
    """aws:RequestTag/<key> and aws:TagKeys for the `Tags` of a request."""
    return tag_context(call.params.get("Tags"))


def put_tags(call: OrgCall, arn: str, account_id: str, tags: list[Mapping[str, str]]) -> None:
    """Add or overwrite tags (keys compared exactly), keeping the 50-tag quota."""
    keys = [t["Key"] for t in tags]
    if len(set(keys)) != len(keys):
        raise invalid_input(
            "DUPLICATE_TAG_KEY",
            "Tag keys must be unique among the tags attached to the same entity.",
        )
    current = {t.key: t for t in call.session.scalars(select(Tag).where(Tag.resource_arn == arn))}
    if len(set(current) | set(keys)) > MAX_TAGS:
        raise constraint(
            "MAX_TAG_LIMIT_EXCEEDED",
            "You have exceeded the number of tags allowed on this resource.",
        )
    position = max((t.position for t in current.values()), default=0)
    for tag in tags:
        row = current.get(tag["Key"])
        if row is not None:
            row.value = tag["Value"]
            continue
        position += 1
        call.session.add(
            Tag(
                account_id=account_id,
                resource_arn=arn,
                key=tag["Key"],
                value=tag["Value"],
                position=position,
            )
        )
    call.session.flush()


def resource_arn(call: OrgCall, resource_id: str) -> str:
    """The ARN of a taggable resource named by id: an account, OU, root or policy."""
    if resource_id.startswith("p-"):
        if resource_id in FULL_ACCESS.values():
            raise invalid_input(
                "IMMUTABLE_POLICY",
                "You specified a policy that is managed by AWS and can't be modified.",
            )
        policy = call.policy(resource_id)
        if policy is None:
            raise target_not_found()
        return policy.arn
    if not target_exists(call, resource_id):
        raise target_not_found()
    return arn_of_target(call, resource_id)


def _resource(call: OrgCall) -> list[str]:
    try:
        return [resource_arn(call, str(call.params["ResourceId"]))]
    except Exception:
        return ["*"]


def _policy_type_key(call: OrgCall) -> dict[str, object]:
    out: dict[str, object] = {}
    resource_id = str(call.params["ResourceId"])
    if resource_id.startswith("p-"):
        kind = policy_type_of(call, resource_id)
        if kind is not None:
            out["organizations:PolicyType"] = kind
    return out


def tag_resource(call: OrgCall) -> dict[str, Any]:
    arn = resource_arn(call, call.params["ResourceId"])
    put_tags(call, arn, call.management, call.params["Tags"])
    return {}


def untag_resource(call: OrgCall) -> dict[str, Any]:
    arn = resource_arn(call, call.params["ResourceId"])
    keys = set(call.params["TagKeys"])
    for row in call.session.scalars(select(Tag).where(Tag.resource_arn == arn)):
        if row.key in keys:
            call.session.delete(row)
    call.session.flush()
    return {}


def list_tags(call: OrgCall) -> dict[str, Any]:
    arn = resource_arn(call, call.params["ResourceId"])
    return page(tags_of(call.session, arn), call.params, lambda t: t, "Tags")


def _tag_context(call: OrgCall) -> dict[str, object]:
    return {**request_tag_keys(call), **_policy_type_key(call)}


def _untag_context(call: OrgCall) -> dict[str, object]:
    return {"aws:TagKeys": list(call.params["TagKeys"]), **_policy_type_key(call)}


HANDLERS: dict[str, Spec] = {
    "TagResource": Spec(tag_resource, _resource, _tag_context),
    "UntagResource": Spec(untag_resource, _resource, _untag_context),
    "ListTagsForResource": Spec(list_tags, _resource, _policy_type_key),
}
