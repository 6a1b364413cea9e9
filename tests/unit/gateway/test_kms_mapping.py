"""`KMS.map`: the actions, key ARNs, owning account and condition keys AWS authorizes each KMS
request with, from requests botocore itself serializes; keys named by id, ARN, alias name or
alias ARN; the key policy's validation; KMS's AccessDeniedException and error documents, read
back with botocore's parser
(https://docs.aws.amazon.com/kms/latest/developerguide/kms-api-permissions-reference.html,
https://docs.aws.amazon.com/kms/latest/developerguide/conditions-kms.html)."""

from __future__ import annotations

import functools
import json
from collections.abc import Mapping
from typing import Any
from urllib.parse import urlsplit

import botocore.parsers
import botocore.session
import pytest
from botocore import xform_name
from botocore.awsrequest import AWSPreparedRequest
from botocore.config import Config

from localiam.auth import HttpRequestView
from localiam.authz import Decision, DecisionKind, PolicyType
from localiam.catalog import Catalog
from localiam.gateway._kms import KMS
from localiam.gateway._model import GatewayRequest, Mapped, Unmappable
from localiam.gateway._moto_kms import KeyFacts
from localiam.protocol import ServiceError, load_service_model

ACCOUNT = "123456789012"
OTHER = "210987654321"
REGION = "us-east-1"
KEY_ID = "1234abcd-12ab-34cd-56ef-1234567890ab"
OTHER_ID = "0987dcba-09fe-87dc-65ba-ab0987654321"
THEIR_ID = "11112222-3333-4444-5555-666677778888"
ARN = f"arn:aws:kms:{REGION}:{ACCOUNT}:key/{KEY_ID}"
OTHER_ARN = f"arn:aws:kms:{REGION}:{ACCOUNT}:key/{OTHER_ID}"
THEIR_ARN = f"arn:aws:kms:{REGION}:{OTHER}:key/{THEIR_ID}"
POLICY = '{"Statement": []}'
#: moto's ciphertexts start with the key id.
CIPHERTEXT = KEY_ID.encode() + b"\0" * 40
THEIR_CIPHERTEXT = THEIR_ID.encode() + b"\0" * 40


def _key(account: str, key_id: str, **extra: Any) -> KeyFacts:
    facts: dict[str, Any] = {
        "arn": f"arn:aws:kms:{REGION}:{account}:key/{key_id}",
        "key_id": key_id,
        "account": account,
        "region": REGION,
        "policy": POLICY,
        "key_spec": "SYMMETRIC_DEFAULT",
        "key_usage": "ENCRYPT_DECRYPT",
        "origin": "AWS_KMS",
        "multi_region": False,
        "multi_region_type": None,
        **extra,
    }
    return KeyFacts(**facts)


KEYS = {
    (ACCOUNT, KEY_ID): _key(ACCOUNT, KEY_ID, tags={"team": "blue"}, aliases=("alias/app",)),
    (ACCOUNT, OTHER_ID): _key(ACCOUNT, OTHER_ID, policy=None),
    (OTHER, THEIR_ID): _key(
        OTHER, THEIR_ID, multi_region=True, multi_region_type="PRIMARY", aliases=("alias/shared",)
    ),
}


class FakeKeys:
    """Three keys: two of ACCOUNT (one aliased `alias/app`), one of OTHER (`alias/shared`)."""

    def key(self, account: str, region: str, key_id: str) -> KeyFacts | None:
        return KEYS.get((account, key_id)) if region == REGION else None

    def alias_target(self, account: str, region: str, alias: str) -> str | None:
        return next(
            (k.key_id for (a, _), k in KEYS.items() if a == account and alias in k.aliases), None
        )

    def ciphertext_key(self, region: str, ciphertext: bytes, prefer: str) -> tuple[str, str] | None:
        key_id = ciphertext[:36].decode("ascii", "replace")
        if len(key_id) != 36 or "\ufffd" in key_id:
            raise ValueError("not a ciphertext")
        return next(((a, k) for (a, k) in KEYS if k == key_id), None)

    def grant_key(self, region: str, grant_token: str, prefer: str) -> tuple[str, str] | None:
        return (OTHER, THEIR_ID) if grant_token == "token" else None


class _Sent(Exception):
    def __init__(self, request: AWSPreparedRequest) -> None:
        super().__init__("sent")
        self.request = request


def _stop(request: AWSPreparedRequest, **_: Any) -> None:
    raise _Sent(request)


