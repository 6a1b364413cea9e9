"""Errors of the store layer."""


class StoreError(Exception):
    """The database cannot be used as asked: unsupported URL, closed database, bad key file."""
