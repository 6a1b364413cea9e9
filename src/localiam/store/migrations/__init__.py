"""Alembic migrations of the localiam schema (run by `localiam.store.Database` on open)."""
