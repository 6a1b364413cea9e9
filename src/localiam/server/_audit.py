"""The audit log writer: records go to the database in batches from a background thread, so a
read-only request costs no commit of its own. Records reach the database within
`interval` seconds; `close()` writes whatever is pending."""

from __future__ import annotations

import logging
import queue
import threading
from dataclasses import dataclass
from datetime import datetime

from localiam.store import Database
from localiam.store.models import AccessKey, AuditEvent

log = logging.getLogger("localiam.audit")


@dataclass(frozen=True, slots=True)
class KeyUse:
    """An access key was used: for GetAccessKeyLastUsed and the credential report."""

    access_key_id: str
    time: datetime
    service: str
    region: str


class AuditWriter:
    """Batches AuditEvent rows and key-use updates into few transactions (mutable by design:
    it owns a queue and a thread)."""

    def __init__(self, db: Database, *, interval: float = 0.05, batch: int = 500) -> None:
        self._db = db
        self._interval = interval
        self._batch = batch
        self._queue: queue.Queue[AuditEvent | KeyUse | threading.Event | None] = queue.Queue()
        self._thread = threading.Thread(target=self._run, name="localiam-audit", daemon=True)
        self._thread.start()

    def record(self, item: AuditEvent | KeyUse) -> None:
        self._queue.put(item)

    def flush(self) -> None:
        """Wait until every record given so far is written."""
        done = threading.Event()
        self._queue.put(done)
        done.wait(timeout=10)

    def close(self) -> None:
        self._queue.put(None)
        self._thread.join(timeout=10)

    def _run(self) -> None:
        running = True
        while running:
            items: list[AuditEvent | KeyUse] = []
            waiters: list[threading.Event] = []
            first = self._queue.get()
            pending = [first]
            try:
                while len(items) < self._batch:
                    for item in pending:
                        if item is None:
                            running = False
                        elif isinstance(item, threading.Event):
                            waiters.append(item)
                        else:
                            items.append(item)
                    if not running or waiters:
                        break
                    pending = [self._queue.get(timeout=self._interval)]
            except queue.Empty:
                pass
            if items:
                self._write(items)
            for waiter in waiters:
                waiter.set()

    def _write(self, items: list[AuditEvent | KeyUse]) -> None:
        try:
            with self._db.transaction(changes_state=False) as session:
                uses: dict[str, KeyUse] = {}
                for item in items:
                    if isinstance(item, KeyUse):
                        uses[item.access_key_id] = item
                    else:
                        session.add(item)
                for use in uses.values():
                    key = session.get(AccessKey, use.access_key_id)
                    if key is not None:
                        key.last_used_at = use.time
                        key.last_used_service = use.service
                        key.last_used_region = use.region
        except Exception:
            log.exception("could not write %d audit records", len(items))
