"""Postal addresses of Paris reduced to a comparable form: house numbers and a street key.

Official files and published lists spell the same address differently ("51 bd Davout" and
"51 BOULEVARD DAVOUT", "4 rue Jourdain" and "4 RUE DU JOURDAIN", "31-33 rue Olivier Métra"):
case, accents, abbreviations, articles and number ranges are normalised away.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

#: Street-type abbreviations found in the sources, expanded before comparing.
ABBREVIATIONS = {
    "BD": "BOULEVARD", "BLD": "BOULEVARD", "BOUL": "BOULEVARD", "AV": "AVENUE", "AVE": "AVENUE",
    "PL": "PLACE", "PTE": "PORTE", "R": "RUE", "ST": "SAINT", "STE": "SAINTE", "PAS": "PASSAGE",
    "PASS": "PASSAGE", "IMP": "IMPASSE", "SQ": "SQUARE", "GAL": "GENERAL", "GEN": "GENERAL",
    "ALL": "ALLEE", "CHEM": "CHEMIN", "QU": "QUAI", "VLA": "VILLA",
}
#: Articles and prepositions that some sources keep and others drop ("rue du Jourdain").
STOPWORDS = frozenset({"DE", "DU", "DES", "LA", "LE", "LES", "L", "D"})
#: A range wider than this is not an address range ("2-116" is a street segment, not a building).
MAX_RANGE = 20

_NUMBER = re.compile(
    r"^(\d+)(?:\.0+)?\s*(?:BIS|TER|[A-D])?\b"
    r"(?:\s*[-/]\s*(\d+)(?:\.0+)?\s*(?:BIS|TER|[A-D])?\b)?\s*(.*)$")
_POSTCODE = re.compile(r"\b75\s?\d{3}\b.*$")


@dataclass(frozen=True)
class Address:
    """An address as compared: the house numbers it covers and its street key."""

    numbers: frozenset[int]
    street: str

    def matches(self, other: Address) -> bool:
        """Same street and at least one house number in common."""
        return bool(self.street) and self.street == other.street and bool(
            self.numbers & other.numbers)


def fold(text: str) -> str:
    """Upper case without accents, every run of non-alphanumerics as one space."""
    decomposed = unicodedata.normalize("NFKD", str(text))
    plain = "".join(char for char in decomposed if not unicodedata.combining(char))
    return re.sub(r"[^A-Z0-9]+", " ", plain.upper()).strip()


def _numbers(first: int, last: int | None) -> frozenset[int]:
    if last is None or last <= first or last - first > MAX_RANGE:
        return frozenset({first})
    # "31-33" means both buildings on the same side of the street, not 32.
    step = 2 if (last - first) % 2 == 0 else 1
    return frozenset(range(first, last + 1, step))


def street_key(text: str) -> str:
    """The comparable key of a street name (abbreviations expanded, articles and spaces removed)."""
    words = [ABBREVIATIONS.get(word, word) for word in fold(text).split()]
    return "".join(word for word in words if word not in STOPWORDS and word != "PARIS")


def parse_address(text: str) -> Address:
    """Parse a one-line (or two-line) address; an address without number has no numbers.

    Examples
    --------
    >>> parse_address("31-33 rue Olivier Métra").numbers == frozenset({31, 33})
    True
    >>> parse_address("4 RUE DU JOURDAIN") == parse_address("4 rue Jourdain")
    True
    """
    line = str(text or "").replace("\n", " ").strip().upper()
    line = _POSTCODE.sub("", line).strip(" ,")
    match = _NUMBER.match(line)
    if not match:
        return Address(frozenset(), street_key(line))
    first, last, rest = match.groups()
    return Address(_numbers(int(first), int(last) if last else None), street_key(rest))
