"""Start the app: ``python -m geo.serve [streamlit options]`` (what ``make run`` and the tests use).

It runs the ASGI application of :mod:`geo.ui.asgi` (Streamlit's app with the project's routes)
the way ``streamlit run app.py [flags]`` would run ``app.py``: the flags are parsed by
Streamlit's own ``run`` command (same names, types and ``STREAMLIT_*`` variables) and the
config files are looked up beside ``app.py``; uvicorn then serves ``geo.ui.asgi:app``.

It also switches off Streamlit's older automatic multipage mode before the first session: a
``pages/`` folder beside the entry point would otherwise route a deep link
(``/sources-et-methodes``) to a page file alone, without the frame of ``app.py`` (``app.py``
switches it off too, for a plain ``streamlit run app.py``).
"""

from __future__ import annotations

import sys

from streamlit import config
from streamlit.runtime.pages_manager import PagesManager
from streamlit.web import bootstrap, cli

from geo.core.settings import ROOT

APP_SCRIPT = ROOT / "app.py"
APP_IMPORT = "geo.ui.asgi:app"


def main(argv: list[str] | None = None) -> None:
    argv = sys.argv[1:] if argv is None else argv
    context = cli.main_run.make_context("run", [str(APP_SCRIPT), *argv])
    flags = {key: value for key, value in context.params.items() if key not in ("target", "args")}
    config._main_script_path = str(APP_SCRIPT)
    bootstrap.load_config_options(flag_options=flags)
    PagesManager.uses_pages_directory = False
    bootstrap.run_asgi_app(str(APP_SCRIPT), APP_IMPORT, list(context.params.get("args") or ()), flags)
