"""Service-specific credentials, account settings, outbound identity federation, the
Organizations-only and partner-only operations, UpdateOpenIDConnectProvider and stored access
report jobs, on a migrated SQLite store as the root user. Every result is encoded with the
botocore model, so a member the output shape does not define fails the test."""

from __future__ import annotations

import base64
import random
import re
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from localiam.catalog import ManagedPolicies
from localiam.policy import parse_caller
from localiam.protocol import ServiceError, encode_query_result, load_service_model
from localiam.services.iam._access_reports import HANDLERS as REPORTS
from localiam.services.iam._account import HANDLERS as ACCOUNT_HANDLERS
from localiam.services.iam._account_settings import HANDLERS as SETTINGS
from localiam.services.iam._context import IamContext
from localiam.services.iam._identity_providers import HANDLERS as PROVIDERS
from localiam.services.iam._newer_features import HANDLERS as NEWER
from localiam.services.iam._service import all_handlers
from localiam.services.iam._service_credentials import HANDLERS as SERVICE_CREDENTIALS
from localiam.services.iam._users import HANDLERS as USERS
from localiam.store import Database, IdGenerator, Secrets, Session, select
from localiam.store.models import (
    AccessReportJob,
    Account,
    ReportKind,
    ServiceSpecificCredential,
    User,
)

ACCOUNT = "123456789012"
NOW = datetime(2026, 3, 4, 5, 6, 7, tzinfo=UTC)
MODEL = load_service_model("iam")
HANDLERS = {
    **USERS,
    **SERVICE_CREDENTIALS,
    **SETTINGS,
    **ACCOUNT_HANDLERS,
    **NEWER,
    **PROVIDERS,
    **REPORTS,
}


class Iam:
    """Calls handlers as the root user (or a user) in one transaction, at a settable time."""

    def __init__(self, session: Session) -> None:
        self.session = session
        self.now = NOW
        self.ids = IdGenerator(random.Random(7))
        self.secrets = Secrets(Secrets.generate_key())
        self.managed = ManagedPolicies({"asOf": "test", "policies": []})
        self.caller_user: User | None = None

    def __call__(self, operation: str, **params: Any) -> dict[str, Any]:
        user = self.caller_user
        ctx = IamContext(
            session=self.session,
            account_id=ACCOUNT,
            caller=parse_caller(f"arn:aws:iam::{ACCOUNT}:root" if user is None else user.arn),
            caller_user_id=None if user is None else user.user_id,
            now=self.now,
            ids=self.ids,
            secrets=self.secrets,
            managed=self.managed,
        )
        result = HANDLERS[operation](ctx, params)
        self.session.flush()
        encode_query_result(MODEL.operation_model(operation), result, "req")
        return result

    def error(self, operation: str, **params: Any) -> ServiceError:
        with pytest.raises(ServiceError) as info:
            self(operation, **params)
        return info.value


@pytest.fixture
def iam(tmp_path: Path) -> Iterator[Iam]:
    db = Database(f"sqlite:///{tmp_path / 'localiam.db'}")
    with db.transaction() as s:
        s.add(Account(id=ACCOUNT, created_at=NOW))
    with db.transaction() as s:
        yield Iam(s)
    db.close()


def test_every_operation_of_the_botocore_model_has_a_handler() -> None:
    assert set(MODEL.operation_names) - set(all_handlers()) == set()


# -- service-specific credentials --------------------------------------------------------------


