"""The scores-over-time chart: one column per assessment, the smallest detectable change as a band."""

from __future__ import annotations

import datetime as _dt
import re

import pytest

from weegtool.change import smallest_detectable_change, standard_error_of_measurement
from weegtool.report.timeline_chart import Series, timeline_svg

D = _dt.date
DAYS = (D(2026, 5, 1), D(2026, 11, 1), D(2026, 11, 1))


def test_the_band_is_the_smallest_detectable_change_around_the_score_before_the_last():
    # SD 20, reliability 0.84: SEM 8.0, SDC95 = 1.96 * sqrt(2) * 8 = 22.17 points (Jacobson & Truax 1991)
    sdc = smallest_detectable_change(standard_error_of_measurement(20, 0.84))
    assert sdc == pytest.approx(22.17, abs=0.01)
    svg = timeline_svg(
        [Series("Coping", "risk", list(zip(DAYS, (70.0, 60.0, 30.0))), sdc)], "t", "d"
    )
    (band,) = re.findall(
        r'<rect class="sdc-band" x="[\d.]+" y="([\d.]+)" width="[\d.]+" height="([\d.]+)"', svg
    )
    # the panel is 54 px for 100 points: the band is 2 * 22.17 points high, centred on 60
    assert float(band[1]) == pytest.approx(54 * 2 * sdc / 100, abs=0.1)
    assert float(band[0]) == pytest.approx(22 + 54 * (1 - (60 + sdc) / 100), abs=0.1)
    assert svg.count("<circle") == 3  # two on one day stay apart
    assert len(set(re.findall(r'<circle cx="([\d.]+)"', svg))) == 3


def test_without_a_reliability_there_is_no_band_and_a_missing_score_no_point():
    svg = timeline_svg(
        [Series("Totaal", "total", list(zip(DAYS, (50.0, None, 40.0))), None)], "t", "d"
    )
    assert "sdc-band" not in svg and svg.count("<circle") == 2


def test_labels_are_text_never_markup_and_bad_input_is_refused():
    svg = timeline_svg([Series("<b>x</b>", "risk", [(DAYS[0], 1.0)], 5.0)], "<t>", "&d")
    assert "<b>" not in svg and "&lt;b&gt;" in svg and "&lt;t&gt;" in svg
    with pytest.raises(ValueError, match="at least one series"):
        timeline_svg([], "t", "d")
    with pytest.raises(ValueError, match="same dates"):
        timeline_svg(
            [
                Series("a", "risk", [(DAYS[0], 1.0)], None),
                Series("b", "risk", [(DAYS[1], 1.0)], None),
            ],
            "t",
            "d",
        )


def test_the_band_and_the_point_labels_are_in_the_readers_language():
    # the band's tooltip was Dutch with a decimal point in every language ("± 22.2 punten"); found in review
    series = [Series("Coping", "risk", list(zip(DAYS, (70.0, 60.0, 30.5))), 22.17)]
    svg_nl = timeline_svg(series, "t", "d", lang="nl")
    svg_en = timeline_svg(series, "t", "d", lang="en")
    assert "± 22,2 punten (kleinste aantoonbare verandering)" in svg_nl
    assert "± 22.2 points (smallest detectable change)" in svg_en
