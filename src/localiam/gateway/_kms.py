"""AWS KMS through the gateway: the JSON 1.1 request (`X-Amz-Target: TrentService.<Operation>`)
decoded from the botocore model, the actions and keys AWS authorizes it with, the key policy,
and KMS's error documents.

- Actions: `kms:<Operation>`, except ReEncrypt, authorized as kms:ReEncryptFrom on the source key
  and kms:ReEncryptTo on the destination key; CreateKey with `Tags` also needs kms:TagResource,
  and ReplicateKey kms:CreateKey (and kms:TagResource with `Tags`) in the replica Region
  (https://docs.aws.amazon.com/kms/latest/developerguide/kms-api-permissions-reference.html).
  CreateAlias, UpdateAlias and DeleteAlias are checked on the alias
  (`arn:aws:kms:<region>:<account>:alias/<name>`, identity-based policies) and on each key the
  alias names or will name (the key policy)
  (https://docs.aws.amazon.com/kms/latest/developerguide/alias-access.html).
- Resources: the key, `arn:aws:kms:<region>:<account>:key/<key-id>`, whichever way the request
  names it: key id, key ARN, alias name (`alias/app`) or alias ARN, an alias being resolved to
  its key (AWS authorizes the key; aliases only where the API takes them); Decrypt and
  ReEncrypt's source key is the key that made the ciphertext. Only the operations whose API
  reference says "Cross-account use: Yes" take another account's key (by ARN). CreateKey,
  ListKeys, ListAliases, GenerateRandom, ListRetirableGrants and the custom key store
  operations act on `*`.
- Condition keys (https://docs.aws.amazon.com/kms/latest/developerguide/conditions-kms.html):
  kms:CallerAccount; the key's aws:ResourceTag/<k>, kms:ResourceAliases, kms:KeySpec,
  kms:KeyUsage, kms:KeyOrigin, kms:MultiRegion and kms:MultiRegionKeyType; kms:RequestAlias
  when the request names the key by an alias (its name, `alias/app`); the request's
  kms:EncryptionContext:<k> and kms:EncryptionContextKeys (for CreateGrant, those of its
  constraint; for ReEncrypt, the source context on ReEncryptFrom and the destination one on
  ReEncryptTo **(localiam)**), and the request parameters each action lists, with AWS's default
  when absent (kms:EncryptionAlgorithm, kms:KeySpec, kms:MessageType, ...); aws:RequestTag/<k>
  and aws:TagKeys. kms:ViaService is absent: the gateway serves direct calls only.
- The key policy is the key's resource-based policy; a policy given to CreateKey, PutKeyPolicy
  or ReplicateKey is parsed as AWS parses it first (MalformedPolicyDocumentException). Not
  modelled: grants (a grant does not allow its grantee here), the policy lockout safety check.
- DryRun: authorized, then answered DryRunOperationException without reaching the backend.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any, Final, Protocol

from localiam.authz import Decision, PolicyType
from localiam.gateway._model import Check, Forward, GatewayRequest, Mapped, Unmappable
from localiam.gateway._moto_kms import KeyFacts
from localiam.policy import MalformedPolicyDocument, PolicyKind, parse_policy
from localiam.protocol import ServiceError, decode_json, input_violations, load_service_model
from localiam.regions import partition_of

_CONTENT_TYPE: Final = "application/x-amz-json-1.1"

#: localiam's authentication, throttling and failure codes as KMS words them.
_CODES: Final[Mapping[str, str]] = {
    "InvalidClientTokenId": "UnrecognizedClientException",
    "SignatureDoesNotMatch": "InvalidSignatureException",
    "RequestExpired": "InvalidSignatureException",
    "IncompleteSignature": "IncompleteSignatureException",
    "MissingAuthenticationToken": "MissingAuthenticationTokenException",
    "ExpiredToken": "ExpiredTokenException",
    "Throttling": "ThrottlingException",
    "InternalError": "KMSInternalException",
    "InternalFailure": "KMSInternalException",
}

_UNDECRYPTABLE: Final = (
    "The ciphertext refers to a customer master key that does not exist, does not exist in "
    "this region, or you are not allowed to access."
)
_DRY_RUN: Final = "The request would have succeeded, but the DryRun option is set."

Params = Mapping[str, Any]


class KeyState(Protocol):
    """What authorization reads about existing keys (see `_moto_kms.MotoKeys`)."""

    def key(self, account: str, region: str, key_id: str) -> KeyFacts | None:
        """The key `key_id` of `account` in `region`, None when there is none."""

    def alias_target(self, account: str, region: str, alias: str) -> str | None:
        """The id of the key alias `alias` (`alias/<name>`) names, None when there is none."""

    def ciphertext_key(self, region: str, ciphertext: bytes, prefer: str) -> tuple[str, str] | None:
        """The account and id of the key that made `ciphertext`; ValueError when it is none."""

    def grant_key(self, region: str, grant_token: str, prefer: str) -> tuple[str, str] | None:
        """The account and id of the key holding the grant of `grant_token`."""


# -- the request's condition keys, per operation ---------------------------------------------


def _no_keys(params: Params) -> dict[str, object]:
    return {}


def _value(params: Params, member: str, key: str, default: object = None) -> dict[str, object]:
    """`key` set to the request's `member` (or `default`, AWS's default for it)."""
    value = params.get(member, default)
    if value is None:
        return {}
    if isinstance(value, bool):
        value = "true" if value else "false"
    elif isinstance(value, datetime):
        value = str(int(value.timestamp()))
    return {key: str(value)}


def _request(*members: str, **defaults: object) -> Callable[[Params], dict[str, object]]:
    """`kms:<member>` for each member the request gives, and for each of `defaults` its value
    or AWS's default."""

    def keys(params: Params) -> dict[str, object]:
        out: dict[str, object] = {}
        for member in members:
            out.update(_value(params, member, f"kms:{member}"))
        for member, default in defaults.items():
            out.update(_value(params, member, f"kms:{member}", default))
        return out

    return keys