def test_a_codecommit_credential_from_creation_to_deletion(iam: Iam) -> None:
    iam("CreateUser", UserName="carol")
    made = iam(
        "CreateServiceSpecificCredential", UserName="carol", ServiceName="codecommit.amazonaws.com"
    )["ServiceSpecificCredential"]
    credential_id, password = made["ServiceSpecificCredentialId"], made["ServicePassword"]
    assert re.fullmatch(r"ACCA[A-Z2-7]{17}", credential_id)
    assert made["ServiceUserName"] == f"carol-at-{ACCOUNT}"
    assert made["Status"] == "Active" and made["CreateDate"] == NOW
    assert len(password) == 44 and len(base64.b64decode(password)) == 32
    assert "ServiceCredentialSecret" not in made and "ExpirationDate" not in made
    row = iam.session.get(ServiceSpecificCredential, credential_id)
    assert row is not None and password not in row.secret_encrypted
    assert iam.secrets.decrypt(row.secret_encrypted) == password

    listed = iam("ListServiceSpecificCredentials", UserName="carol")
    assert listed == {
        "ServiceSpecificCredentials": [
            {
                "UserName": "carol",
                "Status": "Active",
                "CreateDate": NOW,
                "ServiceSpecificCredentialId": credential_id,
                "ServiceName": "codecommit.amazonaws.com",
                "ServiceUserName": f"carol-at-{ACCOUNT}",
            }
        ],
        "IsTruncated": False,
    }

    reset = iam(
        "ResetServiceSpecificCredential",
        UserName="carol",
        ServiceSpecificCredentialId=credential_id,
    )["ServiceSpecificCredential"]
    assert reset["ServiceSpecificCredentialId"] == credential_id
    assert reset["ServicePassword"] != password
    assert iam.secrets.decrypt(row.secret_encrypted) == reset["ServicePassword"]

    iam(
        "UpdateServiceSpecificCredential",
        UserName="carol",
        ServiceSpecificCredentialId=credential_id,
        Status="Inactive",
    )
    [only] = iam("ListServiceSpecificCredentials", UserName="carol")["ServiceSpecificCredentials"]
    assert only["Status"] == "Inactive"
    expired = iam.error(
        "UpdateServiceSpecificCredential",
        UserName="carol",
        ServiceSpecificCredentialId=credential_id,
        Status="Expired",
    )
    assert expired.code == "InvalidInput"

    iam(
        "DeleteServiceSpecificCredential",
        UserName="carol",
        ServiceSpecificCredentialId=credential_id,
    )
    assert (
        iam("ListServiceSpecificCredentials", UserName="carol")["ServiceSpecificCredentials"] == []
    )
    gone = iam.error(
        "DeleteServiceSpecificCredential",
        UserName="carol",
        ServiceSpecificCredentialId=credential_id,
    )
    assert (gone.code, gone.status) == ("NoSuchEntity", 404)


def test_two_credentials_per_user_and_service(iam: Iam) -> None:
    iam("CreateUser", UserName="carol")
    for _ in range(2):
        iam(
            "CreateServiceSpecificCredential",
            UserName="carol",
            ServiceName="cassandra.amazonaws.com",
        )
    third = iam.error(
        "CreateServiceSpecificCredential", UserName="carol", ServiceName="cassandra.amazonaws.com"
    )
    assert (third.code, third.status) == ("LimitExceeded", 409)
    other_service = iam(
        "CreateServiceSpecificCredential", UserName="carol", ServiceName="codecommit.amazonaws.com"
    )
    assert other_service["ServiceSpecificCredential"]["ServiceName"] == "codecommit.amazonaws.com"
    keyspaces = iam(
        "ListServiceSpecificCredentials", UserName="carol", ServiceName="cassandra.amazonaws.com"
    )
    assert len(keyspaces["ServiceSpecificCredentials"]) == 2


def test_a_bedrock_api_key_has_an_alias_a_secret_and_an_expiry(iam: Iam) -> None:
    iam("CreateUser", UserName="bedrock-user")
    made = iam(
        "CreateServiceSpecificCredential",
        UserName="bedrock-user",
        ServiceName="bedrock.amazonaws.com",
        CredentialAgeDays=30,
    )["ServiceSpecificCredential"]
    alias = f"bedrock-user-at-{ACCOUNT}"
    assert made["ServiceCredentialAlias"] == alias
    assert made["ExpirationDate"] == NOW + timedelta(days=30)
    assert "ServiceUserName" not in made and "ServicePassword" not in made
    secret = made["ServiceCredentialSecret"]
    assert secret.startswith("ABSK")
    assert base64.b64decode(secret[4:]).decode().startswith(f"{alias}:")

    iam.now = NOW + timedelta(days=31)
    [listed] = iam("ListServiceSpecificCredentials", UserName="bedrock-user")[
        "ServiceSpecificCredentials"
    ]
    assert listed["Status"] == "Expired" and listed["ServiceCredentialAlias"] == alias
    assert "ServiceCredentialSecret" not in listed

    not_a_key = iam.error(
        "CreateServiceSpecificCredential",
        UserName="bedrock-user",
        ServiceName="codecommit.amazonaws.com",
        CredentialAgeDays=30,
    )
    assert not_a_key.code == "InvalidInput"


