"""KMS through the gateway against a live server, driven by boto3: the key policy must allow
every use of a key, even in its own account ("Unless the key policy explicitly allows it, you
cannot use IAM policies to allow access to a KMS key"); the default key policy, which names the
account root, lets IAM policies decide; a key policy naming a user allows it alone; another
account needs the key policy and its own identity policy; aliases resolve to their key;
kms:EncryptionContext, kms:RequestAlias and aws:ResourceTag conditions; denials are KMS's
AccessDeniedException (HTTP 400)
(https://docs.aws.amazon.com/kms/latest/developerguide/key-policy-overview.html,
https://docs.aws.amazon.com/kms/latest/developerguide/key-policy-modifying-external-accounts.html)."""

from __future__ import annotations

import json
from functools import partial
from typing import Any

import boto3

from e2e.org_helpers import Caller, allow, create_org, error_of, root_caller
from live_server import LiveServer

REGION = "us-east-1"


def kms(caller: Caller) -> Any:
    creds = caller.creds
    return boto3.session.Session(region_name=REGION).client(
        "kms",
        endpoint_url=caller.server.endpoint,
        aws_access_key_id=creds["AccessKeyId"],
        aws_secret_access_key=creds["SecretAccessKey"],
        aws_session_token=creds.get("SessionToken"),
    )


def policy(*statements: dict[str, Any]) -> str:
    return json.dumps({"Version": "2012-10-17", "Statement": list(statements)})


def grant(principal: str, *actions: str) -> dict[str, Any]:
    """A key policy statement allowing `principal` (an AWS principal ARN) `actions`."""
    return {
        "Effect": "Allow",
        "Principal": {"AWS": principal},
        "Action": list(actions),
        "Resource": "*",
    }


def root_of(account: str) -> dict[str, Any]:
    """The default key policy's statement: the account root, kms:*."""
    return {
        "Sid": "Enable IAM User Permissions",
        "Effect": "Allow",
        "Principal": {"AWS": f"arn:aws:iam::{account}:root"},
        "Action": "kms:*",
        "Resource": "*",
    }


def denial(call: Any) -> str:
    """The message of the AccessDeniedException (HTTP 400) `call` was answered with."""
    err = error_of(call)
    assert (err["Code"], err["Status"]) == ("AccessDeniedException", 400), err
    return str(err["Message"])


def not_allowed(principal: str, action: str, resource: str | None, by: str = "identity") -> str:
    on = "" if resource is None else f" on resource: {resource}"
    return (
        f"User: {principal} is not authorized to perform: {action}{on} "
        f"because no {by}-based policy allows the {action} action"
    )


def test_default_key_policy_lets_identity_policies_decide(server: LiveServer) -> None:
    account = server.account_id
    root = root_caller(server)
    owner = kms(root)
    made = owner.create_key(Description="app")["KeyMetadata"]
    arn, key_id = made["Arn"], made["KeyId"]
    assert arn == f"arn:aws:kms:{REGION}:{account}:key/{key_id}"
    other = owner.create_key()["KeyMetadata"]["Arn"]
    # moto's default key policy is AWS's: the account root, kms:*.
    default = json.loads(owner.get_key_policy(KeyId=key_id, PolicyName="default")["Policy"])
    assert default["Statement"] == [root_of(account)]

    alice = kms(root.new_user("alice", allow("kms:Encrypt", "kms:Decrypt", resource=arn)))
    sealed = alice.encrypt(KeyId=key_id, Plaintext=b"secret")
    assert sealed["KeyId"] == arn
    # Decrypt names no key: the key is the one that made the ciphertext.
    opened = alice.decrypt(CiphertextBlob=sealed["CiphertextBlob"])
    assert (opened["Plaintext"], opened["KeyId"]) == (b"secret", arn)

    user = f"arn:aws:iam::{account}:user/alice"
    message = denial(lambda: alice.encrypt(KeyId=other, Plaintext=b"x"))
    assert message == not_allowed(user, "kms:Encrypt", other)
    message = denial(lambda: alice.describe_key(KeyId=key_id))
    assert message == not_allowed(user, "kms:DescribeKey", arn)
    assert denial(lambda: alice.list_keys()) == not_allowed(user, "kms:ListKeys", None)

    # The account root named by the key policy grants nothing by itself.
    bob = kms(root.new_user("bob"))
    message = denial(lambda: bob.decrypt(CiphertextBlob=sealed["CiphertextBlob"]))
    assert message == not_allowed(f"arn:aws:iam::{account}:user/bob", "kms:Decrypt", arn)
    # The root user needs no identity policy.
    assert owner.decrypt(CiphertextBlob=sealed["CiphertextBlob"])["Plaintext"] == b"secret"