@functools.cache
def _client() -> Any:
    client = botocore.session.get_session().create_client(
        "kms",
        region_name=REGION,
        endpoint_url="http://127.0.0.1:1",
        aws_access_key_id="AKIAEXAMPLE",
        aws_secret_access_key="x",
        config=Config(parameter_validation=False),
    )
    client.meta.events.register("before-send.*", _stop)
    return client


def sent(operation: str, **params: Any) -> HttpRequestView:
    """The request botocore sends for `operation`, as the server receives it."""
    with pytest.raises(_Sent) as info:
        getattr(_client(), xform_name(operation))(**params)
    request = info.value.request
    parts = urlsplit(request.url)
    headers = [
        (name, value.decode("latin-1") if isinstance(value, bytes) else value)
        for name, value in request.headers.items()
    ]
    headers.append(("Host", parts.netloc))
    body = request.body if isinstance(request.body, bytes) else str(request.body).encode()
    return HttpRequestView(request.method, parts.path or "/", parts.query, headers, body)


ALL_OPERATIONS = tuple(load_service_model("kms").operation_names)


def _adapter() -> KMS:
    return KMS(FakeKeys(), served=ALL_OPERATIONS)


def mapped(operation: str, caller: str = ACCOUNT, **params: Any) -> Mapped:
    view = sent(operation, **params)
    return _adapter().map(GatewayRequest(view, "kms", REGION, caller, "rid"))


def checks(result: Mapped) -> list[tuple[str, str, str | None, str | None]]:
    return [(c.action, c.resource, c.resource_account, c.policy_resource) for c in result.checks]


def refused(operation: str, caller: str = ACCOUNT, **params: Any) -> tuple[str, str]:
    with pytest.raises(ServiceError) as info:
        mapped(operation, caller, **params)
    return info.value.code, info.value.message


#: Parameters naming what an operation acts on, where `KeyId` does not.
PARAMS: Mapping[str, dict[str, Any]] = {
    "CreateAlias": {"AliasName": "alias/new", "TargetKeyId": KEY_ID},
    "UpdateAlias": {"AliasName": "alias/app", "TargetKeyId": OTHER_ID},
    "DeleteAlias": {"AliasName": "alias/app"},
    "Decrypt": {"CiphertextBlob": CIPHERTEXT},
    "ReEncrypt": {"CiphertextBlob": CIPHERTEXT, "DestinationKeyId": OTHER_ID},
    "RetireGrant": {"KeyId": KEY_ID, "GrantId": "g"},
    "ReplicateKey": {"KeyId": KEY_ID, "ReplicaRegion": "us-west-2"},
    "UpdatePrimaryRegion": {"KeyId": KEY_ID, "PrimaryRegion": "us-west-2"},
}
_LISTS: Mapping[str, list[Any]] = {
    "Operations": ["Encrypt"],
    "Tags": [{"TagKey": "team", "TagValue": "red"}],
    "TagKeys": ["team"],
}


def minimal(operation: str) -> dict[str, Any]:
    """The members `operation` requires, filled in, and those of `PARAMS`."""
    shape = load_service_model("kms").operation_model(operation).input_shape
    params: dict[str, Any] = {}
    for name in shape.required_members if shape is not None else ():
        member = shape.members[name]
        if name == "KeyId":
            params[name] = KEY_ID
        elif member.type_name == "blob":
            params[name] = b"x"
        elif member.type_name == "list":
            params[name] = _LISTS[name]
        else:
            params[name] = member.enum[0] if member.enum else "cks-1234567890abcdef0"
    return {**params, **PARAMS.get(operation, {})}


# -- every operation -------------------------------------------------------------------------


def test_every_operation_maps_to_actions_of_the_catalog() -> None:
    catalog = Catalog()
    for operation in ALL_OPERATIONS:
        result = mapped(operation, **minimal(operation))
        assert result.operation == operation
        assert result.checks, operation
        for check in result.checks:
            info = catalog.action(check.action)
            assert info is not None, check.action
            kind = check.resource.split(":", 5)[-1].split("/")[0]
            assert kind in (
                (*info.resource_types, "*") if check.resource == "*" else info.resource_types
            )
            assert check.context["kms:CallerAccount"] == ACCOUNT


