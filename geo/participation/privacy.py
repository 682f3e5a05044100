"""Personal data of the proposals, as the RGPD asks: the notice participants read before they
send (« Proposer » and the light join page show the same one), how long first names are kept,
whom to ask.

A proposal may carry a first name: the only personal datum the app asks for. It is shown on the
room's screen while the workshop is open and to the moderators; never in a public file, on the
public map or in the room map's data. It is erased ``first_names_months()`` after the workshop
closes (``ProposalStore.erase_first_names``, run when the server starts and then daily). A
moderator erases one participant's proposals on request (``ProposalStore.erase_proposals``).
Client addresses are not kept: the rate limit keeps a keyed hash for its window only.
"""

from __future__ import annotations

import os

from geo.core.i18n import t

MONTHS_ENV = "RESILIENCE_FIRST_NAMES_MONTHS"
CONTACT_ENV = "RESILIENCE_PRIVACY_CONTACT"
DEFAULT_MONTHS = 6


def first_names_months(value: str | None = None) -> int:
    """Months first names are kept after their workshop closes (``RESILIENCE_FIRST_NAMES_MONTHS``,
    default 6; a value that is not a whole number ≥ 0 gives the default)."""
    value = os.environ.get(MONTHS_ENV, "") if value is None else value
    return int(value) if value.strip().isdigit() else DEFAULT_MONTHS


def contact(lang: str, value: str | None = None) -> str:
    """Whom participants ask to see, correct or erase their proposals
    (``RESILIENCE_PRIVACY_CONTACT``, e.g. an address of the mairie; default: the workshop's team,
    then the mairie du 20e)."""
    value = os.environ.get(CONTACT_ENV, "") if value is None else value
    return value.strip() or t("privacy.default_contact", lang)


def notice(lang: str, months: int | None = None, who: str | None = None) -> list[str]:
    """The notice, one line per point: what is collected, why, for how long, who sees it, whom
    to ask. Plain text (the page escapes it)."""
    months = first_names_months() if months is None else months
    return [t(f"privacy.{key}", lang, months=months, contact=who or contact(lang))
            for key in ("what", "why", "how_long", "who", "rights")]