def test_a_key_policy_without_the_account_root_makes_iam_policies_useless(
    server: LiveServer,
) -> None:
    account = server.account_id
    root = root_caller(server)
    owner = kms(root)
    alice_arn = f"arn:aws:iam::{account}:user/alice"
    root.new_user("alice")  # no identity policy at all
    key_policy = policy(grant(alice_arn, "kms:Encrypt", "kms:Decrypt", "kms:DescribeKey"))
    made = owner.create_key(Policy=key_policy, BypassPolicyLockoutSafetyCheck=True)
    arn = made["KeyMetadata"]["Arn"]
    alice = kms(Caller(server, root.iam.create_access_key(UserName="alice")["AccessKey"]))
    bob = kms(root.new_user("bob", allow("kms:*")))

    # Named in the key policy, alice needs no identity policy.
    sealed = alice.encrypt(KeyId=arn, Plaintext=b"hello")["CiphertextBlob"]
    assert alice.decrypt(CiphertextBlob=sealed)["Plaintext"] == b"hello"
    assert alice.describe_key(KeyId=arn)["KeyMetadata"]["Arn"] == arn
    # Neither her identity policies nor the key policy allow the rest; the former are named.
    message = denial(lambda: alice.get_key_policy(KeyId=arn, PolicyName="default"))
    assert message == not_allowed(alice_arn, "kms:GetKeyPolicy", arn)

    # bob's kms:* identity policy is useless: the key policy does not name the account.
    bob_arn = f"arn:aws:iam::{account}:user/bob"
    message = denial(lambda: bob.encrypt(KeyId=arn, Plaintext=b"x"))
    assert message == not_allowed(bob_arn, "kms:Encrypt", arn, by="resource")
    message = denial(lambda: bob.decrypt(CiphertextBlob=sealed))
    assert message == not_allowed(bob_arn, "kms:Decrypt", arn, by="resource")
    # Nor may the account's root user touch it.
    root_arn = f"arn:aws:iam::{account}:root"
    message = denial(lambda: owner.put_key_policy(KeyId=arn, Policy=policy(root_of(account))))
    assert message == not_allowed(root_arn, "kms:PutKeyPolicy", arn, by="resource")
    # Listing keys is no use of a key: identity policies decide.
    assert [k["KeyArn"] for k in bob.list_keys()["Keys"]] == [arn]


def test_a_key_policy_deny_and_the_key_policy_replaced(server: LiveServer) -> None:
    account = server.account_id
    root = root_caller(server)
    owner = kms(root)
    arn = owner.create_key()["KeyMetadata"]["Arn"]
    alice_arn = f"arn:aws:iam::{account}:user/alice"
    alice = kms(root.new_user("alice", allow("kms:*")))
    alice.encrypt(KeyId=arn, Plaintext=b"x")
    deny = {**grant(alice_arn, "kms:Encrypt"), "Effect": "Deny"}
    owner.put_key_policy(KeyId=arn, PolicyName="default", Policy=policy(root_of(account), deny))
    message = denial(lambda: alice.encrypt(KeyId=arn, Plaintext=b"x"))
    assert message == (
        f"User: {alice_arn} is not authorized to perform: kms:Encrypt on resource: {arn} "
        "with an explicit deny in a resource-based policy"
    )
    alice.describe_key(KeyId=arn)


