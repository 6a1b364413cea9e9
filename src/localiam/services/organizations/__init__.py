"""The AWS Organizations API over the store: the organization, its tree of OUs, member accounts,
SCPs and RCPs; every call authorized by the policy engine.

This package's `__init__` stays light: `services._orgscope` (which every service's authorization
uses) reads `_names` and `_tree`, so importing the service itself here would be circular. The
service is `localiam.services.organizations._service.OrganizationsService`.
"""

from localiam.services.organizations._names import OrgIds

__all__ = ["OrgIds"]