def _not_for_an_aws_resource(params: Params) -> dict[str, object]:
    """kms:GrantIsForAWSResource: the gateway's callers are never an AWS service."""
    return {"kms:GrantIsForAWSResource": "false"}


def _context_keys(context: Mapping[str, str] | None) -> dict[str, object]:
    """kms:EncryptionContext:<k> for each pair and kms:EncryptionContextKeys."""
    if not context:
        return {}
    out: dict[str, object] = {f"kms:EncryptionContext:{k}": v for k, v in context.items()}
    out["kms:EncryptionContextKeys"] = list(context)
    return out


def _encrypting(params: Params) -> dict[str, object]:
    return {
        **_context_keys(params.get("EncryptionContext")),
        **_value(params, "EncryptionAlgorithm", "kms:EncryptionAlgorithm", "SYMMETRIC_DEFAULT"),
    }


def _data_key(params: Params) -> dict[str, object]:
    """GenerateDataKey*: the context, and the symmetric algorithm they always encrypt with."""
    keys = _context_keys(params.get("EncryptionContext"))
    keys["kms:EncryptionAlgorithm"] = "SYMMETRIC_DEFAULT"
    return keys


def _data_key_pair(params: Params) -> dict[str, object]:
    return {**_data_key(params), **_value(params, "KeyPairSpec", "kms:DataKeyPairSpec")}


_GRANT_PRINCIPALS: Final = _request(
    "GranteePrincipal", "RetiringPrincipal", "GranteeServicePrincipal", "RetiringServicePrincipal"
)


def _grant(params: Params) -> dict[str, object]:
    """CreateGrant: its operations, principals, and the encryption context constraint."""
    keys = {**_not_for_an_aws_resource(params), **_GRANT_PRINCIPALS(params)}
    if params.get("Operations"):
        keys["kms:GrantOperations"] = list(params["Operations"])
    constraints = params.get("Constraints") or {}
    for kind in ("EncryptionContextEquals", "EncryptionContextSubset"):
        if kind in constraints:
            keys["kms:GrantConstraintType"] = kind
            keys.update(_context_keys(constraints[kind]))
    return keys