def test_the_operations_the_backend_lacks_are_refused() -> None:
    adapter = KMS(FakeKeys())  # served: what moto implements
    for operation in ("GenerateDataKeyPair", "CreateCustomKeyStore", "ImportKeyMaterial"):
        view = sent(operation, **minimal(operation))
        with pytest.raises(Unmappable) as info:
            adapter.map(GatewayRequest(view, "kms", REGION, ACCOUNT, "rid"))
        assert info.value.message == (
            f"localiam's KMS backend (moto) does not implement {operation}."
        )
    view = sent("Encrypt", KeyId=KEY_ID, Plaintext=b"x")
    assert adapter.map(GatewayRequest(view, "kms", REGION, ACCOUNT, "rid")).checks


@pytest.mark.parametrize(
    "operation", ["CreateKey", "ListKeys", "ListAliases", "GenerateRandom", "ListRetirableGrants"]
)
def test_operations_on_no_key_are_on_any_resource_of_the_caller(operation: str) -> None:
    result = mapped(operation, caller=OTHER)
    assert checks(result) == [(f"kms:{operation}", "*", OTHER, None)]
    assert result.backend_account == OTHER


# -- naming keys -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "key_id", [KEY_ID, ARN, "alias/app", f"arn:aws:kms:{REGION}:{ACCOUNT}:alias/app"]
)
def test_a_key_named_any_way_is_authorized_as_its_key_arn(key_id: str) -> None:
    result = mapped("Encrypt", KeyId=key_id, Plaintext=b"x")
    assert checks(result) == [("kms:Encrypt", ARN, ACCOUNT, ARN)]
    assert result.backend_account == ACCOUNT
    request_alias = result.checks[0].context.get("kms:RequestAlias")
    assert request_alias == ("alias/app" if "alias" in key_id else None)


def test_a_key_of_another_account_is_served_by_its_owner() -> None:
    for key_id in (THEIR_ARN, f"arn:aws:kms:{REGION}:{OTHER}:alias/shared"):
        result = mapped("GenerateDataKey", KeyId=key_id, NumberOfBytes=32)
        assert checks(result) == [("kms:GenerateDataKey", THEIR_ARN, OTHER, THEIR_ARN)]
        assert result.backend_account == OTHER
    grants = mapped("ListGrants", KeyId=THEIR_ARN)
    assert checks(grants) == [("kms:ListGrants", THEIR_ARN, OTHER, THEIR_ARN)]


def test_only_cross_account_operations_take_another_accounts_key() -> None:
    assert refused("GetKeyPolicy", KeyId=THEIR_ARN, PolicyName="default") == (
        "NotFoundException",
        f"Key '{THEIR_ARN}' does not exist",
    )
    # A bare key id or alias names a key of the caller's own account.
    assert refused("Encrypt", caller=OTHER, KeyId=KEY_ID, Plaintext=b"x") == (
        "NotFoundException",
        f"Key 'arn:aws:kms:{REGION}:{OTHER}:key/{KEY_ID}' does not exist",
    )


def test_keys_and_aliases_that_do_not_exist_are_not_found() -> None:
    missing = "00000000-0000-0000-0000-000000000000"
    assert refused("DescribeKey", KeyId=missing) == (
        "NotFoundException",
        f"Key 'arn:aws:kms:{REGION}:{ACCOUNT}:key/{missing}' does not exist",
    )
    assert refused("DescribeKey", KeyId="alias/none") == (
        "NotFoundException",
        f"Alias arn:aws:kms:{REGION}:{ACCOUNT}:alias/none is not found.",
    )
    # Another Region's key is none of this Region's.
    elsewhere = ARN.replace(REGION, "eu-west-1")
    assert refused("DescribeKey", KeyId=elsewhere)[0] == "NotFoundException"
    # Key management operations take no alias.
    assert refused("EnableKey", KeyId="alias/app") == (
        "NotFoundException",
        "Invalid keyId alias/app",
    )
    assert refused("Encrypt", KeyId="arn:aws:kms:us-east-1:1:thing/x", Plaintext=b"x") == (
        "NotFoundException",
        "Invalid keyId arn:aws:kms:us-east-1:1:thing/x",
    )


def test_a_request_without_its_key_is_a_validation_error() -> None:
    assert refused("Encrypt", Plaintext=b"x") == (
        "ValidationException",
        "1 validation error detected: Value null at 'keyId' failed to satisfy constraint: "
        "Member must not be null",
    )


