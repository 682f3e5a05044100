"""Unit tests of the opening-hours parser (geo.analysis.hours): every format found in the official export (literal
strings from ilots-de-fraicheur-equipements-activites), including those that must not parse."""

import math
from datetime import date

import pytest

from geo.analysis.hours import (
    DAYS,
    PROBLEMS,
    DayStatus,
    Validity,
    WeekKind,
    clock_minutes,
    open_at,
    open_in_period,
    open_minutes,
    parse_day,
    parse_validity,
    parse_week,
)


@pytest.mark.parametrize(("text", "intervals"), [
    ("10h00 - 18h00", ((600, 1080),)),
    ("14h - 17h", ((840, 1020),)),
    ("9H30 - 17H", ((570, 1020),)),
    ("11:00 - 18:00", ((660, 1080),)),
    ("12h-19h", ((720, 1140),)),
    ("10h – 18h", ((600, 1080),)),                       # en dash
    ("07h00 - 08h30 / 11h30 - 22h00", ((420, 510), (690, 1320))),
    ("07h00 - 08h00 / 12h00 - 14h00 / 17h00 - 20h00", ((420, 480), (720, 840), (1020, 1200))),
    ("07h00 - 08h30 / 12h00 - 14h00 / 20h00 - 23h59", ((420, 510), (720, 840), (1200, 1439))),
    ("07h00 - 08h03", ((420, 483),)),
    ("12h18 - 18h00", ((738, 1080),)),
    # published with overlapping intervals: the union is certain, no guess needed
    ("06h30 - 19h45 / 11h30 - 19h45 / 20h00 - 22h45", ((390, 1185), (1200, 1365))),
])
def test_intervals(text, intervals):
    day = parse_day(text)
    assert day.status is DayStatus.OPEN
    assert day.intervals == intervals


@pytest.mark.parametrize(("text", "status"), [
    ("Fermé", DayStatus.CLOSED),
    ("-", DayStatus.DASH),
    ("", DayStatus.UNKNOWN),
    (None, DayStatus.UNKNOWN),
    (math.nan, DayStatus.UNKNOWN),
])
def test_markers(text, status):
    assert parse_day(text).status is status


@pytest.mark.parametrize("text", [
    "Les horaires étant susceptibles d'évoluer, merci d",        # prose cut by the export
    "06h30 - 07h45 / 11h45 - 13h45 / 16h30 - 19h45 / 20",       # truncated last interval
    "22h00 - 06h00",                                            # would need a guess about the next day
    "25h00 - 26h00",
])
def test_unparseable_is_reported_not_guessed(text):
    day = parse_day(text)
    assert day.status is DayStatus.UNKNOWN
    assert day.problem in PROBLEMS and day.problem != "not_published" and day.intervals == ()


def _week(**fields):
    return {f"horaires_{d}": fields.pop(d, None) for d in DAYS} | fields


def test_dash_is_closed_in_a_published_week():
    # Bain-douche des Haies: closed on Monday
    week = parse_week(_week(lundi="-", mardi="07h30 - 13h00", mercredi="07h30 - 13h00",
                            jeudi="07h30 - 13h00", vendredi="07h30 - 13h00", samedi="07h30 - 13h00",
                            dimanche="08h00 - 12h30", horaires_periode="du 01/01/20 au 01/01/32"))
    assert week.kind is WeekKind.SCHEDULE
    assert week.days["lundi"].status is DayStatus.CLOSED
    assert open_at(week, "lundi", 600) is False
    assert open_at(week, "mardi", 600) is True


def test_every_day_dash_is_unknown():
    # Bain-douche Bidassoa, Bibliothèque Place des Fêtes
    week = parse_week(_week(**dict.fromkeys(DAYS, "-"), horaires_periode="à partir du 05/02/24"))
    assert week.kind is WeekKind.UNKNOWN
    assert week.problems[0].code == "every_day_dash" and week.problems[0].raw == "à partir du 05/02/24"
    assert open_in_period(week, "mardi", "day") is None


def test_unparseable_day_in_a_week_is_unknown_that_day_only():
    # Piscine Pontoise
    week = parse_week(_week(lundi="07h00 - 08h30", mardi="06h30 - 07h45 / 11h45 - 13h45 / 16h30 - 19h45 / 20"))
    assert week.kind is WeekKind.SCHEDULE
    assert week.days["mardi"].status is DayStatus.UNKNOWN
    assert [(p.day, p.code) for p in week.problems] == [("mardi", "not_interval")]
    assert week.problems[0].raw == "06h30 - 07h45 / 11h45 - 13h45 / 16h30 - 19h45 / 20"
    assert open_in_period(week, "mardi", "day") is None
    assert open_in_period(week, "lundi", "day") is False
    assert open_in_period(week, "mercredi", "day") is None  # blank day: not published


