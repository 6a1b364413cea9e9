"""The ORM models: the persistent shape of IAM, every row scoped by a 12-digit `account_id`.

Models are typed dataclasses (keyword-only constructors). Unique ids, ARNs and timestamps are
given by the caller (from an injected `IdGenerator` and clock); nothing here reads the clock.
Names of users, groups, roles, instance profiles, managed policies, server certificates, MFA
devices and SAML providers are unique per account ignoring case, through the generated column
`name_lower` and a unique index on `(account_id, name_lower)`.
"""

from localiam.store.models._account import Account
from localiam.store.models._base import Base, KeyStatus, PrincipalType
from localiam.store.models._credentials import (
    AccessKey,
    LoginProfile,
    MfaDevice,
    ServerCertificate,
    ServiceSpecificCredential,
    SigningCertificate,
    SshPublicKey,
)
from localiam.store.models._federation import OpenIdConnectProvider, SamlProvider
from localiam.store.models._organizations import (
    CreateAccountRequest,
    OrgAccount,
    Organization,
    OrgPolicy,
    OrgPolicyAttachment,
    OrgUnit,
)
from localiam.store.models._policies import (
    InlinePolicy,
    ManagedPolicy,
    PolicyAttachment,
    PolicyVersion,
)
from localiam.store.models._principals import (
    Group,
    GroupMembership,
    InstanceProfile,
    InstanceProfileRole,
    Role,
    User,
)
from localiam.store.models._records import AccessReportJob, AuditEvent, ReportKind, Tag
from localiam.store.models._sessions import StsSession

__all__ = [
    "AccessKey",
    "AccessReportJob",
    "Account",
    "AuditEvent",
    "Base",
    "CreateAccountRequest",
    "Group",
    "GroupMembership",
    "InlinePolicy",
    "InstanceProfile",
    "InstanceProfileRole",
    "KeyStatus",
    "LoginProfile",
    "ManagedPolicy",
    "MfaDevice",
    "OpenIdConnectProvider",
    "OrgAccount",
    "OrgPolicy",
    "OrgPolicyAttachment",
    "OrgUnit",
    "Organization",
    "PolicyAttachment",
    "PolicyVersion",
    "PrincipalType",
    "ReportKind",
    "Role",
    "SamlProvider",
    "ServerCertificate",
    "ServiceSpecificCredential",
    "SigningCertificate",
    "SshPublicKey",
    "StsSession",
    "Tag",
    "User",
]
