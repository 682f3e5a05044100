"""The project's exception hierarchy: expected problems that pages and commands show as messages."""

from __future__ import annotations


class ResilienceError(Exception):
    """Base class of every expected error of the project."""


class RegistryError(ResilienceError):
    """The source registry (data/sources.toml) is malformed."""


class SourceError(ResilienceError):
    """A source could not be read or failed validation.

    The message names the layer, the file (or URL) and the problem, so a data manager can act on it.
    """

    def __init__(self, layer: str, location: str, problem: str) -> None:
        self.layer = layer
        self.location = location
        self.problem = problem
        super().__init__(f"layer '{layer}', source '{location}': {problem}")


class BuildMissingError(ResilienceError):
    """No data build exists yet: run the ingest command."""


class UnknownLayerError(ResilienceError):
    """A layer id that the registry does not know (e.g. from a URL or a command line)."""

    def __init__(self, layer: str) -> None:
        self.layer = layer
        super().__init__(f"unknown layer '{layer}'")


class CatalogueError(ResilienceError):
    """The action catalogue (data/actions.toml) holds a bad entry."""


class ExportError(ResilienceError):
    """An export request cannot be served (unknown format, empty selection...)."""


class ProposalError(ResilienceError):
    """A participant's proposal was refused (empty text, pin outside the study area...).

    ``code`` names the problem (a key of the ``proposals.error`` UI strings), ``field`` the form
    field concerned, ``values`` what the message needs; nothing is stored.
    """

    def __init__(self, code: str, field: str = "", message: str = "", **values: object) -> None:
        self.code = code
        self.field = field
        self.values = values
        super().__init__(message or f"proposal refused: {code}")


class RateLimitError(ProposalError):
    """Too many proposals from one client in a short time: the proposal was not stored."""


class ProposalStoreError(ResilienceError):
    """The proposals database cannot be opened, migrated or written (bad URL, server down...)."""


class ModerationError(ResilienceError):
    """A moderation request was refused: not configured, wrong password, unknown proposal."""


class AnalysisError(ResilienceError):
    """An exposure analysis cannot run on this build or with these settings (data/analysis.toml)."""


class ScenarioError(ResilienceError):
    """The workshop scenarios (data/scenarios.toml) hold a bad entry."""


class AuthError(ResilienceError):
    """A staff sign-in was refused. ``reason``: ``wrong`` (name or password), ``wait`` (retry in
    ``wait_s`` seconds), ``locked`` (this device is locked out for ``wait_s`` seconds), ``busy``
    (too many checks at once), ``closed`` (no staff account is configured)."""

    def __init__(self, reason: str, wait_s: int = 0) -> None:
        self.reason = reason
        self.wait_s = wait_s
        super().__init__(f"sign-in refused: {reason}")


class BuildDamagedError(BuildMissingError):
    """The current build cannot be used (its manifest is unreadable): the app says to rebuild."""


class LayerDamagedError(UnknownLayerError):
    """A layer file of the build is damaged (checksum or format): the layer is left out."""

    def __init__(self, layer: str, problem: str) -> None:
        super().__init__(layer)
        self.problem = problem
        self.args = (f"layer '{layer}' is damaged in the current build: {problem}",)


class ReportError(ResilienceError):
    """A printable document could not be made (e.g. the PDF: its library or fonts missing)."""
