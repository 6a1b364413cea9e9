"""Amazon SNS through the gateway: the query-protocol request decoded from the botocore model,
the action and topic AWS authorizes it on, the topic's access policy, and SNS's error documents.

- Actions: `sns:<Operation>` (every SNS operation has an action of its name in the Service
  Authorization Reference) except PublishBatch, which has none and is authorized as
  `sns:Publish` (https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazonsns.html).
- Resources: the topic, `arn:aws:sns:<region>:<account>:<name>`, from `TopicArn`, from
  `ResourceArn` (tagging) or from a subscription ARN (`<topic ARN>:<id>`); CreateTopic names the
  topic it creates in the caller's account; Publish to a platform endpoint or a phone number is
  authorized on the endpoint's ARN or the number, as AWS's messages show; actions without a
  resource type (ListTopics, platform applications, SMS settings) on `*`.
- Condition keys: aws:RequestTag/<key> and aws:TagKeys (CreateTopic, TagResource),
  aws:TagKeys (UntagResource), sns:Endpoint and sns:Protocol (Subscribe),
  aws:ResourceTag/<key> from the topic's tags.
- The topic's access policy (its `Policy` attribute) is its resource-based policy; a policy set
  with CreateTopic or SetTopicAttributes is parsed as AWS parses it first (InvalidParameter).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any, Protocol

from localiam.auth import HttpRequestView
from localiam.authz import Decision
from localiam.catalog import Catalog
from localiam.gateway._input import validation_style
from localiam.gateway._model import Check, Forward, GatewayRequest, Mapped, Unmappable
from localiam.policy import MalformedPolicyDocument, PolicyKind, parse_policy
from localiam.protocol import (
    ServiceError,
    decode_query,
    encode_query_error,
    form_parameters,
    load_service_model,
)

#: Operations authorized with an action of another name (the SAR has no sns:PublishBatch).
_ACTIONS: Mapping[str, str] = {"PublishBatch": "Publish"}

#: Operations on a subscription, named by its ARN (`<topic ARN>:<subscription id>`).
_SUBSCRIPTION_OPERATIONS = frozenset(
    {"Unsubscribe", "GetSubscriptionAttributes", "SetSubscriptionAttributes"}
)


class TopicState(Protocol):
    """What authorization reads about an existing topic (see `_moto_sns.MotoTopics`)."""

    def policy(self, topic_arn: str) -> str | None:
        """The topic's access policy, None when no such topic exists."""

    def tags(self, topic_arn: str) -> dict[str, str]:
        """The topic's tags (none when no such topic exists)."""


def query_form(view: HttpRequestView) -> dict[str, str]:
    """A query-protocol request's parameters (query string, then form body)."""
    return form_parameters(view.query_string, view.headers.get("content-type"), view.body)


def forward_query(request: GatewayRequest, host: str) -> Forward:
    """The request as moto takes it: unchanged, addressed to `host`."""
    view = request.view
    kept = [(k, v) for k, v in view.headers.items() if k.lower() != "host"]
    return Forward(view.method.upper(), "/", view.query_string, (*kept, ("host", host)), view.body)


def topic_of_subscription(subscription_arn: str) -> str:
    """The topic a subscription ARN belongs to (its ARN without the subscription id)."""
    head, _, _ = subscription_arn.rpartition(":")
    return head if head.count(":") >= 5 else subscription_arn


def _account_of(arn: str) -> str | None:
    parts = arn.split(":")
    return parts[4] if len(parts) >= 6 and parts[0] == "arn" and parts[4] else None


def _request_tags(tags: list[Mapping[str, str]]) -> dict[str, object]:
    listed = [t for t in tags if "Key" in t]
    context: dict[str, object] = {f"aws:RequestTag/{t['Key']}": t.get("Value", "") for t in listed}
    context["aws:TagKeys"] = [t["Key"] for t in listed]
    return context


