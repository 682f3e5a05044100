"""Colour arithmetic for the map's styles: WCAG contrast, CIEDE2000 distance, colour-vision
deficiency simulation (Machado, Oliveira & Fernandes 2009). Pure Python, no dependency.

Used by ``geo.map.styles`` (the rules every map style must meet), the legend (chip text colour)
and the palette unit test.

References
----------
- WCAG 2.1, definitions of *relative luminance* and *contrast ratio*
  (https://www.w3.org/TR/WCAG21/#dfn-relative-luminance).
- G. M. Machado, M. M. Oliveira, L. A. F. Fernandes, "A Physiologically-based Model for
  Simulation of Color Vision Deficiency", IEEE TVCG 15(6), 2009, 1291-1298. The matrices below
  are the authors' published ones for severity 1.0 (protanopia, deuteranopia, tritanopia),
  applied to *linear* RGB.
- G. Sharma, W. Wu, E. N. Dalal, "The CIEDE2000 Color-Difference Formula: Implementation Notes,
  Supplementary Test Data, and Mathematical Observations", Color Res. Appl. 30(1), 2005.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

RGB = tuple[float, float, float]
Lab = tuple[float, float, float]

#: Machado et al. 2009, severity 1.0, for linear RGB (rows give the simulated R, G, B).
MACHADO_2009: dict[str, tuple[RGB, RGB, RGB]] = {
    "protanopia": ((0.152286, 1.052583, -0.204868),
                   (0.114503, 0.786281, 0.099216),
                   (-0.003882, -0.048116, 1.051998)),
    "deuteranopia": ((0.367322, 0.860646, -0.227968),
                     (0.280085, 0.672501, 0.047413),
                     (-0.011820, 0.042940, 0.968881)),
    "tritanopia": ((1.255528, -0.076749, -0.178779),
                   (-0.078411, 0.930809, 0.147602),
                   (0.004733, 0.691367, 0.303900)),
}
#: The visions a palette is checked under: normal, then the three simulated deficiencies.
VISIONS: tuple[str, ...] = ("normal", *MACHADO_2009)

#: WCAG 2.1 thresholds: 1.4.3 text (AA), 1.4.11 non-text (graphical objects, UI components).
TEXT_CONTRAST = 4.5
GRAPHIC_CONTRAST = 3.0

_HEX = re.compile(r"^#?([0-9a-fA-F]{3}|[0-9a-fA-F]{6})$")
# sRGB (D65) -> XYZ, IEC 61966-2-1; reference white D65 for CIELAB.
_SRGB_TO_XYZ = ((0.4124564, 0.3575761, 0.1804375),
                (0.2126729, 0.7151522, 0.0721750),
                (0.0193339, 0.1191920, 0.9503041))
_D65 = (0.95047, 1.0, 1.08883)


def parse_hex(colour: str) -> RGB:
    """``#rrggbb`` (or ``#rgb``) as sRGB components in [0, 1].

    Raises
    ------
    ValueError
        Not a hex colour.
    """
    match = _HEX.match(colour.strip())
    if match is None:
        raise ValueError(f"not a hex colour: {colour!r}")
    digits = match[1]
    if len(digits) == 3:
        digits = "".join(d * 2 for d in digits)
    return tuple(int(digits[i:i + 2], 16) / 255 for i in (0, 2, 4))  # type: ignore[return-value]


def to_hex(rgb: RGB) -> str:
    """sRGB components in [0, 1] (clipped) as ``#rrggbb``."""
    return "#" + "".join(f"{round(min(max(c, 0.0), 1.0) * 255):02x}" for c in rgb)


def srgb_to_linear(c: float) -> float:
    """One sRGB component (0-1) to linear light (IEC 61966-2-1; the 0.04045 knee)."""
    return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4


def linear_to_srgb(c: float) -> float:
    """One linear component (0-1, clipped) back to sRGB."""
    c = min(max(c, 0.0), 1.0)
    return 12.92 * c if c <= 0.0031308 else 1.055 * c ** (1 / 2.4) - 0.055