def _tagging(params: Params) -> dict[str, object]:
    tags = {t["TagKey"]: t.get("TagValue", "") for t in params.get("Tags") or []}
    keys: dict[str, object] = {f"aws:RequestTag/{k}": v for k, v in tags.items()}
    if tags:
        keys["aws:TagKeys"] = list(tags)
    return keys


def _untagging(params: Params) -> dict[str, object]:
    return {"aws:TagKeys": list(params.get("TagKeys") or [])}


def _create_key(params: Params) -> dict[str, object]:
    multi = bool(params.get("MultiRegion"))
    spec = params.get("KeySpec") or params.get("CustomerMasterKeySpec") or "SYMMETRIC_DEFAULT"
    keys: dict[str, object] = {
        "kms:KeySpec": spec,
        "kms:KeyUsage": params.get("KeyUsage") or "ENCRYPT_DECRYPT",
        "kms:KeyOrigin": params.get("Origin") or "AWS_KMS",
        "kms:MultiRegion": "true" if multi else "false",
        **_request(BypassPolicyLockoutSafetyCheck=False)(params),
        **_tagging(params),
    }
    if multi:
        keys["kms:MultiRegionKeyType"] = "PRIMARY"
    return keys


@dataclass(frozen=True, slots=True)
class _KeyOperation:
    """An operation on the one key its `KeyId` names."""

    #: `KeyId` may be an alias name or alias ARN.
    aliases: bool = False
    #: A key of another account may be named (by key or alias ARN).
    cross_account: bool = False
    keys: Callable[[Params], dict[str, object]] = field(default=_no_keys)


_CRYPTO = _KeyOperation(aliases=True, cross_account=True)
_SIGNING = replace(_CRYPTO, keys=_request("SigningAlgorithm", MessageType="RAW"))
_MAC = replace(_CRYPTO, keys=_request("MacAlgorithm"))
_ENCAPSULATION = replace(_CRYPTO, keys=_request("EncapsulationAlgorithm"))
_GRANTS = _KeyOperation(cross_account=True, keys=_not_for_an_aws_resource)

#: Every operation on the one key its `KeyId` names; the others are in `_Checks.of`.
_KEY_OPERATIONS: Final[Mapping[str, _KeyOperation]] = {
    "CancelKeyDeletion": _KeyOperation(),
    "CreateGrant": _KeyOperation(cross_account=True, keys=_grant),
    "Decapsulate": _ENCAPSULATION,
    "DeleteImportedKeyMaterial": _KeyOperation(),
    "DeriveSharedSecret": replace(_CRYPTO, keys=_request("KeyAgreementAlgorithm")),
    "DescribeKey": _CRYPTO,
    "DisableKey": _KeyOperation(),
    "DisableKeyRotation": _KeyOperation(),
    "EnableKey": _KeyOperation(),
    "EnableKeyRotation": _KeyOperation(keys=_request(RotationPeriodInDays=365)),
    "Encapsulate": _ENCAPSULATION,
    "Encrypt": replace(_CRYPTO, keys=_encrypting),
    "GenerateDataKey": replace(_CRYPTO, keys=_data_key),
    "GenerateDataKeyPair": replace(_CRYPTO, keys=_data_key_pair),
    "GenerateDataKeyPairWithoutPlaintext": replace(_CRYPTO, keys=_data_key_pair),
    "GenerateDataKeyWithoutPlaintext": replace(_CRYPTO, keys=_data_key),
    "GenerateMac": _MAC,
    "GetKeyLastUsage": _KeyOperation(),
    "GetKeyPolicy": _KeyOperation(),
    "GetKeyRotationStatus": _KeyOperation(cross_account=True),
    "GetParametersForImport": _KeyOperation(keys=_request("WrappingAlgorithm", "WrappingKeySpec")),
    "GetPublicKey": _CRYPTO,
    "ImportKeyMaterial": _KeyOperation(keys=_request("ExpirationModel", "ValidTo")),
    "ListGrants": _GRANTS,
    "ListKeyPolicies": _KeyOperation(),
    "ListKeyRotations": _KeyOperation(),
    "ListResourceTags": _KeyOperation(),
    "PutKeyPolicy": _KeyOperation(keys=_request(BypassPolicyLockoutSafetyCheck=False)),
    "RevokeGrant": _GRANTS,
    "RotateKeyOnDemand": _KeyOperation(),
    "ScheduleKeyDeletion": _KeyOperation(
        keys=lambda p: _value(
            p, "PendingWindowInDays", "kms:ScheduleKeyDeletionPendingWindowInDays", 30
        )
    ),
    "Sign": _SIGNING,
    "TagResource": _KeyOperation(keys=_tagging),
    "UntagResource": _KeyOperation(keys=_untagging),
    "UpdateKeyDescription": _KeyOperation(),
    "UpdatePrimaryRegion": _KeyOperation(keys=_request("PrimaryRegion")),
    "Verify": _SIGNING,
    "VerifyMac": _MAC,
}