@pytest.mark.parametrize(("period", "kind"), [
    ("Accès libre", WeekKind.ALWAYS_OPEN),
    ("En tout temps / Espace public", WeekKind.ALWAYS_OPEN),
    ("Horaires d'ouvertures du parc", WeekKind.FOLLOWS_GREEN),
    ("Horaires d'ouverture du parc", WeekKind.FOLLOWS_GREEN),
    ("Horaires d'ouverture de l'espace vert", WeekKind.FOLLOWS_GREEN),
    ("Horaires d'ouverture du jardin", WeekKind.FOLLOWS_GREEN),
    ("Horaires d'ouveture du parc", WeekKind.FOLLOWS_GREEN),          # typo as published
    ("Horaires d'ouverture de l'aire de jeux", WeekKind.FOLLOWS_GREEN),
    ("Installation prévue mi-juillet / Horaires d'ouvertures du parc", WeekKind.FOLLOWS_GREEN),
    ("Les horaires étant susceptibles d'évoluer, merci de vous renseigner directement sur place.",
     WeekKind.UNKNOWN),
    ("Pas d'horaires réguliers", WeekKind.UNKNOWN),
    ("Village Rugby", WeekKind.UNKNOWN),
    (None, WeekKind.UNKNOWN),
])
def test_period_text_without_day_hours(period, kind):
    assert parse_week(_week(horaires_periode=period)).kind is kind


def test_switched_off_mister_is_out_of_service():
    week = parse_week(_week(horaires_periode="Horaires d'ouvertures du parc", statut_ouverture="Eteint"))
    assert week.kind is WeekKind.OUT_OF_SERVICE
    assert open_in_period(week, "mardi", "day") is False


def test_always_open_counts_at_night():
    week = parse_week(_week(horaires_periode="Accès libre"))
    assert open_in_period(week, "dimanche", "night") is True


def test_periods_and_minimum_minutes():
    # Mairie du 11e: 14h - 17h every day = 3 h of the 10-18 day
    week = parse_week(_week(**dict.fromkeys(DAYS, "14h - 17h")))
    assert open_minutes(week, "mardi", 600, 1080) == 180
    assert open_in_period(week, "mardi", "day", min_minutes=120) is True
    assert open_in_period(week, "mardi", "day", min_minutes=240) is False
    assert open_in_period(week, "mardi", "evening") is False


def test_night_runs_into_the_next_day():
    week = parse_week(_week(dimanche="07h00 - 23h30", lundi="00h00 - 01h00 / 07h00 - 08h00"))
    # 22:00-23:30 on Sunday + 00:00-01:00 on Monday = 150 minutes
    assert open_minutes(week, "dimanche", 1320, 360) == 150
    assert open_in_period(week, "dimanche", "night", min_minutes=120) is True
    assert open_in_period(week, "dimanche", "night", min_minutes=480) is False


def test_evening_cap_and_any_moment():
    week = parse_week(_week(mardi="07h00 - 08h30 / 11h30 - 18h30"))
    assert open_in_period(week, "mardi", "evening", min_minutes=0) is True   # 30 min
    assert open_in_period(week, "mardi", "evening", min_minutes=120) is False
    full = parse_week(_week(mardi="10h00 - 23h00"))
    assert open_in_period(full, "mardi", "evening", min_minutes=10_000) is True  # capped at 4 h


@pytest.mark.parametrize(("text", "kind", "start", "end"), [
    ("du 09/09/24 au 15/09/24", "range", date(2024, 9, 9), date(2024, 9, 15)),
    ("du 01/01/20 au 01/01/32", "range", date(2020, 1, 1), date(2032, 1, 1)),
    ("à partir du 05/02/24", "from", date(2024, 2, 5), None),
    ("Du 08 juillet au 20 août 2023", "range", date(2023, 7, 8), date(2023, 8, 20)),
    ("A partir du 12 juillet 2023", "from", date(2023, 7, 12), None),
    ("Du 28 juillet au 22 août", "range", None, None),               # no year published
    ("Fermeture du 09 au 23 août inclus", "closure", None, None),
    ("Horaires d'ouvertures du parc", "text", None, None),
    (None, "text", None, None),
])
def test_validity_period(text, kind, start, end):
    assert parse_validity(text) == Validity(kind, start, end)


def test_clock_times_of_the_settings():
    assert clock_minutes("22:00") == 1320 and clock_minutes("06:00") == 360
    assert clock_minutes("24:00") == 1440
    for bad in ("22h", "25:00", "10:75", ""):
        with pytest.raises(ValueError):
            clock_minutes(bad)


def test_periods_follow_the_settings():
    week = parse_week(_week(mardi="08h00 - 10h30"))
    morning = {"day": (480, 600), "evening": (1080, 1320), "night": (1320, 360)}
    assert open_in_period(week, "mardi", "day", 120, morning) is True
    assert open_in_period(week, "mardi", "day", 120) is False
