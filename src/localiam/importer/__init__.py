"""Importing a real account: `localiam import FILE [--organization ORGFILE]`.

FILE is what `aws iam get-account-authorization-details` prints (every page); ORGFILE describes
an organization in localiam's format (see `localiam.importer._organization`). Both are read and
checked in full before the store is touched, each problem reported with its file and place
(`RoleDetailList[12].RolePolicyList[0].PolicyDocument: ...`); then everything is written in one
transaction, so a failed import leaves nothing behind.
"""

from localiam.importer._authorization_details import (
    DEFAULT_ACCOUNT,
    AccountImport,
    Entity,
    read_authorization_details,
    source_account,
)
from localiam.importer._command import ImportOptions, run_import
from localiam.importer._load import Loaded, load
from localiam.importer._organization import OrganizationImport, read_organization
from localiam.importer._source import InvalidImport

__all__ = [
    "DEFAULT_ACCOUNT",
    "AccountImport",
    "Entity",
    "ImportOptions",
    "InvalidImport",
    "Loaded",
    "OrganizationImport",
    "load",
    "read_authorization_details",
    "read_organization",
    "run_import",
    "source_account",
]