def test_another_account_needs_the_key_policy_and_its_own_identity_policy(
    server: LiveServer,
) -> None:
    org = create_org(server)
    a = org.management
    b = org.account("b")
    owner = kms(root_caller(server))
    b_root = f"arn:aws:iam::{b}:root"
    shared_policy = policy(
        root_of(a), grant(b_root, "kms:Encrypt", "kms:Decrypt", "kms:DescribeKey")
    )
    shared = owner.create_key(Policy=shared_policy)["KeyMetadata"]["Arn"]
    owner.create_alias(AliasName="alias/shared", TargetKeyId=shared)
    private = owner.create_key()["KeyMetadata"]["Arn"]
    b_admin = org.member(b)  # OrganizationAccountAccessRole: AdministratorAccess in B
    admin = kms(b_admin)
    session = f"arn:aws:sts::{b}:assumed-role/OrganizationAccountAccessRole/admin-{b}"

    sealed = admin.encrypt(KeyId=shared, Plaintext=b"from b")
    assert sealed["KeyId"] == shared
    # An alias of another account is named by its ARN, and resolves to the key in A.
    by_alias = admin.encrypt(KeyId=f"arn:aws:kms:{REGION}:{a}:alias/shared", Plaintext=b"x")
    assert by_alias["KeyId"] == shared
    # The ciphertext names A's key: B decrypts it in A, and A's root can too.
    assert admin.decrypt(CiphertextBlob=sealed["CiphertextBlob"])["Plaintext"] == b"from b"
    assert owner.decrypt(CiphertextBlob=sealed["CiphertextBlob"])["Plaintext"] == b"from b"
    message = denial(lambda: admin.get_key_rotation_status(KeyId=shared))
    assert message == not_allowed(session, "kms:GetKeyRotationStatus", shared, by="resource")
    # GetKeyPolicy is no cross-account operation ("Cross-account use: No"): the key ARN of
    # another account names no key the caller may manage.
    err = error_of(lambda: admin.get_key_policy(KeyId=shared, PolicyName="default"))
    assert (err["Code"], err["Message"]) == ("NotFoundException", f"Key '{shared}' does not exist")

    # B's administrator may do anything in B, but the private key's policy names A only.
    message = denial(lambda: admin.encrypt(KeyId=private, Plaintext=b"x"))
    assert message == not_allowed(session, "kms:Encrypt", private, by="resource")

    # The key policy trusts account B; a user of B must still be allowed by B's policies.
    carol = b_admin.new_user("carol")
    carol_arn = f"arn:aws:iam::{b}:user/carol"
    message = denial(lambda: kms(carol).encrypt(KeyId=shared, Plaintext=b"x"))
    assert message == not_allowed(carol_arn, "kms:Encrypt", shared)
    b_admin.iam.put_user_policy(
        UserName="carol",
        PolicyName="use",
        PolicyDocument=policy(allow("kms:Encrypt", resource=shared)),
    )
    kms(carol).encrypt(KeyId=shared, Plaintext=b"x")
    # A key id (not an ARN) names a key of the caller's own account.
    key_id = shared.rsplit("/", 1)[1]
    err = error_of(lambda: kms(carol).encrypt(KeyId=key_id, Plaintext=b"x"))
    assert (err["Code"], err["Message"]) == (
        "NotFoundException",
        f"Key 'arn:aws:kms:{REGION}:{b}:key/{key_id}' does not exist",
    )


def test_aliases_resolve_to_their_key(server: LiveServer) -> None:
    account = server.account_id
    root = root_caller(server)
    owner = kms(root)
    arn = owner.create_key()["KeyMetadata"]["Arn"]
    owner.create_alias(AliasName="alias/app", TargetKeyId=arn)
    alias_arn = f"arn:aws:kms:{REGION}:{account}:alias/app"

    # An identity policy on the key allows its use through the alias ...
    alice = kms(root.new_user("alice", allow("kms:Encrypt", resource=arn)))
    assert alice.encrypt(KeyId="alias/app", Plaintext=b"x")["KeyId"] == arn
    assert alice.encrypt(KeyId=alias_arn, Plaintext=b"x")["KeyId"] == arn
    # ... one on the alias does not: AWS authorizes the key.
    bob = kms(root.new_user("bob", allow("kms:Encrypt", resource=alias_arn)))
    message = denial(lambda: bob.encrypt(KeyId="alias/app", Plaintext=b"x"))
    assert message == not_allowed(f"arn:aws:iam::{account}:user/bob", "kms:Encrypt", arn)

    # kms:RequestAlias is the alias the request names; kms:ResourceAliases the key's aliases.
    by_alias = {"StringEquals": {"kms:RequestAlias": "alias/app"}}
    carol = kms(root.new_user("carol", allow("kms:Encrypt", Condition=by_alias)))
    carol.encrypt(KeyId=alias_arn, Plaintext=b"x")
    carol_arn = f"arn:aws:iam::{account}:user/carol"
    message = denial(lambda: carol.encrypt(KeyId=arn, Plaintext=b"x"))
    assert message == not_allowed(carol_arn, "kms:Encrypt", arn)
    aliased = {"ForAnyValue:StringEquals": {"kms:ResourceAliases": "alias/app"}}
    dave = kms(root.new_user("dave", allow("kms:Encrypt", Condition=aliased)))
    dave.encrypt(KeyId=arn, Plaintext=b"x")

    # CreateAlias is checked on the alias and on the key.
    erin = kms(root.new_user("erin", allow("kms:CreateAlias", resource=f"{alias_arn}2")))
    message = denial(lambda: erin.create_alias(AliasName="alias/app2", TargetKeyId=arn))
    assert message == not_allowed(f"arn:aws:iam::{account}:user/erin", "kms:CreateAlias", arn)
    root.iam.put_user_policy(
        UserName="erin",
        PolicyName="key",
        PolicyDocument=policy(allow("kms:CreateAlias", resource=arn)),
    )
    erin.create_alias(AliasName="alias/app2", TargetKeyId=arn)
    message = denial(lambda: erin.create_alias(AliasName="alias/app3", TargetKeyId=arn))
    assert message == not_allowed(
        f"arn:aws:iam::{account}:user/erin", "kms:CreateAlias", f"{alias_arn}3"
    )
    names = {a["AliasName"] for a in owner.list_aliases(KeyId=arn)["Aliases"]}
    assert {"alias/app", "alias/app2"} <= names
    assert "alias/app3" not in names

    err = error_of(lambda: alice.encrypt(KeyId="alias/none", Plaintext=b"x"))
    assert (err["Code"], err["Message"]) == (
        "NotFoundException",
        f"Alias arn:aws:kms:{REGION}:{account}:alias/none is not found.",
    )


