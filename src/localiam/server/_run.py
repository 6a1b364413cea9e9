"""Assembling the server from its parts (everything injected here, nowhere else) and running it."""

from __future__ import annotations

import sys
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import TextIO

from localiam.catalog import Catalog, ManagedPolicies
from localiam.gateway import DataPlane
from localiam.gateway._profiles import StoreProfiles
from localiam.imds import Imds, RoleSessions
from localiam.server._app import LocalIamApp, create_app, utc_now
from localiam.server._audit import AuditWriter
from localiam.server._bootstrap import RootCredentials, ensure_account, write_credentials_file
from localiam.server._config import ServerConfig
from localiam.server._dispatch import Dispatcher
from localiam.server._throttle import Throttle
from localiam.services.iam import IamService
from localiam.services.organizations._service import OrganizationsService
from localiam.services.sts import StsService
from localiam.store import Database, IdGenerator, Secrets


@dataclass(frozen=True, slots=True)
class Built:
    app: LocalIamApp
    db: Database
    root: RootCredentials
    created: bool
    audit: AuditWriter

    def close(self) -> None:
        self.audit.close()
        self.db.close()


def build(
    config: ServerConfig,
    *,
    clock: Callable[[], datetime] = utc_now,
    ids: IdGenerator | None = None,
) -> Built:
    config.data_dir.mkdir(parents=True, exist_ok=True)
    ids = ids or IdGenerator()
    secrets = Secrets.load_or_create(config.data_dir / "secret.key")
    db = Database(config.database)
    root, created = ensure_account(
        db,
        secrets,
        ids,
        clock,
        config.account_id,
        access_key_id=config.root_access_key_id,
        secret_access_key=config.root_secret_access_key,
    )
    if created:
        write_credentials_file(config.data_dir, root)
    catalog, managed = Catalog(), ManagedPolicies()
    iam = IamService(
        catalog=catalog, managed=managed, ids=ids, secrets=secrets, generation=db.generation
    )
    sts = StsService(
        catalog=catalog, managed=managed, ids=ids, secrets=secrets, principals=iam.principals
    )
    organizations = OrganizationsService(catalog=catalog, ids=ids, principals=iam.principals)
    data_plane = DataPlane(
        principals=iam.principals,
        catalog=catalog,
        profiles=StoreProfiles(db),
        encode=secrets.encrypt,
    )
    imds = Imds(
        RoleSessions(
            db=db,
            ids=ids,
            secrets=secrets,
            parse=iam.texts.parse,
            session_seconds=config.imds_credential_seconds,
        ),
        clock,
    )
    audit = AuditWriter(db)
    dispatcher = Dispatcher(
        db=db,
        iam=iam,
        sts=sts,
        organizations=organizations,
        data_plane=data_plane,
        secrets=secrets,
        ids=ids,
        clock=clock,
        audit=audit,
        max_body_bytes=config.max_body_bytes,
        throttle=Throttle(config.throttle) if config.throttle and config.throttle.enabled else None,
    )

    def reset() -> RootCredentials:
        """A fresh state that keeps the configured root credentials."""
        audit.flush()
        db.reset()
        data_plane.reset()
        imds.reset()
        if dispatcher.throttle is not None:
            dispatcher.throttle.refill()
        fresh, _ = ensure_account(
            db,
            secrets,
            ids,
            clock,
            config.account_id,
            access_key_id=root.access_key_id,
            secret_access_key=root.secret_access_key,
        )
        return fresh

    return Built(create_app(dispatcher, reset, imds), db, root, created, audit)


def serve(config: ServerConfig, out: TextIO = sys.stdout) -> None:
    import uvicorn

    built = build(config)
    verb = "created" if built.created else "using"
    out.write(
        f"localiam: {verb} account {built.root.account_id}\n"
        f"  root access key id:     {built.root.access_key_id}\n"
        f"  root secret access key: {built.root.secret_access_key}\n"
        f"  (also in {config.data_dir / 'root-credentials.csv'})\n"
        f"  endpoint: http://{config.host}:{config.port}\n"
    )
    out.flush()
    try:
        uvicorn.run(built.app, host=config.host, port=config.port, log_level="warning")
    finally:
        built.close()
