"""Identity providers: OpenID Connect and SAML."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from localiam.store.models._base import ACCOUNT_ID, Base, lower_name, name_index


class OpenIdConnectProvider(Base):
    """An OIDC identity provider (`arn:aws:iam::<account>:oidc-provider/<host and path>`).

    `client_ids` and `thumbprints` are JSON lists: assign new lists to change them.
    """

    __tablename__ = "oidc_providers"
    __table_args__ = (Index("ix_oidc_providers_account", "account_id"),)

    arn: Mapped[str] = mapped_column(String(2048), primary_key=True)
    account_id: Mapped[str] = mapped_column(String(12), ForeignKey(ACCOUNT_ID, ondelete="CASCADE"))
    url: Mapped[str] = mapped_column(String(255))
    created_at: Mapped[datetime]
    client_ids: Mapped[list[str]] = mapped_column(JSON, default_factory=list)
    thumbprints: Mapped[list[str]] = mapped_column(JSON, default_factory=list)


class SamlProvider(Base):
    """A SAML identity provider (`arn:aws:iam::<account>:saml-provider/<name>`)."""

    __tablename__ = "saml_providers"
    __table_args__ = (name_index("saml_providers"),)

    arn: Mapped[str] = mapped_column(String(2048), primary_key=True)
    account_id: Mapped[str] = mapped_column(String(12), ForeignKey(ACCOUNT_ID, ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(128))
    metadata_document: Mapped[str] = mapped_column(Text, repr=False)
    created_at: Mapped[datetime]
    valid_until: Mapped[datetime | None] = mapped_column(default=None)
    name_lower: Mapped[str] = mapped_column(String(128), lower_name(), init=False, repr=False)