def relative_luminance(colour: str | RGB) -> float:
    """WCAG relative luminance (0 black ... 1 white).

    WCAG 2.x writes the knee as 0.03928 (an old sRGB draft); 0.04045 is the standard's value.
    No 8-bit colour lies between the two, so the results are identical.
    """
    r, g, b = (srgb_to_linear(c) for c in _rgb(colour))
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast_ratio(a: str | RGB, b: str | RGB) -> float:
    """WCAG contrast ratio between two colours, 1 ... 21 (order does not matter)."""
    la, lb = relative_luminance(a), relative_luminance(b)
    hi, lo = max(la, lb), min(la, lb)
    return (hi + 0.05) / (lo + 0.05)


def blend(colour: str, background: str, alpha: float) -> str:
    """What ``colour`` drawn at opacity ``alpha`` over ``background`` looks like (the canvas
    composites in sRGB space, as browsers do)."""
    fg, bg = parse_hex(colour), parse_hex(background)
    return to_hex(tuple(alpha * f + (1 - alpha) * g for f, g in zip(fg, bg, strict=True)))  # type: ignore[arg-type]


def best_text_colour(background: str, dark: str = "#000000", light: str = "#ffffff") -> str:
    """``dark`` or ``light``, whichever has the higher contrast ratio on ``background``
    (replaces the legend's YIQ guess, which put white on ``#fb6a4a``: 2.89:1)."""
    return dark if contrast_ratio(dark, background) >= contrast_ratio(light, background) else light


def simulate(colour: str | RGB, vision: str) -> RGB:
    """How ``colour`` appears under ``vision`` (``normal`` or a key of :data:`MACHADO_2009`):
    sRGB -> linear -> Machado matrix -> clip -> sRGB.

    Raises
    ------
    KeyError
        Unknown vision.
    """
    rgb = _rgb(colour)
    if vision == "normal":
        return rgb
    matrix = MACHADO_2009[vision]
    linear = [srgb_to_linear(c) for c in rgb]
    out = [sum(m * c for m, c in zip(row, linear, strict=True)) for row in matrix]
    return tuple(linear_to_srgb(c) for c in out)  # type: ignore[return-value]


def srgb_to_lab(colour: str | RGB) -> Lab:
    """CIELAB (D65, 2°) of an sRGB colour."""
    linear = [srgb_to_linear(c) for c in _rgb(colour)]
    xyz = [sum(m * c for m, c in zip(row, linear, strict=True)) for row in _SRGB_TO_XYZ]

    def f(t: float) -> float:
        return t ** (1 / 3) if t > (6 / 29) ** 3 else t / (3 * (6 / 29) ** 2) + 4 / 29

    fx, fy, fz = (f(v / w) for v, w in zip(xyz, _D65, strict=True))
    return (116 * fy - 16, 500 * (fx - fy), 200 * (fy - fz))


def ciede2000(lab1: Lab, lab2: Lab, k_l: float = 1.0, k_c: float = 1.0, k_h: float = 1.0) -> float:
    """CIEDE2000 colour difference ΔE00 (Sharma, Wu & Dalal 2005, eqs. 1-17).

    Symmetric; 0 for identical colours. About 1 is a just-noticeable difference side by side;
    small map symbols need far more (the thresholds are in ``geo.map.styles``).
    """
    l1, a1, b1 = lab1
    l2, a2, b2 = lab2
    c_bar = (math.hypot(a1, b1) + math.hypot(a2, b2)) / 2
    g = 0.5 * (1 - math.sqrt(c_bar ** 7 / (c_bar ** 7 + 25 ** 7)))
    a1p, a2p = (1 + g) * a1, (1 + g) * a2
    c1p, c2p = math.hypot(a1p, b1), math.hypot(a2p, b2)
    h1p = math.degrees(math.atan2(b1, a1p)) % 360 if c1p else 0.0
    h2p = math.degrees(math.atan2(b2, a2p)) % 360 if c2p else 0.0

    dl = l2 - l1
    dc = c2p - c1p
    if c1p * c2p == 0:
        dh = 0.0
    elif abs(h2p - h1p) <= 180:
        dh = h2p - h1p
    elif h2p - h1p > 180:
        dh = h2p - h1p - 360
    else:
        dh = h2p - h1p + 360
    dH = 2 * math.sqrt(c1p * c2p) * math.sin(math.radians(dh / 2))

    l_bar = (l1 + l2) / 2
    cp_bar = (c1p + c2p) / 2
    if c1p * c2p == 0:
        h_bar = h1p + h2p
    elif abs(h1p - h2p) <= 180:
        h_bar = (h1p + h2p) / 2
    elif h1p + h2p < 360:
        h_bar = (h1p + h2p + 360) / 2
    else:
        h_bar = (h1p + h2p - 360) / 2
    t = (1 - 0.17 * math.cos(math.radians(h_bar - 30)) + 0.24 * math.cos(math.radians(2 * h_bar))
         + 0.32 * math.cos(math.radians(3 * h_bar + 6))
         - 0.20 * math.cos(math.radians(4 * h_bar - 63)))
    d_theta = 30 * math.exp(-(((h_bar - 275) / 25) ** 2))
    r_c = 2 * math.sqrt(cp_bar ** 7 / (cp_bar ** 7 + 25 ** 7))
    s_l = 1 + 0.015 * (l_bar - 50) ** 2 / math.sqrt(20 + (l_bar - 50) ** 2)
    s_c = 1 + 0.045 * cp_bar
    s_h = 1 + 0.015 * cp_bar * t
    r_t = -math.sin(math.radians(2 * d_theta)) * r_c
    return math.sqrt((dl / (k_l * s_l)) ** 2 + (dc / (k_c * s_c)) ** 2 + (dH / (k_h * s_h)) ** 2
                     + r_t * (dc / (k_c * s_c)) * (dH / (k_h * s_h)))


