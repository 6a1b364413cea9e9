"""Service-specific credentials, STS preferences, outbound identity federation, the operations
that need an organization or an AWS partner, and UpdateOpenIDConnectProvider, through boto3 and
the AWS CLI against a live server."""

from __future__ import annotations

import base64
import json
import re
from collections.abc import Callable
from typing import Any

import botocore.exceptions
import pytest

from live_server import LiveServer

ACCOUNT = "123456789012"


def error_of(call: Callable[[], object]) -> dict[str, Any]:
    with pytest.raises(botocore.exceptions.ClientError) as info:
        call()
    response = info.value.response
    return {**response["Error"], "Status": response["ResponseMetadata"]["HTTPStatusCode"]}


def test_service_specific_credentials_through_boto3_and_the_cli(server: LiveServer) -> None:
    iam = server.client()
    iam.create_user(UserName="carol")
    made = iam.create_service_specific_credential(
        UserName="carol", ServiceName="codecommit.amazonaws.com"
    )["ServiceSpecificCredential"]
    credential_id = made["ServiceSpecificCredentialId"]
    assert made["ServiceUserName"] == f"carol-at-{ACCOUNT}" and len(made["ServicePassword"]) == 44
    iam.create_service_specific_credential(UserName="carol", ServiceName="codecommit.amazonaws.com")
    third = error_of(
        lambda: iam.create_service_specific_credential(
            UserName="carol", ServiceName="codecommit.amazonaws.com"
        )
    )
    assert (third["Code"], third["Status"]) == ("LimitExceeded", 409)
    unsupported = error_of(
        lambda: iam.create_service_specific_credential(
            UserName="carol", ServiceName="s3.amazonaws.com"
        )
    )
    assert (unsupported["Code"], unsupported["Status"]) == ("NotSupportedService", 404)

    reset = iam.reset_service_specific_credential(
        UserName="carol", ServiceSpecificCredentialId=credential_id
    )["ServiceSpecificCredential"]
    assert reset["ServicePassword"] != made["ServicePassword"]
    iam.update_service_specific_credential(
        UserName="carol", ServiceSpecificCredentialId=credential_id, Status="Inactive"
    )
    listed = iam.list_service_specific_credentials(UserName="carol")["ServiceSpecificCredentials"]
    statuses = {c["ServiceSpecificCredentialId"]: c["Status"] for c in listed}
    assert statuses[credential_id] == "Inactive" and len(statuses) == 2
    assert all("ServicePassword" not in c for c in listed)
    iam.delete_service_specific_credential(
        UserName="carol", ServiceSpecificCredentialId=credential_id
    )
    gone = error_of(
        lambda: iam.delete_service_specific_credential(
            UserName="carol", ServiceSpecificCredentialId=credential_id
        )
    )
    assert gone["Code"] == "NoSuchEntity"

    bedrock = server.cli(
        "iam",
        "create-service-specific-credential",
        "--user-name",
        "carol",
        "--service-name",
        "bedrock.amazonaws.com",
        "--credential-age-days",
        "30",
    )
    assert bedrock.code == 0, bedrock.stderr
    key = bedrock.json()["ServiceSpecificCredential"]
    assert key["ServiceCredentialAlias"] == f"carol-at-{ACCOUNT}" and "ExpirationDate" in key
    assert key["ServiceCredentialSecret"].startswith("ABSK")
    assert base64.b64decode(key["ServiceCredentialSecret"][4:]).startswith(b"carol-at-")
    everyone = iam.list_service_specific_credentials(AllUsers=True)["ServiceSpecificCredentials"]
    assert sorted(c["ServiceName"] for c in everyone) == [
        "bedrock.amazonaws.com",
        "codecommit.amazonaws.com",
    ]


def test_a_user_manages_its_own_credentials_only_when_allowed(server: LiveServer) -> None:
    iam = server.client()
    user_arn = iam.create_user(UserName="dave")["User"]["Arn"]
    key = iam.create_access_key(UserName="dave")["AccessKey"]
    dave = server.client(key=key["AccessKeyId"], secret=key["SecretAccessKey"])
    denied = error_of(
        lambda: dave.create_service_specific_credential(
            UserName="dave", ServiceName="codecommit.amazonaws.com"
        )
    )
    assert denied["Code"] == "AccessDenied"
    policy = {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Action": ["iam:*ServiceSpecificCredential*"],
                "Resource": user_arn,
            }
        ],
    }
    iam.put_user_policy(UserName="dave", PolicyName="own", PolicyDocument=json.dumps(policy))
    made = dave.create_service_specific_credential(
        UserName="dave", ServiceName="cassandra.amazonaws.com"
    )["ServiceSpecificCredential"]
    # Without UserName, the calling user's own credentials.
    [mine] = dave.list_service_specific_credentials()["ServiceSpecificCredentials"]
    assert mine["ServiceSpecificCredentialId"] == made["ServiceSpecificCredentialId"]