def test_decrypt_is_authorized_on_the_key_of_the_ciphertext() -> None:
    result = mapped("Decrypt", CiphertextBlob=CIPHERTEXT)
    assert checks(result) == [("kms:Decrypt", ARN, ACCOUNT, ARN)]
    theirs = mapped("Decrypt", CiphertextBlob=THEIR_CIPHERTEXT, KeyId="alias/anything")
    assert checks(theirs) == [("kms:Decrypt", THEIR_ARN, OTHER, THEIR_ARN)]
    assert theirs.backend_account == OTHER
    assert theirs.checks[0].context["kms:RequestAlias"] == "alias/anything"
    unknown = b"00000000-0000-0000-0000-000000000000" + b"\0" * 40
    assert refused("Decrypt", CiphertextBlob=unknown) == (
        "AccessDeniedException",
        "The ciphertext refers to a customer master key that does not exist, does not exist "
        "in this region, or you are not allowed to access.",
    )
    assert refused("Decrypt", CiphertextBlob=b"\xff" * 40) == ("InvalidCiphertextException", "")


def test_re_encrypt_is_from_the_source_key_and_to_the_destination_key() -> None:
    result = mapped(
        "ReEncrypt",
        CiphertextBlob=CIPHERTEXT,
        SourceEncryptionContext={"a": "1"},
        DestinationKeyId="alias/app",
        DestinationEncryptionContext={"b": "2"},
    )
    assert checks(result) == [
        ("kms:ReEncryptFrom", ARN, ACCOUNT, ARN),
        ("kms:ReEncryptTo", ARN, ACCOUNT, ARN),
    ]
    source, destination = (dict(c.context) for c in result.checks)
    assert source["kms:EncryptionContext:a"] == "1" and "kms:EncryptionContext:b" not in source
    assert destination["kms:EncryptionContext:b"] == "2"
    assert destination["kms:RequestAlias"] == "alias/app" and "kms:RequestAlias" not in source
    assert source["kms:ReEncryptOnSameKey"] == destination["kms:ReEncryptOnSameKey"] == "true"
    with pytest.raises(Unmappable):
        mapped("ReEncrypt", CiphertextBlob=CIPHERTEXT, DestinationKeyId=THEIR_ARN)


def test_alias_operations_check_the_alias_and_each_key() -> None:
    alias = f"arn:aws:kms:{REGION}:{ACCOUNT}:alias"
    created = mapped("CreateAlias", AliasName="alias/new", TargetKeyId=ARN)
    assert checks(created) == [
        ("kms:CreateAlias", f"{alias}/new", ACCOUNT, None),
        ("kms:CreateAlias", ARN, ACCOUNT, ARN),
    ]
    updated = mapped("UpdateAlias", AliasName="alias/app", TargetKeyId=OTHER_ID)
    assert checks(updated) == [
        ("kms:UpdateAlias", f"{alias}/app", ACCOUNT, None),
        ("kms:UpdateAlias", ARN, ACCOUNT, ARN),
        ("kms:UpdateAlias", OTHER_ARN, ACCOUNT, OTHER_ARN),
    ]
    deleted = mapped("DeleteAlias", AliasName="alias/app")
    assert checks(deleted) == [
        ("kms:DeleteAlias", f"{alias}/app", ACCOUNT, None),
        ("kms:DeleteAlias", ARN, ACCOUNT, ARN),
    ]
    assert refused("DeleteAlias", AliasName="alias/none")[0] == "NotFoundException"


def test_retire_grant_by_token_finds_the_grants_key() -> None:
    result = mapped("RetireGrant", GrantToken="token")
    assert checks(result) == [("kms:RetireGrant", THEIR_ARN, OTHER, THEIR_ARN)]
    assert refused("RetireGrant", GrantToken="nope")[0] == "InvalidGrantTokenException"


# -- condition keys --------------------------------------------------------------------------


def test_the_keys_properties_tags_and_aliases() -> None:
    (check,) = mapped("DescribeKey", KeyId=KEY_ID).checks
    assert dict(check.context) == {
        "kms:CallerAccount": ACCOUNT,
        "aws:ResourceTag/team": "blue",
        "kms:KeySpec": "SYMMETRIC_DEFAULT",
        "kms:KeyUsage": "ENCRYPT_DECRYPT",
        "kms:KeyOrigin": "AWS_KMS",
        "kms:MultiRegion": "false",
        "kms:ResourceAliases": ["alias/app"],
    }
    (theirs,) = mapped("DescribeKey", caller=OTHER, KeyId=THEIR_ID).checks
    assert theirs.context["kms:MultiRegionKeyType"] == "PRIMARY"
    assert theirs.context["kms:CallerAccount"] == OTHER


