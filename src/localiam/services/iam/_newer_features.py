"""IAM handlers: newer features (to be written)."""

from __future__ import annotations

from localiam.services.iam._context import Handler

HANDLERS: dict[str, Handler] = {}