def test_sts_preferences_show_in_the_account_summary(server: LiveServer) -> None:
    iam = server.client()
    summary = iam.get_account_summary()["SummaryMap"]
    assert summary["GlobalEndpointTokenVersion"] == 1
    changed = server.cli(
        "iam",
        "set-security-token-service-preferences",
        "--global-endpoint-token-version",
        "v2Token",
    )
    assert changed.code == 0, changed.stderr
    assert iam.get_account_summary()["SummaryMap"]["GlobalEndpointTokenVersion"] == 2
    bad = error_of(
        lambda: iam.set_security_token_service_preferences(GlobalEndpointTokenVersion="v3Token")
    )
    assert bad["Code"] == "ValidationError"


def test_outbound_identity_federation(server: LiveServer) -> None:
    iam = server.client()
    disabled = error_of(lambda: iam.get_outbound_web_identity_federation_info())
    assert (disabled["Code"], disabled["Status"]) == ("FeatureDisabled", 404)
    enabled = server.cli("iam", "enable-outbound-web-identity-federation")
    assert enabled.code == 0, enabled.stderr
    issuer = enabled.json()["IssuerIdentifier"]
    assert re.fullmatch(r"https://[0-9a-f-]{36}\.tokens\.sts\.global\.api\.aws", issuer)
    with pytest.raises(iam.exceptions.FeatureEnabledException):
        iam.enable_outbound_web_identity_federation()
    info = iam.get_outbound_web_identity_federation_info()
    assert (info["IssuerIdentifier"], info["JwtVendingEnabled"]) == (issuer, True)
    iam.disable_outbound_web_identity_federation()
    with pytest.raises(iam.exceptions.FeatureDisabledException):
        iam.disable_outbound_web_identity_federation()
    assert iam.enable_outbound_web_identity_federation()["IssuerIdentifier"] == issuer


def test_organization_and_partner_operations_answer_as_for_a_standalone_account(
    server: LiveServer,
) -> None:
    iam = server.client()
    with pytest.raises(iam.exceptions.OrganizationNotFoundException):
        iam.list_organizations_features()
    cli = server.cli("iam", "enable-organizations-root-sessions")
    assert cli.code != 0 and "OrganizationNotFoundException" in cli.stderr

    assert iam.list_delegation_requests()["DelegationRequests"] == []
    with pytest.raises(iam.exceptions.NoSuchEntityException):
        iam.get_delegation_request(DelegationRequestId="dr-0123456789abcdef")
    created = error_of(
        lambda: iam.create_delegation_request(
            Description="access",
            Permissions={"PolicyTemplateArn": "arn:aws:iam::aws:policy-template/partner/x"},
            RequestorWorkflowId="workflow-1",
            NotificationChannel="arn:aws:sns:us-east-1:111122223333:topic",
            SessionDuration=900,
        )
    )
    assert (created["Code"], created["Status"]) == ("NotImplemented", 501)
    properties = error_of(lambda: iam.get_account_properties())
    assert properties["Code"] == "NotImplemented"
    assert properties["Message"].startswith("localiam does not implement iam:GetAccountProperties")


def test_update_oidc_provider(server: LiveServer) -> None:
    iam = server.client()
    arn = iam.create_open_id_connect_provider(Url="https://idp.example.com")[
        "OpenIDConnectProviderArn"
    ]
    iam.update_open_id_connect_provider(OpenIDConnectProviderArn=arn, RemoveContextProvider=True)
    both = error_of(
        lambda: iam.update_open_id_connect_provider(
            OpenIDConnectProviderArn=arn,
            RemoveContextProvider=True,
            RemoveIdentityCenterInstance=True,
        )
    )
    assert both["Code"] == "InvalidInput"
    missing = error_of(
        lambda: iam.update_open_id_connect_provider(
            OpenIDConnectProviderArn=f"arn:aws:iam::{ACCOUNT}:oidc-provider/nobody.example.com",
            RemoveContextProvider=True,
        )
    )
    assert missing["Code"] == "NoSuchEntity"