def test_encryption_context_and_algorithm() -> None:
    (check,) = mapped(
        "Encrypt", KeyId=KEY_ID, Plaintext=b"x", EncryptionContext={"Project": "Alpha", "n": "1"}
    ).checks
    assert check.context["kms:EncryptionContext:Project"] == "Alpha"
    assert check.context["kms:EncryptionContextKeys"] == ["Project", "n"]
    assert check.context["kms:EncryptionAlgorithm"] == "SYMMETRIC_DEFAULT"
    (bare,) = mapped("Encrypt", KeyId=KEY_ID, Plaintext=b"x").checks
    assert "kms:EncryptionContextKeys" not in bare.context
    (pair,) = mapped("GenerateDataKeyPair", KeyId=KEY_ID, KeyPairSpec="RSA_2048").checks
    assert pair.context["kms:DataKeyPairSpec"] == "RSA_2048"
    (signed,) = mapped(
        "Sign", KeyId=KEY_ID, Message=b"m", SigningAlgorithm="RSASSA_PSS_SHA_256"
    ).checks
    assert (signed.context["kms:SigningAlgorithm"], signed.context["kms:MessageType"]) == (
        "RSASSA_PSS_SHA_256",
        "RAW",
    )


def test_create_key_keys_with_aws_defaults_and_its_tags() -> None:
    (plain,) = mapped("CreateKey").checks
    assert dict(plain.context) == {
        "kms:CallerAccount": ACCOUNT,
        "kms:KeySpec": "SYMMETRIC_DEFAULT",
        "kms:KeyUsage": "ENCRYPT_DECRYPT",
        "kms:KeyOrigin": "AWS_KMS",
        "kms:MultiRegion": "false",
        "kms:BypassPolicyLockoutSafetyCheck": "false",
    }
    tagged = mapped(
        "CreateKey",
        KeySpec="ECC_NIST_P256",
        KeyUsage="SIGN_VERIFY",
        MultiRegion=True,
        Tags=[{"TagKey": "team", "TagValue": "red"}],
    )
    assert [(c.action, c.resource) for c in tagged.checks] == [
        ("kms:CreateKey", "*"),
        ("kms:TagResource", "*"),
    ]
    create, tag = (dict(c.context) for c in tagged.checks)
    assert create["kms:KeySpec"] == "ECC_NIST_P256" and create["kms:KeyUsage"] == "SIGN_VERIFY"
    assert create["kms:MultiRegionKeyType"] == "PRIMARY"
    assert tag["aws:RequestTag/team"] == "red" and tag["aws:TagKeys"] == ["team"]


def test_grant_and_tagging_keys() -> None:
    (grant,) = mapped(
        "CreateGrant",
        KeyId=KEY_ID,
        GranteePrincipal="arn:aws:iam::123456789012:role/app",
        Operations=["Encrypt", "Decrypt"],
        Constraints={"EncryptionContextSubset": {"dept": "it"}},
    ).checks
    assert grant.context["kms:GrantOperations"] == ["Encrypt", "Decrypt"]
    assert grant.context["kms:GranteePrincipal"] == "arn:aws:iam::123456789012:role/app"
    assert grant.context["kms:GrantConstraintType"] == "EncryptionContextSubset"
    assert grant.context["kms:EncryptionContext:dept"] == "it"
    (tag,) = mapped("TagResource", KeyId=KEY_ID, Tags=[{"TagKey": "env", "TagValue": "p"}]).checks
    assert (tag.context["aws:RequestTag/env"], tag.context["aws:TagKeys"]) == ("p", ["env"])
    (untag,) = mapped("UntagResource", KeyId=KEY_ID, TagKeys=["team"]).checks
    assert untag.context["aws:TagKeys"] == ["team"]
    (deletion,) = mapped("ScheduleKeyDeletion", KeyId=KEY_ID).checks
    assert deletion.context["kms:ScheduleKeyDeletionPendingWindowInDays"] == "30"


# -- forwarding, dry runs, key policies ------------------------------------------------------