def delta_e(a: str | RGB, b: str | RGB, vision: str = "normal") -> float:
    """ΔE00 between two sRGB colours as seen under ``vision``."""
    return ciede2000(srgb_to_lab(simulate(a, vision)), srgb_to_lab(simulate(b, vision)))


def min_delta_e(a: str | RGB, b: str | RGB, visions: Iterable[str] = VISIONS) -> tuple[float, str]:
    """The smallest ΔE00 over ``visions`` and the vision where it occurs."""
    return min((delta_e(a, b, vision), vision) for vision in visions)


def grey(colour: str | RGB) -> float:
    """CIELAB lightness L* (0-100): what is left of a colour in greyscale."""
    return srgb_to_lab(colour)[0]


@dataclass(frozen=True)
class Finding:
    """One failed check: ``what`` (``contrast``, ``distinct``, ``greyscale``), the items
    involved, the value measured, the threshold and, for distinctness, the vision."""

    what: str
    items: tuple[str, ...]
    value: float
    threshold: float
    vision: str = ""

    def __str__(self) -> str:
        where = f" ({self.vision})" if self.vision else ""
        return f"{self.what}{where}: {' / '.join(self.items)} = {self.value:.2f} < {self.threshold:g}"


def check_contrast(colours: dict[str, str], backgrounds: Sequence[str],
                   minimum: float = GRAPHIC_CONTRAST) -> list[Finding]:
    """Each named colour against each background: ratio below ``minimum`` is a finding."""
    return [Finding("contrast", (name, background), ratio, minimum)
            for name, colour in colours.items() for background in backgrounds
            if (ratio := contrast_ratio(colour, background)) < minimum]


def check_distinct(colours: dict[str, str], pairs: Iterable[tuple[str, str]], minimum: float,
                   visions: Iterable[str] = VISIONS) -> list[Finding]:
    """For each pair of names, the smallest ΔE00 over ``visions`` below ``minimum`` is a finding."""
    found = []
    visions = tuple(visions)
    for a, b in pairs:
        value, vision = min_delta_e(colours[a], colours[b], visions)
        if value < minimum:
            found.append(Finding("distinct", (a, b), value, minimum, vision))
    return found


def check_greyscale_steps(name: str, colours: Sequence[str], minimum_step: float) -> list[Finding]:
    """A stepped scale reads in greyscale when L* changes monotonically by at least
    ``minimum_step`` between neighbours (same direction all along)."""
    lightness = [grey(c) for c in colours]
    steps = [b - a for a, b in zip(lightness, lightness[1:], strict=False)]
    if not steps:
        return []
    sign = 1 if steps[0] >= 0 else -1
    return [Finding("greyscale", (name, f"{colours[i]}->{colours[i + 1]}"), sign * step,
                    minimum_step)
            for i, step in enumerate(steps) if sign * step < minimum_step]


def _rgb(colour: str | RGB) -> RGB:
    return parse_hex(colour) if isinstance(colour, str) else colour
