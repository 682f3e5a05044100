"""Start the app: ``python -m geo.serve [streamlit options]`` (what ``make run`` and the tests use).

Part of the UI-aware corner with ``geo.ui.base``. It exists for one reason: a ``pages/`` folder beside
the entry point makes Streamlit route URLs in its older automatic multipage mode, so a deep link
(``/sources-et-methodes``) would run a page file alone, without the frame of ``app.py``. That mode is
switched off here, before the first session starts; ``app.py`` switches it off too, for anyone
who starts the app with a plain ``streamlit run app.py``. It also clears the map's published
layer files that no run has used for a week (``geo.map.publish.prune_published``).
"""

from __future__ import annotations

import sys

from streamlit.runtime.pages_manager import PagesManager
from streamlit.web import cli

from geo.core.settings import ROOT
from geo.map.publish import prune_published


def main(argv: list[str] | None = None) -> None:
    PagesManager.uses_pages_directory = False
    prune_published()  # layer files no run has used for a week
    sys.argv = ["streamlit", "run", str(ROOT / "app.py"), *(sys.argv[1:] if argv is None else argv)]
    cli.main()