def test_the_request_is_forwarded_to_the_regions_endpoint_unchanged() -> None:
    view = sent("Encrypt", KeyId=KEY_ID, Plaintext=b"x")
    result = _adapter().map(GatewayRequest(view, "kms", REGION, ACCOUNT, "rid"))
    headers = {k.lower(): v for k, v in result.forward.headers}
    assert headers["host"] == f"kms.{REGION}.amazonaws.com"
    assert headers["x-amz-target"] == "TrentService.Encrypt"
    assert (result.forward.method, result.forward.path, result.forward.body) == (
        "POST",
        "/",
        view.body,
    )
    assert result.prepare is None


def test_a_dry_run_is_answered_once_authorized() -> None:
    result = mapped("Encrypt", KeyId=KEY_ID, Plaintext=b"x", DryRun=True)
    assert result.prepare is not None
    with pytest.raises(ServiceError) as info:
        result.prepare()
    assert (info.value.code, info.value.status) == ("DryRunOperationException", 412)


def test_the_key_policy_is_read_from_the_key() -> None:
    adapter = _adapter()
    assert adapter.resource_policy(ARN) == POLICY
    assert adapter.resource_policy(OTHER_ARN) is None
    assert adapter.resource_policy(f"arn:aws:kms:{REGION}:{ACCOUNT}:key/missing") is None


@pytest.mark.parametrize(
    ("policy", "malformed"),
    [
        (
            json.dumps({"Statement": [{"Effect": "Allow", "Principal": "*", "Action": "kms:*"}]}),
            False,
        ),
        ("{not json", True),
        (json.dumps({"Statement": [{"Effect": "Allow", "Action": "kms:*"}]}), True),  # no Principal
    ],
)
def test_key_policies_are_validated_as_resource_policies(policy: str, malformed: bool) -> None:
    adapter = _adapter()
    for result in (
        mapped("PutKeyPolicy", KeyId=KEY_ID, PolicyName="default", Policy=policy),
        mapped("CreateKey", Policy=policy),
    ):
        found = adapter.validate(result)
        assert (found is not None) == malformed
        if found is not None:
            assert found[0] == "MalformedPolicyDocumentException" and found[1]
    assert adapter.validate(mapped("Encrypt", KeyId=KEY_ID, Plaintext=b"x")) is None


# -- denials and errors ----------------------------------------------------------------------


def _decision(kind: DecisionKind, blocked_by: PolicyType, denying: str | None = None) -> Decision:
    user = f"arn:aws:iam::{ACCOUNT}:user/bob"
    return Decision(kind, user, "kms:Encrypt", ARN, (), blocked_by, (), denying)


def test_access_denied_is_http_400_with_iams_sentence() -> None:
    code, message, status = _adapter().denied(
        _decision(DecisionKind.IMPLICIT_DENY, PolicyType.RESOURCE), same_account=True
    )
    assert (code, status) == ("AccessDeniedException", 400)
    assert message == (
        f"User: arn:aws:iam::{ACCOUNT}:user/bob is not authorized to perform: kms:Encrypt on "
        f"resource: {ARN} because no resource-based policy allows the kms:Encrypt action"
    )
    _, explicit, _ = _adapter().denied(
        _decision(DecisionKind.EXPLICIT_DENY, PolicyType.RESOURCE, ARN), same_account=False
    )
    assert explicit.endswith(f"on resource: {ARN} with an explicit deny in a resource-based policy")


def _parsed(headers: tuple[tuple[str, str], ...], body: bytes) -> Any:
    parser = botocore.parsers.create_parser("json")
    shape = load_service_model("kms").operation_model("Encrypt").output_shape
    return parser.parse({"status_code": 400, "headers": dict(headers), "body": body}, shape)


def test_errors_read_back_as_their_code_and_message() -> None:
    headers, body = _adapter().error("AccessDeniedException", "User: x", 400, "rid")
    assert json.loads(body) == {"__type": "AccessDeniedException", "Message": "User: x"}
    assert dict(headers) == {
        "content-type": "application/x-amz-json-1.1",
        "x-amzn-requestid": "rid",
    }
    assert _parsed(headers, body)["Error"] == {
        "Code": "AccessDeniedException",
        "Message": "User: x",
    }
    headers, body = _adapter().error("NotFoundException", "Key 'k' does not exist", 400, "rid")
    assert json.loads(body) == {"__type": "NotFoundException", "message": "Key 'k' does not exist"}
    headers, body = _adapter().error("InvalidClientTokenId", "bad token", 403, "rid")
    assert _parsed(headers, body)["Error"]["Code"] == "UnrecognizedClientException"
