"""The pages registered in ``app.py`` (its ``PAGES`` table), read without running Streamlit."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def registered_pages() -> dict[str, str]:
    """Script (``pages/x.py``) → URL path, in the frame's order (the first is the home page)."""
    tree = ast.parse((ROOT / "app.py").read_text(encoding="utf-8"))
    table = next(node.value for node in tree.body if isinstance(node, ast.Assign)
                 and any(getattr(target, "id", "") == "PAGES" for target in node.targets))
    return {script: path for script, _key, _icon, path in ast.literal_eval(table)}