def test_encryption_context_condition(server: LiveServer) -> None:
    account = server.account_id
    root = root_caller(server)
    owner = kms(root)
    arn = owner.create_key()["KeyMetadata"]["Arn"]
    alpha = {"StringEquals": {"kms:EncryptionContext:project": "alpha"}}
    alice = kms(root.new_user("alice", allow("kms:Encrypt", "kms:Decrypt", Condition=alpha)))
    user = f"arn:aws:iam::{account}:user/alice"

    sealed = alice.encrypt(KeyId=arn, Plaintext=b"x", EncryptionContext={"project": "alpha"})
    blob = sealed["CiphertextBlob"]
    opened = alice.decrypt(CiphertextBlob=blob, EncryptionContext={"project": "alpha"})
    assert opened["Plaintext"] == b"x"
    for context in ({}, {"project": "beta"}):
        message = denial(
            partial(alice.encrypt, KeyId=arn, Plaintext=b"x", EncryptionContext=context)
        )
        assert message == not_allowed(user, "kms:Encrypt", arn)
    message = denial(lambda: alice.decrypt(CiphertextBlob=blob))
    assert message == not_allowed(user, "kms:Decrypt", arn)


def test_resource_and_request_tags(server: LiveServer) -> None:
    account = server.account_id
    root = root_caller(server)
    owner = kms(root)
    blue = owner.create_key(Tags=[{"TagKey": "team", "TagValue": "blue"}])["KeyMetadata"]["Arn"]
    red = owner.create_key(Tags=[{"TagKey": "team", "TagValue": "red"}])["KeyMetadata"]["Arn"]
    on_blue = {"StringEquals": {"aws:ResourceTag/team": "blue"}}
    alice = kms(
        root.new_user("alice", allow("kms:Encrypt", Condition=on_blue), allow("kms:CreateKey"))
    )
    user = f"arn:aws:iam::{account}:user/alice"
    alice.encrypt(KeyId=blue, Plaintext=b"x")
    message = denial(lambda: alice.encrypt(KeyId=red, Plaintext=b"x"))
    assert message == not_allowed(user, "kms:Encrypt", red)
    owner.tag_resource(KeyId=red, Tags=[{"TagKey": "team", "TagValue": "blue"}])
    alice.encrypt(KeyId=red, Plaintext=b"x")

    # Tags given to CreateKey take kms:TagResource too.
    alice.create_key()
    tagged = [{"TagKey": "team", "TagValue": "blue"}]
    message = denial(lambda: alice.create_key(Tags=tagged))
    assert message == not_allowed(user, "kms:TagResource", None)
    assert len(owner.list_keys()["Keys"]) == 3


def test_malformed_key_policies_and_dry_runs(server: LiveServer) -> None:
    account = server.account_id
    root = root_caller(server)
    owner = kms(root)
    key_id = owner.create_key()["KeyMetadata"]["KeyId"]
    no_principal = policy({"Effect": "Allow", "Action": "kms:*", "Resource": "*"})
    for bad in (no_principal, "{not json"):
        err = error_of(partial(owner.put_key_policy, KeyId=key_id, Policy=bad))
        assert (err["Code"], err["Status"]) == ("MalformedPolicyDocumentException", 400), err
        err = error_of(partial(owner.create_key, Policy=bad))
        assert err["Code"] == "MalformedPolicyDocumentException"
    assert len(owner.list_keys()["Keys"]) == 1
    stored = owner.get_key_policy(KeyId=key_id, PolicyName="default")["Policy"]
    assert json.loads(stored)["Statement"] == [root_of(account)]

    # A dry run is authorized, then answered without reaching the key.
    err = error_of(lambda: owner.encrypt(KeyId=key_id, Plaintext=b"x", DryRun=True))
    assert (err["Code"], err["Status"]) == ("DryRunOperationException", 412), err
    alice = kms(root.new_user("alice"))
    message = denial(lambda: alice.encrypt(KeyId=key_id, Plaintext=b"x", DryRun=True))
    arn = f"arn:aws:kms:{REGION}:{account}:key/{key_id}"
    assert message == not_allowed(f"arn:aws:iam::{account}:user/alice", "kms:Encrypt", arn)
