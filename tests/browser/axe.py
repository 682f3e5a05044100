"""axe-core in every frame of a Playwright page, and the checked-in allow-list
(``tests/browser/axe_allow.toml``) of what is left inside Streamlit's own widgets.

axe-core comes from PyPI, pinned: ``axe-playwright-python==0.1.8`` ships ``axe.min.js`` of
axe-core **4.12.1** (the audit's 4.12). Only that file is used: the package's own ``Axe.run``
evaluates axe in the top document only, so the map's and the print button's iframes
(streamlit-folium and components) would be reported as "frame-tested: incomplete" and never
checked. Here axe is injected into each frame (``frame.evaluate`` reaches cross-origin and
``srcdoc`` frames alike) and run there with ``iframes: false``; results are merged with the frame
they come from.
"""

from __future__ import annotations

import re
import tomllib
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

#: WCAG 2.0/2.1 A and AA rules (what RGAA 4.1 maps to), plus axe's best practices.
WCAG_TAGS = ("wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice")
BLOCKING = ("critical", "serious")
_VERSION = re.compile(r"axe v(\d+\.\d+\.\d+)")
#: axe in the frame's document, each failing node given its ``data-testid`` ancestry.
_RUN_JS = """async (options) => {
    const result = await axe.run(document, options);
    for (const rule of result.violations) {
        for (const node of rule.nodes) {
            let el = null;
            try { el = document.querySelector(node.target[node.target.length - 1]); } catch (e) {}
            const chain = [];
            for (let e = el; e; e = e.parentElement) {
                const id = e.getAttribute("data-testid");
                if (id) { chain.push(id + (e.hasAttribute("disabled") ? "[disabled]" : "")); }
            }
            node.context = chain.reverse().join(" > ");
        }
    }
    return result;
}"""


def axe_source() -> tuple[str, str]:
    """(the axe-core script shipped by ``axe-playwright-python``, its version)."""
    text = resources.files("axe_playwright_python").joinpath("axe.min.js").read_text("utf-8")
    match = _VERSION.search(text[:200])
    return text, match[1] if match else "unknown"


@dataclass(frozen=True)
class Violation:
    """One node failing one rule, in one frame (``frame``: the frame's URL path, "" for the
    top document); ``context``: the ``data-testid`` values of the node and its ancestors,
    outermost first (``[disabled]`` marks a disabled one), what allow-list entries match on."""

    rule: str
    impact: str
    frame: str
    target: str
    html: str
    help: str
    context: str = ""

    def __str__(self) -> str:
        where = f"[{self.frame}] " if self.frame else ""
        return (f"{self.rule} ({self.impact}) {where}{self.target}: {self.help} — "
                f"{self.html[:120]} (in {self.context or 'the page'})")


def flatten(result: Mapping[str, Any], frame: str = "") -> list[Violation]:
    """axe's ``results.violations`` as one :class:`Violation` per node."""
    out = []
    for rule in result.get("violations", []):
        for node in rule.get("nodes", []):
            target = " ".join(" >>> ".join(t) if isinstance(t, list) else str(t)
                              for t in node.get("target", []))
            out.append(Violation(rule["id"], node.get("impact") or rule.get("impact") or "",
                                 frame, target, node.get("html", ""), rule.get("help", ""),
                                 node.get("context", "")))
    return out


def run_in_frames(page: Any, script: str | None = None, tags: Sequence[str] = WCAG_TAGS,
                  skip_frames: Iterable[str] = ()) -> list[Violation]:
    """axe in the top document and in every child frame of a Playwright (sync) ``page``.

    ``skip_frames``: substrings of frame URLs not to test (e.g. a third-party frame).
    Frames that go away while being tested are skipped (the next run tests them again).
    """
    script = script or axe_source()[0]
    options = {"iframes": False, "resultTypes": ["violations"],
               "runOnly": {"type": "tag", "values": list(tags)}}
    found: list[Violation] = []
    for frame in page.frames:
        if frame.is_detached() or any(s in frame.url for s in skip_frames):
            continue
        name = "" if frame == page.main_frame else (re.sub(r"^[a-z]+://[^/]+", "", frame.url)
                                                     or frame.name or "about:srcdoc")
        try:
            if not frame.evaluate("() => typeof window.axe !== 'undefined'"):
                frame.evaluate(script)
            result = frame.evaluate(_RUN_JS, options)
        except Exception as exc:  # a frame detached mid-run (reruns replace frames)
            if "detached" in str(exc).lower() or "destroyed" in str(exc).lower():
                continue
            raise
        found.extend(flatten(result, name))
    return found


@dataclass(frozen=True)
class Allowed:
    """An accepted violation: ``rule`` on nodes where ``target`` (regex) is found in the node's
    selector, HTML snippet or ``data-testid`` ancestry (match on ``data-testid`` values: axe's
    selectors also hold Streamlit's generated ``st-emotion-cache-*`` classes, which change
    between releases), in frames matching ``frame`` (regex, "" = the top document only), with
    the ``reason``."""

    rule: str
    target: str
    reason: str
    frame: str = ""

    def matches(self, violation: Violation) -> bool:
        frame_ok = (violation.frame == "" if self.frame == ""
                    else re.search(self.frame, violation.frame) is not None)
        where = f"{violation.target} {violation.html} {violation.context}"
        return violation.rule == self.rule and frame_ok and re.search(self.target, where) is not None


def load_allow_list(path: Path) -> list[Allowed]:
    """``[[allow]]`` tables of a TOML file (``rule``, ``target``, ``reason``, optional ``frame``).

    Raises
    ------
    ValueError
        An entry without a reason, or with an invalid regex.
    """
    entries = []
    for raw in tomllib.loads(path.read_text("utf-8")).get("allow", []):
        entry = Allowed(raw["rule"], raw["target"], str(raw.get("reason", "")).strip(),
                        raw.get("frame", ""))
        if not entry.reason:
            raise ValueError(f"allow-list entry {entry.rule} / {entry.target} has no reason")
        re.compile(entry.target)
        re.compile(entry.frame)
        entries.append(entry)
    return entries


def unexpected(violations: Iterable[Violation], allowed: Sequence[Allowed],
               impacts: Sequence[str] = BLOCKING) -> list[Violation]:
    """The violations of the given impacts that no allow-list entry covers (the test fails on
    any)."""
    return [v for v in violations
            if v.impact in impacts and not any(a.matches(v) for a in allowed)]


def unused(violations: Iterable[Violation], allowed: Sequence[Allowed]) -> list[Allowed]:
    """Allow-list entries no violation needed (run over all pages: stale entries to remove)."""
    seen = list(violations)
    return [a for a in allowed if not any(a.matches(v) for v in seen)]


def counts(violations: Iterable[Violation]) -> dict[str, int]:
    """Nodes per ``rule (impact)``, for the closing note's before/after table."""
    return dict(sorted(Counter(f"{v.rule} ({v.impact})" for v in violations).items()))
