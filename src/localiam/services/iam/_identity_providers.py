"""Identity providers for federation: OpenID Connect (CreateOpenIDConnectProvider,
GetOpenIDConnectProvider, ListOpenIDConnectProviders, DeleteOpenIDConnectProvider,
AddClientIDToOpenIDConnectProvider, RemoveClientIDFromOpenIDConnectProvider,
UpdateOpenIDConnectProviderThumbprint, UpdateOpenIDConnectProvider,
Tag/Untag/ListOpenIDConnectProviderTags) and SAML
(CreateSAMLProvider, GetSAMLProvider, ListSAMLProviders, UpdateSAMLProvider, DeleteSAMLProvider,
Tag/Untag/ListSAMLProviderTags); https://docs.aws.amazon.com/IAM/latest/APIReference/API_Operations.html.

An OIDC provider is named by its URL without `https://`
(`arn:aws:iam::<account>:oidc-provider/<host and path>`), has at most 100 client IDs and five
thumbprints; the thumbprints are optional, as IAM now trusts the provider's certificate through
its own library of root CAs. A SAML provider's metadata document must be an `EntityDescriptor`
of SAML 2.0 metadata; DTDs and entity declarations are refused, so no entity is ever expanded.
Its `validUntil` attribute, when present, becomes ValidUntil; otherwise IAM sets 100 years after
creation. Quotas (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_iam-quotas.html):
100 providers of each kind per account.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlsplit
from xml.parsers import expat

from localiam.protocol import ServiceError
from localiam.services.iam._context import Handler, IamContext
from localiam.services.iam._errors import invalid_input, limit_exceeded
from localiam.services.iam._tags import drop_all_tags, set_tags, tag_handlers, tags_of
from localiam.store import func, select
from localiam.store.models import OpenIdConnectProvider, SamlProvider

MAX_PROVIDERS = 100
MAX_CLIENT_IDS = 100
MAX_THUMBPRINTS = 5
_THUMBPRINT = re.compile(r"[0-9A-Fa-f]{40}")
_METADATA_NS = "urn:oasis:names:tc:SAML:2.0:metadata"
_DEFAULT_VALIDITY_YEARS = 100

#: Parameters of features localiam does not store (trusted identity propagation, SAML assertion
#: encryption): refused rather than silently dropped.
_UNSUPPORTED = (
    "ContextProvider",
    "IdentityCenterInstanceArn",
    "AssertionEncryptionMode",
    "AddPrivateKey",
    "RemovePrivateKey",
)


def _refuse_unsupported(params: dict[str, Any]) -> None:
    for name in _UNSUPPORTED:
        if params.get(name) is not None:
            raise ServiceError(
                "NotImplemented", f"localiam does not support the {name} parameter yet.", 501, False
            )


def _provider_count(
    ctx: IamContext, model: type[OpenIdConnectProvider] | type[SamlProvider]
) -> int:
    query = select(func.count()).select_from(model).where(model.account_id == ctx.account_id)
    return int(ctx.session.scalar(query) or 0)


# -- OpenID Connect ----------------------------------------------------------------------------


def oidc_identifier(url: str) -> str:
    """The provider's name in its ARN and in GetOpenIDConnectProvider's Url: host and path of an
    `https://` URL without query or fragment (`https://example.com/a/` -> `example.com/a`)."""
    parts = urlsplit(url)
    if parts.scheme.lower() != "https" or not parts.hostname:
        raise invalid_input(
            f"Invalid OpenID Connect provider URL {url}: it must begin with https://."
        )
    if parts.query or parts.fragment or parts.username or parts.password:
        raise invalid_input(
            f"Invalid OpenID Connect provider URL {url}: it must not have a query, a fragment "
            "or credentials."
        )
    host = parts.hostname
    try:
        port = parts.port
    except ValueError:
        raise invalid_input(f"Invalid OpenID Connect provider URL {url}: bad port.") from None
    if port is not None:
        host = f"{host}:{port}"
    return (host + parts.path).rstrip("/")


def _thumbprints(values: list[str]) -> list[str]:
    if len(values) > MAX_THUMBPRINTS:
        raise invalid_input(
            f"Thumbprint list must contain at most {MAX_THUMBPRINTS} thumbprints; it has "
            f"{len(values)}."
        )
    for value in values:
        if not _THUMBPRINT.fullmatch(value):
            raise invalid_input(f"Thumbprint {value} is not 40 hexadecimal characters.")
    return list(dict.fromkeys(values))


def _client_ids(values: list[str]) -> list[str]:
    unique = list(dict.fromkeys(values))
    if len(unique) > MAX_CLIENT_IDS:
        raise limit_exceeded(
            f"Cannot exceed quota for ClientIdsPerOpenIdConnectProvider: {MAX_CLIENT_IDS}"
        )
    return unique


def _get_oidc(ctx: IamContext, arn: str) -> OpenIdConnectProvider:
    prefix = f"arn:aws:iam::{ctx.account_id}:oidc-provider/"
    if not arn.startswith("arn:") or ":oidc-provider/" not in arn:
        raise invalid_input(f"Invalid ARN {arn}: it does not name an OpenID Connect provider.")
    row = ctx.session.get(OpenIdConnectProvider, arn) if arn.startswith(prefix) else None
    if row is None or row.account_id != ctx.account_id:
        raise ServiceError("NoSuchEntity", f"OpenIDConnect Provider not found for arn {arn}", 404)
    return row


def create_oidc_provider(ctx: IamContext, params: dict[str, Any]) -> dict[str, Any]:
    _refuse_unsupported(params)
    identifier = oidc_identifier(params["Url"])
    arn = f"arn:aws:iam::{ctx.account_id}:oidc-provider/{identifier}"
    if ctx.session.get(OpenIdConnectProvider, arn) is not None:
        raise ServiceError(
            "EntityAlreadyExists", f"Provider with url {params['Url']} already exists.", 409
        )
    if _provider_count(ctx, OpenIdConnectProvider) >= MAX_PROVIDERS:
        raise limit_exceeded(
            f"Cannot exceed quota for OpenIdConnectProvidersPerAccount: {MAX_PROVIDERS}"
        )
    ctx.session.add(
        OpenIdConnectProvider(
            arn=arn,
            account_id=ctx.account_id,
            url=identifier,
            created_at=ctx.now,
            client_ids=_client_ids(params.get("ClientIDList", [])),
            thumbprints=_thumbprints(params.get("ThumbprintList", [])),
        )
    )
    set_tags(ctx.session, ctx.account_id, arn, params.get("Tags"))
    out: dict[str, Any] = {"OpenIDConnectProviderArn": arn}
    tags = tags_of(ctx.session, arn)
    if tags:
        out["Tags"] = tags
    return out


def get_oidc_provider(ctx: IamContext, params: dict[str, Any]) -> dict[str, Any]:
    row = _get_oidc(ctx, params["OpenIDConnectProviderArn"])
    out: dict[str, Any] = {
        "Url": row.url,
        "ClientIDList": list(row.client_ids),
        "ThumbprintList": list(row.thumbprints),
        "CreateDate": row.created_at,
    }
    tags = tags_of(ctx.session, row.arn)
    if tags:
        out["Tags"] = tags
    return out


def list_oidc_providers(ctx: IamContext, params: dict[str, Any]) -> dict[str, Any]:
    query = select(OpenIdConnectProvider.arn).where(
        OpenIdConnectProvider.account_id == ctx.account_id
    )
    arns = ctx.session.scalars(query.order_by(OpenIdConnectProvider.arn))
    return {"OpenIDConnectProviderList": [{"Arn": arn} for arn in arns]}


def delete_oidc_provider(ctx: IamContext, params: dict[str, Any]) -> dict[str, Any]:
    row = _get_oidc(ctx, params["OpenIDConnectProviderArn"])
    drop_all_tags(ctx.session, row.arn)
    ctx.session.delete(row)
    return {}


def add_client_id(ctx: IamContext, params: dict[str, Any]) -> dict[str, Any]:
    """Idempotent: adding a client ID the provider has already changes nothing."""
    row = _get_oidc(ctx, params["OpenIDConnectProviderArn"])
    row.client_ids = _client_ids([*row.client_ids, params["ClientID"]])
    return {}


def remove_client_id(ctx: IamContext, params: dict[str, Any]) -> dict[str, Any]:
    """Idempotent: removing a client ID the provider does not have changes nothing."""
    row = _get_oidc(ctx, params["OpenIDConnectProviderArn"])
    row.client_ids = [c for c in row.client_ids if c != params["ClientID"]]
    return {}


def update_thumbprints(ctx: IamContext, params: dict[str, Any]) -> dict[str, Any]:
    row = _get_oidc(ctx, params["OpenIDConnectProviderArn"])
    row.thumbprints = _thumbprints(params["ThumbprintList"])
    return {}


def update_oidc_provider(ctx: IamContext, params: dict[str, Any]) -> dict[str, Any]:
    """Set or remove the trusted identity propagation context provider, or the IAM Identity
    Center association: one of the two per request, each by a new value or its `Remove` flag,
    not both (https://docs.aws.amazon.com/IAM/latest/APIReference/API_UpdateOpenIDConnectProvider.html).

    localiam stores neither configuration (CreateOpenIDConnectProvider refuses them too), so
    setting one is `NotImplemented`, and removing one succeeds with nothing to remove.
    """
    context_set = params.get("ContextProvider") is not None
    context_removed = bool(params.get("RemoveContextProvider"))
    center_set = params.get("IdentityCenterInstanceArn") is not None
    center_removed = bool(params.get("RemoveIdentityCenterInstance"))
    if context_set and context_removed:
        raise invalid_input("Specify either ContextProvider or RemoveContextProvider, not both.")
    if center_set and center_removed:
        raise invalid_input(
            "Specify either IdentityCenterInstanceArn or RemoveIdentityCenterInstance, not both."
        )
    changes_context = context_set or context_removed
    changes_center = center_set or center_removed
    if changes_context and changes_center:
        raise invalid_input(
            "A request can change either the context provider or the IAM Identity Center "
            "association, not both."
        )
    if not changes_context and not changes_center:
        raise invalid_input(
            "Specify a change: ContextProvider, IdentityCenterInstanceArn, "
            "RemoveContextProvider or RemoveIdentityCenterInstance."
        )
    _get_oidc(ctx, params["OpenIDConnectProviderArn"])
    _refuse_unsupported(params)
    return {}


# -- SAML --------------------------------------------------------------------------------------


def _bad_metadata() -> ServiceError:
    return invalid_input("Could not parse metadata")


def saml_metadata_valid_until(document: str) -> datetime | None:
    """Check a SAML metadata document and return its `validUntil`, if it has one.

    The document must be well-formed XML whose root is SAML 2.0 metadata's `EntityDescriptor`
    (https://docs.oasis-open.org/security/saml/v2.0/saml-metadata-2.0-os.pdf); a DTD or an
    entity declaration is refused before anything is expanded. Anything else is `InvalidInput`.
    """
    parser = expat.ParserCreate(namespace_separator=" ")
    root: list[tuple[str, dict[str, str]]] = []

    def refuse(*_: object) -> None:
        raise _bad_metadata()

    def start(name: str, attributes: dict[str, str]) -> None:
        if not root:
            root.append((name, attributes))

    parser.StartDoctypeDeclHandler = refuse
    parser.EntityDeclHandler = refuse
    parser.StartElementHandler = start
    try:
        parser.Parse(document.encode("utf-8"), True)
    except expat.ExpatError:
        raise _bad_metadata() from None
    if not root or root[0][0] != f"{_METADATA_NS} EntityDescriptor":
        raise _bad_metadata()
    valid_until = root[0][1].get("validUntil")
    if valid_until is None:
        return None
    try:
        moment = datetime.fromisoformat(valid_until.replace("Z", "+00:00"))
    except ValueError:
        raise _bad_metadata() from None
    return moment.astimezone(UTC) if moment.tzinfo else moment.replace(tzinfo=UTC)


def _valid_until(document: str, now: datetime) -> datetime:
    found = saml_metadata_valid_until(document)
    if found is not None:
        return found
    try:
        return now.replace(year=now.year + _DEFAULT_VALIDITY_YEARS)
    except ValueError:  # 29 February
        return now.replace(year=now.year + _DEFAULT_VALIDITY_YEARS, day=28)


def _saml_name(ctx: IamContext, arn: str) -> str:
    prefix = f"arn:aws:iam::{ctx.account_id}:saml-provider/"
    if not arn.startswith("arn:") or ":saml-provider/" not in arn:
        raise invalid_input(f"Invalid ARN {arn}: it does not name a SAML provider.")
    return arn[len(prefix) :] if arn.startswith(prefix) else ""


def _saml_by_name(ctx: IamContext, name: str) -> SamlProvider | None:
    """The account's SAML provider named `name`, ignoring case (names collide so)."""
    query = select(SamlProvider).where(
        SamlProvider.account_id == ctx.account_id, SamlProvider.name_lower == func.lower(name)
    )
    return ctx.session.scalars(query).one_or_none()


def _get_saml(ctx: IamContext, arn: str) -> SamlProvider:
    name = _saml_name(ctx, arn)
    row = _saml_by_name(ctx, name) if name else None
    if row is None or row.arn != arn:
        raise ServiceError("NoSuchEntity", f"Manifest not found for arn {arn}", 404)
    return row


def create_saml_provider(ctx: IamContext, params: dict[str, Any]) -> dict[str, Any]:
    _refuse_unsupported(params)
    name = params["Name"]
    document = params["SAMLMetadataDocument"]
    if _saml_by_name(ctx, name) is not None:
        raise ServiceError("EntityAlreadyExists", f"SAMLProvider {name} already exists.", 409)
    valid_until = _valid_until(document, ctx.now)
    if _provider_count(ctx, SamlProvider) >= MAX_PROVIDERS:
        raise limit_exceeded(f"Cannot exceed quota for SamlProvidersPerAccount: {MAX_PROVIDERS}")
    arn = f"arn:aws:iam::{ctx.account_id}:saml-provider/{name}"
    ctx.session.add(
        SamlProvider(
            arn=arn,
            account_id=ctx.account_id,
            name=name,
            metadata_document=document,
            created_at=ctx.now,
            valid_until=valid_until,
        )
    )
    set_tags(ctx.session, ctx.account_id, arn, params.get("Tags"))
    out: dict[str, Any] = {"SAMLProviderArn": arn}
    tags = tags_of(ctx.session, arn)
    if tags:
        out["Tags"] = tags
    return out


def get_saml_provider(ctx: IamContext, params: dict[str, Any]) -> dict[str, Any]:
    row = _get_saml(ctx, params["SAMLProviderArn"])
    out: dict[str, Any] = {
        "SAMLMetadataDocument": row.metadata_document,
        "CreateDate": row.created_at,
    }
    if row.valid_until is not None:
        out["ValidUntil"] = row.valid_until
    tags = tags_of(ctx.session, row.arn)
    if tags:
        out["Tags"] = tags
    return out


def list_saml_providers(ctx: IamContext, params: dict[str, Any]) -> dict[str, Any]:
    query = select(SamlProvider).where(SamlProvider.account_id == ctx.account_id)
    listed = []
    for row in ctx.session.scalars(query.order_by(SamlProvider.name_lower)):
        entry: dict[str, Any] = {"Arn": row.arn, "CreateDate": row.created_at}
        if row.valid_until is not None:
            entry["ValidUntil"] = row.valid_until
        listed.append(entry)
    return {"SAMLProviderList": listed}


def update_saml_provider(ctx: IamContext, params: dict[str, Any]) -> dict[str, Any]:
    _refuse_unsupported(params)
    row = _get_saml(ctx, params["SAMLProviderArn"])
    document = params.get("SAMLMetadataDocument")
    if document is not None:
        row.valid_until = _valid_until(document, ctx.now)
        row.metadata_document = document
    return {"SAMLProviderArn": row.arn}


def delete_saml_provider(ctx: IamContext, params: dict[str, Any]) -> dict[str, Any]:
    row = _get_saml(ctx, params["SAMLProviderArn"])
    drop_all_tags(ctx.session, row.arn)
    ctx.session.delete(row)
    return {}


tag_oidc_provider, untag_oidc_provider, list_oidc_provider_tags = tag_handlers(
    lambda ctx, params: _get_oidc(ctx, params["OpenIDConnectProviderArn"]).arn
)
tag_saml_provider, untag_saml_provider, list_saml_provider_tags = tag_handlers(
    lambda ctx, params: _get_saml(ctx, params["SAMLProviderArn"]).arn
)


HANDLERS: dict[str, Handler] = {
    "CreateOpenIDConnectProvider": create_oidc_provider,
    "GetOpenIDConnectProvider": get_oidc_provider,
    "ListOpenIDConnectProviders": list_oidc_providers,
    "DeleteOpenIDConnectProvider": delete_oidc_provider,
    "AddClientIDToOpenIDConnectProvider": add_client_id,
    "RemoveClientIDFromOpenIDConnectProvider": remove_client_id,
    "UpdateOpenIDConnectProviderThumbprint": update_thumbprints,
    "UpdateOpenIDConnectProvider": update_oidc_provider,
    "TagOpenIDConnectProvider": tag_oidc_provider,
    "UntagOpenIDConnectProvider": untag_oidc_provider,
    "ListOpenIDConnectProviderTags": list_oidc_provider_tags,
    "CreateSAMLProvider": create_saml_provider,
    "GetSAMLProvider": get_saml_provider,
    "ListSAMLProviders": list_saml_providers,
    "UpdateSAMLProvider": update_saml_provider,
    "DeleteSAMLProvider": delete_saml_provider,
    "TagSAMLProvider": tag_saml_provider,
    "UntagSAMLProvider": untag_saml_provider,
    "ListSAMLProviderTags": list_saml_provider_tags,
}