#: Operations on no key: authorized on `*` in the caller's account.
_ANY_RESOURCE: Final = frozenset(
    {
        "ConnectCustomKeyStore",
        "CreateCustomKeyStore",
        "DeleteCustomKeyStore",
        "DescribeCustomKeyStores",
        "DisconnectCustomKeyStore",
        "GenerateRandom",
        "ListAliases",
        "ListKeys",
        "ListRetirableGrants",
        "UpdateCustomKeyStore",
    }
)

#: Members holding a key policy, per operation.
_POLICY_MEMBERS: Final[Mapping[str, str]] = {
    "CreateKey": "Policy",
    "PutKeyPolicy": "Policy",
    "ReplicateKey": "Policy",
}


def _not_found(message: str) -> ServiceError:
    return ServiceError("NotFoundException", message, 400)


@dataclass(frozen=True, slots=True)
class _Named:
    """A key as a request names it, and the alias name it used (kms:RequestAlias)."""

    key: KeyFacts
    alias: str | None = None


class _Checks:
    """The checks of one request of `caller` in `region`."""

    def __init__(self, keys: KeyState, caller: str, region: str) -> None:
        self.keys = keys
        self.caller = caller
        self.region = region
        self.partition = partition_of(region) or "aws"

    def of(self, operation: str, params: Params) -> list[Check]:
        spec = _KEY_OPERATIONS.get(operation)
        if spec is not None:
            named = self.resolve(
                _required(params, "KeyId"), aliases=spec.aliases, cross_account=spec.cross_account
            )
            return [self.on_key(f"kms:{operation}", named, spec.keys(params))]
        if operation in _ANY_RESOURCE:
            return [self.on_any(f"kms:{operation}")]
        special = {
            "CreateKey": self._create_key,
            "ReplicateKey": self._replicate_key,
            "Decrypt": self._decrypt,
            "ReEncrypt": self._re_encrypt,
            "CreateAlias": self._alias,
            "UpdateAlias": self._alias,
            "DeleteAlias": self._alias,
            "RetireGrant": self._retire_grant,
        }.get(operation)
        if special is None:
            raise Unmappable(f"localiam cannot authorize kms {operation}: it has no mapping.")
        return special(operation, params)

    # -- checks --------------------------------------------------------------------------

    def on_key(self, action: str, named: _Named, keys: Mapping[str, object]) -> Check:
        """`action` on the key: its policy, tags and properties, and the request's keys."""
        key = named.key
        context: dict[str, object] = {
            "kms:CallerAccount": self.caller,
            **{f"aws:ResourceTag/{k}": v for k, v in key.tags.items()},
            "kms:KeySpec": key.key_spec,
            "kms:KeyUsage": key.key_usage,
            "kms:KeyOrigin": key.origin,
            "kms:MultiRegion": "true" if key.multi_region else "false",
        }
        if key.multi_region_type is not None:
            context["kms:MultiRegionKeyType"] = key.multi_region_type
        if key.aliases:
            context["kms:ResourceAliases"] = list(key.aliases)
        if named.alias is not None:
            context["kms:RequestAlias"] = named.alias
        context.update(keys)
        return Check(action, key.arn, context, key.account, key.arn)

    def on_any(self, action: str, keys: Mapping[str, object] | None = None) -> Check:
        return Check(action, "*", {"kms:CallerAccount": self.caller, **(keys or {})}, self.caller)

    def arn(self, account: str, kind: str, name: str) -> str:
        return f"arn:{self.partition}:kms:{self.region}:{account}:{kind}/{name}"

    # -- naming keys ---------------------------------------------------------------------

    def resolve(self, ref: str, *, aliases: bool, cross_account: bool) -> _Named:
        """The key `ref` (key id, key ARN, alias name, alias ARN) names; NotFoundException
        when it names none this operation may use."""
        account, region, kind, name = self._parse(ref)
        if kind == "alias" and not aliases:
            raise _not_found(f"Invalid keyId {ref}")
        shown = self.arn(account, kind, name.removeprefix("alias/"))
        missing = (
            _not_found(f"Alias {shown} is not found.")
            if kind == "alias"
            else _not_found(f"Key '{shown}' does not exist")
        )
        if region != self.region or (account != self.caller and not cross_account):
            raise missing
        key_id = name if kind == "key" else self.keys.alias_target(account, region, name)
        key = None if key_id is None else self.keys.key(account, region, key_id)
        if key is None:
            raise missing
        return _Named(key, name if kind == "alias" else None)

    def _parse(self, ref: str) -> tuple[str, str, str, str]:
        """The account, Region, kind (`key` or `alias`) and name (key id, `alias/<name>`)."""
        if ref.startswith("arn:"):
            parts = ref.split(":", 5)
            if len(parts) == 6 and parts[2] == "kms" and parts[4]:
                kind, _, name = parts[5].partition("/")
                if kind in ("key", "alias") and name:
                    return parts[4], parts[3], kind, name if kind == "key" else f"alias/{name}"
            raise _not_found(f"Invalid keyId {ref}")
        if ref.startswith("alias/"):
            return self.caller, self.region, "alias", ref
        return self.caller, self.region, "key", ref

    def _ciphertext_key(self, params: Params, member: str, alias_member: str) -> _Named:
        """The key that made the ciphertext of `member`, and the alias `alias_member` names."""
        try:
            found = self.keys.ciphertext_key(self.region, params[member], self.caller)
        except ValueError:
            raise ServiceError("InvalidCiphertextException", "", 400) from None
        key = None if found is None else self.keys.key(found[0], self.region, found[1])
        if key is None:
            raise ServiceError("AccessDeniedException", _UNDECRYPTABLE, 400)
        ref = str(params.get(alias_member) or "")
        alias = None
        if ref.startswith("alias/"):
            alias = ref
        elif ref.startswith("arn:") and ":alias/" in ref:
            alias = "alias/" + ref.split(":alias/", 1)[1]
        return _Named(key, alias)

    # -- the special operations ------------------------------------------------------------

    def _create_key(self, operation: str, params: Params) -> list[Check]:
        keys = _create_key(params)
        checks = [self.on_any("kms:CreateKey", keys)]
        if params.get("Tags"):
            checks.append(self.on_any("kms:TagResource", _tagging(params)))
        return checks

    def _replicate_key(self, operation: str, params: Params) -> list[Check]:
        named = self.resolve(_required(params, "KeyId"), aliases=False, cross_account=False)
        region = _value(params, "ReplicaRegion", "kms:ReplicaRegion")
        checks = [self.on_key("kms:ReplicateKey", named, region), self.on_any("kms:CreateKey")]
        if params.get("Tags"):
            checks.append(self.on_any("kms:TagResource", _tagging(params)))
        return checks

    def _decrypt(self, operation: str, params: Params) -> list[Check]:
        named = self._ciphertext_key(params, "CiphertextBlob", "KeyId")
        return [self.on_key("kms:Decrypt", named, _encrypting(params))]

    def _re_encrypt(self, operation: str, params: Params) -> list[Check]:
        source = self._ciphertext_key(params, "CiphertextBlob", "SourceKeyId")
        destination = self.resolve(
            _required(params, "DestinationKeyId"), aliases=True, cross_account=True
        )
        same = "true" if source.key.arn == destination.key.arn else "false"
        from_keys = {
            **_context_keys(params.get("SourceEncryptionContext")),
            **_value(
                params, "SourceEncryptionAlgorithm", "kms:EncryptionAlgorithm", "SYMMETRIC_DEFAULT"
            ),
            "kms:ReEncryptOnSameKey": same,
        }
        to_keys = {
            **_context_keys(params.get("DestinationEncryptionContext")),
            **_value(
                params,
                "DestinationEncryptionAlgorithm",
                "kms:EncryptionAlgorithm",
                "SYMMETRIC_DEFAULT",
            ),
            "kms:ReEncryptOnSameKey": same,
        }
        return [
            self.on_key("kms:ReEncryptFrom", source, from_keys),
            self.on_key("kms:ReEncryptTo", destination, to_keys),
        ]

    def _alias(self, operation: str, params: Params) -> list[Check]:
        """The alias itself (identity-based policies), then the key it names (if it exists)
        and the key it is to name (CreateAlias, UpdateAlias)."""
        action = f"kms:{operation}"
        name = _required(params, "AliasName")
        alias_arn = self.arn(self.caller, "alias", name.removeprefix("alias/"))
        checks = [Check(action, alias_arn, {"kms:CallerAccount": self.caller}, self.caller)]
        if operation != "CreateAlias":
            current = self.resolve(name, aliases=True, cross_account=False)
            checks.append(self.on_key(action, _Named(current.key), {}))
        if operation != "DeleteAlias":
            target = self.resolve(
                _required(params, "TargetKeyId"), aliases=False, cross_account=False
            )
            checks.append(self.on_key(action, target, {}))
        return checks

    def _retire_grant(self, operation: str, params: Params) -> list[Check]:
        """On the key of `KeyId`, or of the grant `GrantToken` names. (A grant's retiring
        principal may retire it whatever the policies say: grants are not modelled.)"""
        if params.get("KeyId"):
            named = self.resolve(params["KeyId"], aliases=False, cross_account=True)
        else:
            found = self.keys.grant_key(self.region, _required(params, "GrantToken"), self.caller)
            key = None if found is None else self.keys.key(found[0], self.region, found[1])
            if key is None:
                raise ServiceError("InvalidGrantTokenException", "Invalid grant token.", 400)
            named = _Named(key)
        return [self.on_key("kms:RetireGrant", named, {})]


