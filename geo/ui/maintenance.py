"""The server's own upkeep of personal data, at start and then daily: public live files of
earlier versions removed, client keys older than the rate-limit window erased, first names
erased the set time after their workshop closed (``geo.participation.privacy``).
"""

from __future__ import annotations

import asyncio
import logging

from starlette.concurrency import run_in_threadpool

from geo.core.errors import ResilienceError
from geo.participation.auth import system_staff
from geo.participation.privacy import first_names_months
from geo.participation.workshop import remove_legacy_live_files
from geo.ui.workshop import proposal_store

LOG = logging.getLogger("geo.app")
EVERY_S = 24 * 3600


def upkeep() -> None:
    """One round of upkeep; a database that cannot be reached is logged, not raised."""
    removed = remove_legacy_live_files()
    if removed:
        LOG.info("removed %d public live file(s) of an earlier version", removed)
    try:
        store = proposal_store()
        keys = store.purge_client_keys()
        names = store.erase_first_names(system_staff("rgpd-retention"), first_names_months())
    except ResilienceError as exc:
        LOG.warning("personal data upkeep skipped: %s", exc)
        return
    LOG.info("personal data upkeep: %d client key(s) and %d first name(s) erased", keys, names)


async def run_daily() -> None:
    """Upkeep now, then every day, off the event loop, until cancelled (server stop)."""
    while True:
        await run_in_threadpool(upkeep)
        await asyncio.sleep(EVERY_S)
