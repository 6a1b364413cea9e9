"""botocore service models: loading them, and the few facts the wire needs from them.

botocore ships no type information, so its objects are `Any` here and in the modules that
walk them; the functions of this package are typed at their own boundary.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

import botocore.loaders  # type: ignore[import-untyped, unused-ignore]
import botocore.model  # type: ignore[import-untyped, unused-ignore]


@lru_cache(maxsize=16)
def load_service_model(name: str) -> botocore.model.ServiceModel:
    """The botocore `ServiceModel` of service `name` (`iam`, `sts`), newest API version.

    Loading parses a large JSON file, so the result is cached for the process; models are
    treated as immutable by everything in localiam.
    """
    loader = botocore.loaders.Loader()
    data = loader.load_service_model(name, "service-2")
    return botocore.model.ServiceModel(data, service_name=name)


def api_version(model: Any) -> str:
    """The model's API version, which query requests send as `Version`: `2010-05-08`."""
    return str(model.metadata["apiVersion"])


def xml_namespace(model: Any) -> str | None:
    """The XML namespace of the service's documents, or None when the model names none."""
    namespace = model.metadata.get("xmlNamespace")
    if isinstance(namespace, dict):
        namespace = namespace.get("uri")
    return str(namespace) if namespace else None


def wire_name(shape: Any, member_name: str) -> str:
    """The name a structure member has on the wire (its `locationName`, else its own).

    A flattened list whose members carry a `locationName` is written under that name, as
    botocore's serializer and parser do.
    """
    if shape.type_name == "list" and shape.serialization.get("flattened"):
        element_name = shape.member.serialization.get("name")
        if element_name:
            return str(element_name)
    return str(shape.serialization.get("name") or member_name)


def list_element_name(shape: Any) -> str | None:
    """The name of a list's element wrapper (`member`), or None for a flattened list."""
    if shape.serialization.get("flattened"):
        return None
    return str(shape.member.serialization.get("name") or "member")


def map_names(shape: Any) -> tuple[str | None, str, str]:
    """A map's entry wrapper (`entry`, None when flattened), key name and value name."""
    entry = None if shape.serialization.get("flattened") else "entry"
    key = str(shape.key.serialization.get("name") or "key")
    value = str(shape.value.serialization.get("name") or "value")
    return entry, key, value