def test_unknown_users_services_and_credentials(iam: Iam) -> None:
    iam("CreateUser", UserName="carol")
    iam("CreateUser", UserName="dave")
    nobody = iam.error(
        "CreateServiceSpecificCredential", UserName="nobody", ServiceName="codecommit.amazonaws.com"
    )
    assert nobody.code == "NoSuchEntity"
    for operation in ("CreateServiceSpecificCredential", "ListServiceSpecificCredentials"):
        unsupported = iam.error(operation, UserName="carol", ServiceName="s3.amazonaws.com")
        assert (unsupported.code, unsupported.status) == ("NotSupportedService", 404)
    carols = iam(
        "CreateServiceSpecificCredential", UserName="carol", ServiceName="codecommit.amazonaws.com"
    )["ServiceSpecificCredential"]["ServiceSpecificCredentialId"]
    # Another user's credential is not found through dave, nor through the root user itself.
    for params in ({"UserName": "dave"}, {}):
        missing = iam.error(
            "ResetServiceSpecificCredential", ServiceSpecificCredentialId=carols, **params
        )
        assert missing.code == "NoSuchEntity"


def test_listings_of_every_user_and_of_the_calling_user(iam: Iam) -> None:
    for name in ("carol", "alice", "bob"):
        iam("CreateUser", UserName=name)
        iam(
            "CreateServiceSpecificCredential", UserName=name, ServiceName="codecommit.amazonaws.com"
        )
    iam("CreateServiceSpecificCredential", UserName="bob", ServiceName="bedrock.amazonaws.com")

    everyone = iam("ListServiceSpecificCredentials", AllUsers=True)
    assert [c["UserName"] for c in everyone["ServiceSpecificCredentials"]] == [
        "alice",
        "bob",
        "bob",
        "carol",
    ]
    keys = iam("ListServiceSpecificCredentials", AllUsers=True, ServiceName="bedrock.amazonaws.com")
    assert [c["UserName"] for c in keys["ServiceSpecificCredentials"]] == ["bob"]

    first = iam("ListServiceSpecificCredentials", AllUsers=True, MaxItems=3)
    assert first["IsTruncated"] is True and len(first["ServiceSpecificCredentials"]) == 3
    rest = iam("ListServiceSpecificCredentials", AllUsers=True, Marker=first["Marker"])
    assert [c["UserName"] for c in rest["ServiceSpecificCredentials"]] == ["carol"]
    assert rest["IsTruncated"] is False

    both = iam.error("ListServiceSpecificCredentials", AllUsers=True, UserName="bob")
    assert both.code == "InvalidInput"
    # The root user has no service-specific credentials of its own.
    assert iam("ListServiceSpecificCredentials")["ServiceSpecificCredentials"] == []
    iam.caller_user = iam.session.scalars(select(User).where(User.name == "alice")).one()
    mine = iam("ListServiceSpecificCredentials")["ServiceSpecificCredentials"]
    assert [c["UserName"] for c in mine] == ["alice"]


def test_deleting_a_user_deletes_its_credentials(iam: Iam) -> None:
    user = iam("CreateUser", UserName="carol")["User"]
    iam("CreateServiceSpecificCredential", UserName="carol", ServiceName="codecommit.amazonaws.com")
    row = iam.session.get(User, user["UserId"])
    assert row is not None
    iam.session.delete(row)
    iam.session.flush()
    iam.session.expire_all()
    assert iam.session.scalars(select(ServiceSpecificCredential)).all() == []


# -- account settings --------------------------------------------------------------------------


