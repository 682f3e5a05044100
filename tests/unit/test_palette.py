"""The colour arithmetic against published values: WCAG contrast, CIEDE2000 (Sharma, Wu & Dalal
2005), colour-vision deficiency simulation (Machado, Oliveira & Fernandes 2009)."""

import math

import pytest

from geo.core.palette import (
    MACHADO_2009,
    best_text_colour,
    blend,
    check_contrast,
    check_distinct,
    check_greyscale_steps,
    ciede2000,
    contrast_ratio,
    delta_e,
    min_delta_e,
    parse_hex,
    relative_luminance,
    simulate,
    srgb_to_lab,
    to_hex,
)

# Sharma, Wu & Dalal (2005), Table 1: CIELAB pairs and their CIEDE2000 difference.
SHARMA = [
    ((50.0, 2.6772, -79.7751), (50.0, 0.0, -82.7485), 2.0425),
    ((50.0, 3.1571, -77.2803), (50.0, 0.0, -82.7485), 2.8615),
    ((50.0, 2.8361, -74.0200), (50.0, 0.0, -82.7485), 3.4412),
    ((50.0, 0.0, 0.0), (50.0, -1.0, 2.0), 2.3669),
    ((50.0, 2.49, -0.001), (50.0, -2.49, 0.0009), 7.1792),
    ((50.0, -0.001, 2.49), (50.0, 0.0009, -2.49), 4.8045),
    ((50.0, 2.5, 0.0), (73.0, 25.0, -18.0), 27.1492),
    ((50.0, 2.5, 0.0), (61.0, -5.0, 29.0), 22.8977),
    ((50.0, 2.5, 0.0), (56.0, -27.0, -3.0), 31.9030),
    ((50.0, 2.5, 0.0), (58.0, 24.0, 15.0), 19.4535),
    ((60.2574, -34.0099, 36.2677), (60.4626, -34.1751, 39.4387), 1.2644),
    ((22.7233, 20.0904, -46.6940), (23.0331, 14.9730, -42.5619), 2.0373),
]


@pytest.mark.parametrize(("lab1", "lab2", "expected"), SHARMA)
def test_ciede2000_matches_sharma_table(lab1, lab2, expected):
    assert ciede2000(lab1, lab2) == pytest.approx(expected, abs=1e-4)
    assert ciede2000(lab2, lab1) == pytest.approx(expected, abs=1e-4)  # symmetric


def test_wcag_luminance_and_contrast_known_values():
    assert relative_luminance("#ffffff") == pytest.approx(1.0)
    assert relative_luminance("#000") == 0.0
    assert relative_luminance("#808080") == pytest.approx(0.2158605, abs=1e-6)
    assert contrast_ratio("#000000", "#ffffff") == pytest.approx(21.0)
    assert contrast_ratio("#ffffff", "#000000") == contrast_ratio("#000000", "#ffffff")
    assert contrast_ratio("#767676", "#ffffff") == pytest.approx(4.54, abs=0.005)  # the AA grey
    # the audit's figures (issue 15)
    assert contrast_ratio("#828180", "#ffffff") == pytest.approx(3.88, abs=0.01)
    assert contrast_ratio("#ffffff", "#fb6a4a") == pytest.approx(2.89, abs=0.01)
    assert contrast_ratio("#00e5ff", "#dddddd") == pytest.approx(1.13, abs=0.01)
    assert contrast_ratio(blend("#a1d99b", "#dddddd", 0.5), "#dddddd") == pytest.approx(1.10, abs=0.01)


def test_lab_of_primaries():
    assert srgb_to_lab("#ffffff") == pytest.approx((100.0, 0.0, 0.0), abs=0.01)
    assert srgb_to_lab("#ff0000") == pytest.approx((53.24, 80.09, 67.20), abs=0.02)
    assert srgb_to_lab("#000000") == pytest.approx((0.0, 0.0, 0.0), abs=1e-9)


def test_machado_rows_keep_white_and_greys():
    for matrix in MACHADO_2009.values():
        for row in matrix:
            assert sum(row) == pytest.approx(1.0, abs=1e-5)
    for vision in MACHADO_2009:
        assert to_hex(simulate("#ffffff", vision)) == "#ffffff"
        assert to_hex(simulate("#777777", vision)) == "#777777"


def test_machado_simulation_known_answer():
    # independent implementation: colour-science 0.4.7, matrix_cvd_Machado2009(..., 1.0)
    assert simulate("#2166ac", "protanopia") == pytest.approx((0.26632, 0.41976, 0.68545), abs=1e-5)
    assert simulate("#2166ac", "deuteranopia") == pytest.approx((0.17518, 0.37058, 0.66909), abs=1e-5)
    assert simulate("#2166ac", "tritanopia") == pytest.approx((0.0, 0.46537, 0.50351), abs=1e-5)


def test_red_green_collapse_under_deuteranopia_not_tritanopia():
    red, green = "#d62728", "#2ca02c"
    assert delta_e(red, green) > 60
    assert delta_e(red, green, "deuteranopia") < delta_e(red, green) / 2
    assert delta_e(red, green, "tritanopia") > 40
    value, vision = min_delta_e(red, green)
    assert vision in ("protanopia", "deuteranopia") and value < 30


def test_text_colour_by_contrast_not_brightness_guess():
    assert best_text_colour("#fb6a4a") == "#000000"  # the legend chip the audit flagged
    assert best_text_colour("#a50f15") == "#ffffff"
    assert best_text_colour("#ffffff") == "#000000"


def test_blend_and_hex_round_trip():
    assert blend("#000000", "#ffffff", 0.5) == "#808080"
    assert blend("#2166ac", "#dddddd", 1.0) == "#2166ac"
    assert to_hex(parse_hex("#AbC")) == "#aabbcc"
    with pytest.raises(ValueError):
        parse_hex("red")


def test_checks_report_failures_with_their_values():
    found = check_contrast({"ring": "#00e5ff", "ok": "#000000"}, ["#dddddd"], 3.0)
    assert [f.items for f in found] == [("ring", "#dddddd")]
    assert "1.13 < 3" in str(found[0])
    same = check_distinct({"a": "#ff7f00", "b": "#ff7f00"}, [("a", "b")], 9.0)
    assert same and same[0].value == 0.0
    assert check_greyscale_steps("s", ["#ffffff", "#808080", "#000000"], 5.0) == []
    flat = check_greyscale_steps("s", ["#ffffff", "#fefefe"], 5.0)
    assert len(flat) == 1 and math.isclose(flat[0].threshold, 5.0)