def _required(params: Params, member: str) -> str:
    value = params.get(member)
    if not value:
        raise ServiceError(
            "ValidationException",
            f"1 validation error detected: Value null at '{member[0].lower()}{member[1:]}' "
            "failed to satisfy constraint: Member must not be null",
            400,
        )
    return str(value)


class KMS:
    """The KMS adapter (see `_service.Adapter`); `keys` tells the policy, tags and aliases of
    existing keys, `served` the operations the backend implements (None: those moto does)."""

    service = "kms"

    def __init__(self, keys: KeyState, served: Collection[str] | None = None) -> None:
        self._keys = keys
        self._served = None if served is None else frozenset(served)
        self._model = load_service_model("kms")

    def _serves(self, operation: str) -> bool:
        if self._served is None:
            from botocore import xform_name
            from moto.kms.responses import KmsResponse  # moto is heavy: import it on first use

            names = self._model.operation_names
            self._served = frozenset(n for n in names if hasattr(KmsResponse, xform_name(n)))
        return operation in self._served

    def map(self, request: GatewayRequest) -> Mapped:
        view = request.view
        operation, params = decode_json(self._model, view.headers.get("x-amz-target"), view.body)
        name = str(operation.name)
        violations = input_violations(operation, params)
        if violations:
            noun = "error" if len(violations) == 1 else "errors"
            raise ServiceError(
                "ValidationException",
                f"{len(violations)} validation {noun} detected: "
                + "; ".join(str(v) for v in violations),
            )
        if not self._serves(name):
            raise Unmappable(f"localiam's KMS backend (moto) does not implement {name}.")
        caller = request.caller_account or ""
        checks = _Checks(self._keys, caller, request.region).of(name, params)
        owners = {c.resource_account for c in checks if ":key/" in c.resource}
        if len(owners) > 1:
            raise Unmappable(
                f"localiam cannot serve one {name} request on keys of several accounts "
                f"({', '.join(sorted(str(o) for o in owners))})."
            )
        owner = next(iter(owners), None) or caller
        headers = tuple((k, v) for k, v in view.headers.items() if k.lower() != "host")
        host = ("host", f"kms.{request.region}.amazonaws.com")
        forward = Forward("POST", "/", "", (*headers, host), view.body)
        prepare = _refuse_dry_run if params.get("DryRun") else None
        return Mapped("kms", name, tuple(checks), owner, forward, prepare)

    def resource_policy(self, policy_resource: str) -> str | None:
        """The key policy of the key `policy_resource` (a key ARN)."""
        parts = policy_resource.split(":", 5)
        if len(parts) < 6 or not parts[5].startswith("key/"):
            return None
        key = self._keys.key(parts[4], parts[3], parts[5].removeprefix("key/"))
        return None if key is None else key.policy

    def validate(self, mapped: Mapped) -> tuple[str, str] | None:
        """A key policy is parsed as a resource-based policy before it is stored. AWS answers
        MalformedPolicyDocumentException, with no detail for a policy that does not parse
        (aws/aws-sdk-ruby#1784); localiam says what is wrong."""
        member = _POLICY_MEMBERS.get(mapped.operation)
        if member is None:
            return None
        text = json.loads(mapped.forward.body or b"{}").get(member)
        if not isinstance(text, str):
            return None
        try:
            parse_policy(text, PolicyKind.RESOURCE)
        except MalformedPolicyDocument as exc:
            return "MalformedPolicyDocumentException", exc.message
        return None

    def denied(self, decision: Decision, same_account: bool) -> tuple[str, str, int]:
        """HTTP 400 AccessDeniedException with IAM's sentence, `on resource: <key ARN>` (left
        out for `*`), same account or not; a key policy's explicit deny is named without the
        policy's ARN (aws/aws-nitro-enclaves-sdk-c#157 shows "with an explicit deny in a
        resource-based policy")."""
        if decision.blocked_by is PolicyType.RESOURCE:
            decision = replace(decision, denying_policy=None)
        return "AccessDeniedException", decision.message, 400

    def status(self, code: str, status: int) -> int:
        """KMS answers authentication failures (an unknown key, a bad signature, an expired
        token) with HTTP 400, where the query services use 403."""
        return 400 if status in (401, 403) else status

    def error(
        self, code: str, message: str, status: int, request_id: str
    ) -> tuple[tuple[tuple[str, str], ...], bytes]:
        """`{"__type": <code>, "message": ...}`; AccessDeniedException spells it `Message`, as
        a real KMS answer shows (aws/aws-nitro-enclaves-sdk-c#157)."""
        code = _CODES.get(code, code)
        key = "Message" if code == "AccessDeniedException" else "message"
        body = json.dumps({"__type": code, key: message}).encode()
        return (("content-type", _CONTENT_TYPE), ("x-amzn-requestid", request_id)), body


def _refuse_dry_run() -> None:
    """Every check allowed the dry run: KMS answers that it would have succeeded."""
    raise ServiceError("DryRunOperationException", _DRY_RUN, 412)
