"""Start the app: ``python -m geo.serve [streamlit options]`` (what ``make run`` and the tests use).

It runs the ASGI application of :mod:`geo.ui.asgi` (Streamlit's app with the project's routes)
the way ``streamlit run app.py [flags]`` would run ``app.py``: the flags are parsed by
Streamlit's own ``run`` command (same names, types and ``STREAMLIT_*`` variables) and the
config files are looked up beside ``app.py``; uvicorn then serves ``geo.ui.asgi:app``.

It also switches off Streamlit's older automatic multipage mode before the first session: a
``pages/`` folder beside the entry point would otherwise route a deep link
(``/sources-et-methodes``) to a page file alone, without the frame of ``app.py`` (``app.py``
switches it off too, for a plain ``streamlit run app.py``).

And it sets what a hostile network asks of the server before uvicorn starts:
``FORWARDED_ALLOW_IPS`` from ``RESILIENCE_TRUSTED_PROXIES`` (the proxies whose
``X-Forwarded-For`` uvicorn believes, in the dual-stack forms too), and ``server.allowedHosts``
from ``RESILIENCE_PUBLIC_URL`` unless configured otherwise.
"""

from __future__ import annotations

import os
import sys

from streamlit import config
from streamlit.runtime.pages_manager import PagesManager
from streamlit.web import bootstrap, cli

from geo.core.settings import ROOT
from geo.participation.clientaddr import forwarded_allow_ips, trusted_proxies
from geo.participation.hosts import allowed_hosts, public_urls

APP_SCRIPT = ROOT / "app.py"
APP_IMPORT = "geo.ui.asgi:app"


def main(argv: list[str] | None = None) -> None:
    argv = sys.argv[1:] if argv is None else argv
    context = cli.main_run.make_context("run", [str(APP_SCRIPT), *argv])
    flags = {key: value for key, value in context.params.items() if key not in ("target", "args")}
    try:
        proxies = forwarded_allow_ips(trusted_proxies())
        hosts = allowed_hosts(public_urls())
    except ValueError as exc:
        raise SystemExit(f"error: {exc}") from None
    os.environ.setdefault("FORWARDED_ALLOW_IPS", proxies)
    config._main_script_path = str(APP_SCRIPT)
    bootstrap.load_config_options(flag_options=flags)
    if hosts and not config.get_option("server.allowedHosts"):
        flags["server_allowedHosts"] = tuple(hosts)
        bootstrap.load_config_options(flag_options=flags)
    PagesManager.uses_pages_directory = False
    bootstrap.run_asgi_app(str(APP_SCRIPT), APP_IMPORT, list(context.params.get("args") or ()), flags)