def test_sts_preferences_set_the_summarys_token_version(iam: Iam) -> None:
    def version() -> int:
        return int(iam("GetAccountSummary")["SummaryMap"]["GlobalEndpointTokenVersion"])

    assert version() == 1
    assert iam("SetSecurityTokenServicePreferences", GlobalEndpointTokenVersion="v2Token") == {}
    account = iam.session.get(Account, ACCOUNT)
    assert account is not None and account.sts_global_endpoint_token_version == "v2Token"
    assert version() == 2
    iam("SetSecurityTokenServicePreferences", GlobalEndpointTokenVersion="v1Token")
    assert version() == 1


def test_outbound_identity_federation_keeps_the_accounts_issuer(iam: Iam) -> None:
    for operation in (
        "GetOutboundWebIdentityFederationInfo",
        "DisableOutboundWebIdentityFederation",
    ):
        disabled = iam.error(operation)
        assert (disabled.code, disabled.status) == ("FeatureDisabled", 404)
    issuer = iam("EnableOutboundWebIdentityFederation")["IssuerIdentifier"]
    assert re.fullmatch(r"https://[0-9a-f-]{36}\.tokens\.sts\.global\.api\.aws", issuer)
    again = iam.error("EnableOutboundWebIdentityFederation")
    assert (again.code, again.status) == ("FeatureEnabled", 409)
    assert iam("GetOutboundWebIdentityFederationInfo") == {
        "IssuerIdentifier": issuer,
        "JwtVendingEnabled": True,
    }
    assert iam("DisableOutboundWebIdentityFederation") == {}
    assert iam.error("GetOutboundWebIdentityFederationInfo").code == "FeatureDisabled"
    assert iam("EnableOutboundWebIdentityFederation")["IssuerIdentifier"] == issuer


# -- operations of organizations, partners and AWS services -----------------------------------


@pytest.mark.parametrize(
    "operation",
    [
        "ListOrganizationsFeatures",
        "EnableOrganizationsRootCredentialsManagement",
        "DisableOrganizationsRootCredentialsManagement",
        "EnableOrganizationsRootSessions",
        "DisableOrganizationsRootSessions",
    ],
)
def test_centralized_root_access_needs_an_organization(iam: Iam, operation: str) -> None:
    error = iam.error(operation)
    assert (error.code, error.status, error.sender) == ("OrganizationNotFoundException", 400, True)
    assert ACCOUNT in error.message


def test_no_delegation_request_exists(iam: Iam) -> None:
    created = iam.error(
        "CreateDelegationRequest",
        Description="d",
        Permissions={},
        RequestorWorkflowId="wf-12345",
        NotificationChannel="arn:aws:sns:us-east-1:111122223333:topic",
        SessionDuration=900,
    )
    assert (created.code, created.status, created.sender) == ("NotImplemented", 501, False)
    assert created.message.startswith(
        "localiam does not implement iam:CreateDelegationRequest yet: "
    )
    assert iam("ListDelegationRequests") == {"DelegationRequests": [], "isTruncated": False}
    request_id = "dr-0123456789abcdef"
    for operation in (
        "GetDelegationRequest",
        "AssociateDelegationRequest",
        "UpdateDelegationRequest",
        "AcceptDelegationRequest",
        "RejectDelegationRequest",
        "SendDelegationToken",
    ):
        missing = iam.error(operation, DelegationRequestId=request_id)
        assert (missing.code, missing.status) == ("NoSuchEntity", 404)
        assert request_id in missing.message
    summary = iam.error(
        "GetHumanReadableSummary",
        EntityArn=f"arn:aws:iam::{ACCOUNT}:delegation-request/{request_id}",
    )
    assert summary.code == "NoSuchEntity"
    not_summarized = iam.error("GetHumanReadableSummary", EntityArn=f"arn:aws:iam::{ACCOUNT}:root")
    assert not_summarized.code == "InvalidInput"


@pytest.mark.parametrize(
    ("operation", "params", "reason"),
    [
        ("GetAccountProperties", {}, "names no account property"),
        ("PutAccountProperties", {"Properties": {"RoleManager/Enabled": "true"}}, "names no"),
        ("AcquireRole", {"TemplateArn": "arn:aws:iam::aws:role-template/x/y:1"}, "ships none"),
        ("GetRoleTemplateVersion", {"TemplateArn": "arn:aws:iam::aws:role-template/x/y:1"}, ""),
    ],
)
def test_operations_without_data_say_why(
    iam: Iam, operation: str, params: dict[str, Any], reason: str
) -> None:
    error = iam.error(operation, **params)
    assert (error.code, error.status, error.sender) == ("NotImplemented", 501, False)
    assert error.message.startswith(f"localiam does not implement iam:{operation} yet: ")
    assert reason in error.message