class SNS:
    """The SNS adapter (see `_service.Adapter`); `topics` reads existing topics' policies and
    tags."""

    service = "sns"

    def __init__(self, catalog: Catalog, topics: TopicState | None = None) -> None:
        if topics is None:
            from localiam.gateway._moto_sns import MotoTopics

            topics = MotoTopics()
        self._catalog = catalog
        self._topics = topics
        self._model = load_service_model("sns")

    def resource_policy(self, policy_resource: str) -> str | None:
        return self._topics.policy(policy_resource)

    def validate(self, mapped: Mapped) -> tuple[str, str] | None:
        """A topic policy is parsed as AWS parses it before SNS stores it."""
        if mapped.operation not in ("CreateTopic", "SetTopicAttributes"):
            return None
        view = HttpRequestView("POST", "/", mapped.forward.query_string, (), mapped.forward.body)
        _, params = decode_query(self._model, query_form(view))
        if mapped.operation == "CreateTopic":
            text = (params.get("Attributes") or {}).get("Policy")
        elif params.get("AttributeName") == "Policy":
            text = params.get("AttributeValue")
        else:
            text = None
        return None if text is None else _policy_problem(text)

    def denied(self, decision: Decision, same_account: bool) -> tuple[str, str, int]:
        # SNS spells its service prefix in capitals in these sentences
        # ("is not authorized to perform: SNS:Publish on resource: ...").
        action = decision.action
        shown = "SNS:" + action.split(":", 1)[1]
        return "AuthorizationError", decision.message.replace(action, shown), 403

    def status(self, code: str, status: int) -> int:
        return status

    def error(
        self, code: str, message: str, status: int, request_id: str
    ) -> tuple[tuple[tuple[str, str], ...], bytes]:
        error = ServiceError(code, message, status, sender=status < 500)
        _, body = encode_query_error(self._model, error, request_id)
        return (("content-type", "text/xml"), ("x-amzn-requestid", request_id)), body

    def map(self, request: GatewayRequest) -> Mapped:
        operation, params = decode_query(self._model, query_form(request.view))
        validation_style(operation, params)
        name = str(operation.name)
        info = self._catalog.action(f"sns:{_ACTIONS.get(name, name)}")
        if info is None:
            raise Unmappable(f"localiam does not know which IAM action SNS's {name} needs.")
        caller = request.caller_account or ""
        resource, context = self._resource(name, params, request.region, caller)
        if not info.resource_types:
            resource = "*"
        owner = _account_of(resource) or caller
        policy_resource = None
        if resource.startswith("arn:") and name != "CreateTopic":
            topic = (
                topic_of_subscription(resource) if name in _SUBSCRIPTION_OPERATIONS else resource
            )
            for key, value in self._topics.tags(topic).items():
                context[f"aws:ResourceTag/{key}"] = value
            policy_resource = topic
        check = Check(info.name, resource, context, owner, policy_resource)
        backend = caller if name == "CreateTopic" or resource == "*" else owner
        host = f"sns.{request.region}.amazonaws.com"
        return Mapped("sns", name, (check,), backend, forward_query(request, host))

    def _resource(
        self, operation: str, params: Mapping[str, Any], region: str, caller: str
    ) -> tuple[str, dict[str, object]]:
        """The resource an operation acts on and the request's own condition keys."""
        context: dict[str, object] = {}
        if operation == "CreateTopic":
            context.update(_request_tags(params.get("Tags") or []))
            return f"arn:aws:sns:{region}:{caller}:{params.get('Name', '')}", context
        if operation == "TagResource":
            context.update(_request_tags(params.get("Tags") or []))
        elif operation == "UntagResource":
            context["aws:TagKeys"] = list(params.get("TagKeys") or [])
        elif operation == "Subscribe":
            for key in ("Protocol", "Endpoint"):
                if key in params:
                    context[f"sns:{key}"] = params[key]
        for member in ("TopicArn", "ResourceArn", "TargetArn", "PhoneNumber"):
            if params.get(member):
                return str(params[member]), context
        if params.get("SubscriptionArn"):
            return topic_of_subscription(str(params["SubscriptionArn"])), context
        return "*", context


def _policy_problem(text: str) -> tuple[str, str] | None:
    """SNS's InvalidParameter for a topic policy the policy language refuses, else None (for
    text that is no JSON object SNS says only "null")."""
    try:
        if not isinstance(json.loads(text), dict):
            raise ValueError("not a JSON object")
        parse_policy(text, PolicyKind.RESOURCE)
    except MalformedPolicyDocument as exc:
        return "InvalidParameter", f"Invalid parameter: Policy Error: {exc.message}"
    except ValueError:
        return "InvalidParameter", "Invalid parameter: Policy Error: null"
    return None
