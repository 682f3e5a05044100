"""A printable document as a PDF file, made on the server without a browser: WeasyPrint lays out
the same static HTML (A4 pages, the same CSS, the SVG map and charts as vectors) that the browser
prints, so the file and the printout match.

WeasyPrint needs Debian's Pango (``libpango-1.0-0``, ``libpangoft2-1.0-0``); the fonts are the
system's (DejaVu Sans, as the sheets ask). No network: the document holds every image inline and
any other address (network, file) is refused.
"""

from __future__ import annotations

import logging

from geo.core.errors import ReportError


def pdf_bytes(html: str) -> bytes:
    """The PDF of a whole HTML document (``geo.reports.document.Document.html``).

    Raises
    ------
    ReportError
        When WeasyPrint cannot be loaded or fails.
    """
    try:
        import weasyprint  # Pango is loaded on import: a missing library fails here
    except (ImportError, OSError) as exc:
        raise ReportError(f"WeasyPrint is not available ({exc}): use the print button") from exc
    # CSS it ignores (print-color-adjust: it prints colours as they are anyway) is not a problem
    logging.getLogger("weasyprint").setLevel(logging.ERROR)
    try:
        # only the inline data: images; any other address (http, file) is skipped, never fetched
        fetcher = weasyprint.URLFetcher(allowed_protocols=("data",))
        return weasyprint.HTML(string=html, url_fetcher=fetcher).write_pdf()
    except Exception as exc:  # a layout or SVG failure inside WeasyPrint: say it, never crash the page
        raise ReportError(f"the PDF could not be made: {exc}") from exc


def pdf_available() -> bool:
    """Whether PDFs can be made here (WeasyPrint and Pango load)."""
    try:
        import weasyprint  # noqa: F401
    except (ImportError, OSError):
        return False
    return True