# -- UpdateOpenIDConnectProvider ---------------------------------------------------------------


def test_update_oidc_provider_follows_the_models_rules(iam: Iam) -> None:
    arn = iam("CreateOpenIDConnectProvider", Url="https://idp.example.com")[
        "OpenIDConnectProviderArn"
    ]
    context = {"SubjectSourceKey": "sub"}
    center = "arn:aws:sso:::instance/ssoins-1234567890abcdef"
    refused: list[dict[str, Any]] = [
        {"ContextProvider": context, "RemoveContextProvider": True},
        {"IdentityCenterInstanceArn": center, "RemoveIdentityCenterInstance": True},
        {"RemoveContextProvider": True, "RemoveIdentityCenterInstance": True},
        {"ContextProvider": context, "IdentityCenterInstanceArn": center},
        {},
        {"RemoveContextProvider": False},
    ]
    for params in refused:
        error = iam.error("UpdateOpenIDConnectProvider", OpenIDConnectProviderArn=arn, **params)
        assert error.code == "InvalidInput", params
    missing = iam.error(
        "UpdateOpenIDConnectProvider",
        OpenIDConnectProviderArn=f"arn:aws:iam::{ACCOUNT}:oidc-provider/other.example.com",
        RemoveContextProvider=True,
    )
    assert missing.code == "NoSuchEntity"
    setting: list[dict[str, Any]] = [
        {"ContextProvider": context},
        {"IdentityCenterInstanceArn": center},
    ]
    for params in setting:
        stored = iam.error("UpdateOpenIDConnectProvider", OpenIDConnectProviderArn=arn, **params)
        assert (stored.code, stored.status) == ("NotImplemented", 501)
    for flag in ("RemoveContextProvider", "RemoveIdentityCenterInstance"):
        assert (
            iam("UpdateOpenIDConnectProvider", OpenIDConnectProviderArn=arn, **{flag: True}) == {}
        )
    got = iam("GetOpenIDConnectProvider", OpenIDConnectProviderArn=arn)
    assert "ContextProvider" not in got and "IdentityCenterInstanceArn" not in got


# -- access report jobs ------------------------------------------------------------------------


def test_access_report_jobs_are_stored_rows(iam: Iam) -> None:
    alice = iam("CreateUser", UserName="alice")["User"]["Arn"]
    job_id = iam("GenerateServiceLastAccessedDetails", Arn=alice, Granularity="ACTION_LEVEL")[
        "JobId"
    ]
    job = iam.session.get(AccessReportJob, job_id)
    assert job is not None
    assert (job.kind, job.subject, job.granularity) == (
        ReportKind.SERVICE_LAST_ACCESSED,
        alice,
        "ACTION_LEVEL",
    )
    assert job.created_at == job.completed_at == NOW
    iam.now = NOW + timedelta(hours=1)
    report = iam("GetServiceLastAccessedDetails", JobId=job_id)
    assert (report["JobType"], report["JobCreationDate"]) == ("ACTION_LEVEL", NOW)

    org_job = iam("GenerateOrganizationsAccessReport", EntityPath="o-a1b2c3d4e5/r-ab12")["JobId"]
    stored = iam.session.get(AccessReportJob, org_job)
    assert stored is not None and stored.kind is ReportKind.ORGANIZATIONS
    assert stored.subject == "o-a1b2c3d4e5/r-ab12" and stored.granularity is None
    assert iam("GetOrganizationsAccessReport", JobId=org_job)["JobStatus"] == "FAILED"
    assert iam.error("GetOrganizationsAccessReport", JobId=job_id).code == "NoSuchEntity"

    iam("DeleteUser", UserName="alice")
    assert iam.error("GetServiceLastAccessedDetails", JobId=job_id).code == "NoSuchEntity"
