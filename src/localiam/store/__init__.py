"""Persistence: the schema, its migrations, transactions, secrets at rest and identifiers.

The only package that imports SQLAlchemy. Services use the ORM models of `localiam.store.models`
inside `Database.transaction()`; for their queries this package re-exports `Session`, `select`,
`func` and `IntegrityError` (raised when a unique name or key is taken).
"""

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from localiam.store._database import Database
from localiam.store._errors import StoreError
from localiam.store._generation import StateGeneration
from localiam.store._ids import BASE32_ALPHABET, IdGenerator
from localiam.store._paging import Page, find_by_name, list_page, page_query
from localiam.store._secrets import Secrets, hash_password, verify_password

__all__ = [
    "BASE32_ALPHABET",
    "Database",
    "IdGenerator",
    "IntegrityError",
    "Page",
    "Secrets",
    "Session",
    "StateGeneration",
    "StoreError",
    "find_by_name",
    "func",
    "hash_password",
    "list_page",
    "page_query",
    "select",
    "verify_password",
]
