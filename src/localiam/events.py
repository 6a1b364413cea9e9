"""`localiam events`: the audit log, the answer to "why was I denied?".

Every request the server handles is recorded (time, principal, action, resource, decision,
reason, error code, source IP); this reads them back as JSON lines or a table.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import IO, Any

from localiam.store import Database, select
from localiam.store.models import AuditEvent


@dataclass(frozen=True, slots=True)
class EventFilter:
    denied_only: bool = False
    principal: str | None = None


def read_events(
    db: Database, flt: EventFilter, after_id: int = 0, limit: int = 1000
) -> list[dict[str, Any]]:
    with db.transaction() as session:
        query = select(AuditEvent).where(AuditEvent.id > after_id)
        if flt.denied_only:
            query = query.where(AuditEvent.error_code.is_not(None))
        if flt.principal:
            query = query.where(AuditEvent.principal_arn == flt.principal)
        rows = session.scalars(query.order_by(AuditEvent.id).limit(limit)).all()
        return [_record(e) for e in rows]


def _record(e: AuditEvent) -> dict[str, Any]:
    return {
        "id": e.id,
        "time": _iso(e.time),
        "requestId": e.request_id,
        "principal": e.principal_arn,
        "action": e.action,
        "resource": e.resource,
        "decision": e.decision,
        "errorCode": e.error_code,
        "reason": e.reason,
        "sourceIp": e.source_ip,
        "checks": e.checks,
    }


def _iso(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def follow(db: Database, flt: EventFilter, interval: float = 0.5) -> Iterator[dict[str, Any]]:
    """Every event, then new ones as they arrive (until interrupted)."""
    last = 0
    while True:
        batch = read_events(db, flt, last)
        for event in batch:
            last = event["id"]
            yield event
        if not batch:
            time.sleep(interval)


def render(event: dict[str, Any], table: bool, out: IO[str]) -> None:
    if not table:
        out.write(json.dumps(event) + "\n")
        return
    outcome = event["errorCode"] or event["decision"]
    out.write(
        f"{event['time']}  {outcome:<22} {event['action'] or '-':<32} "
        f"{event['principal'] or '-'}  {event['resource'] or '-'}\n"
    )
    if event["reason"] and event["errorCode"]:
        out.write(f"    {event['reason']}\n")
    for check in event.get("checks") or ():
        keys = ", ".join(f"{k}={v}" for k, v in (check.get("context") or {}).items())
        out.write(
            f"    checked {check['action']} on {check['resource']}"
            + (f" [{keys}]" if keys else "")
            + "\n"
        )
