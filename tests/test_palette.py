"""The course palette stays distinguishable under colour-vision deficiency; text stays readable.

Colour distance: CAM02-UCS (Luo et al. 2006), computed by ``colorspacious``, after simulating
each deficiency at full severity with the model of Machado, Oliveira & Fernandes (2009)
(``colorspacious``'s ``sRGB1+CVD``).  In CAM02-UCS a distance of about 1 is a just-noticeable
difference between two large patches; thin lines and small markers need far more, so every pair
of course colours must stay at least :data:`MIN_DISTANCE` apart, and every colour at least
:data:`MIN_FROM_WHITE` from the white background.  matplotlib's default ``tab10`` fails this
(orange and green fall 1.6 apart for protanopia): the test shows it.
"""

from __future__ import annotations

import itertools

import matplotlib
import numpy as np
import pytest
from colorspacious import cspace_convert
from matplotlib.colors import to_rgb

from course_lib import plotting, style

MIN_DISTANCE = 10.0
MIN_FROM_WHITE = 20.0
DEFICIENCIES = ("deuteranomaly", "protanomaly", "tritanomaly")  # at severity 100: -anopia
TAB10 = ("#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2",
         "#7f7f7f", "#bcbd22", "#17becf")


def seen_as(colors, deficiency: str | None) -> np.ndarray:
    """The colours in CAM02-UCS as seen with ``deficiency`` (None: normal colour vision)."""
    rgb = np.array([to_rgb(c) for c in colors])
    if deficiency is not None:
        cvd = {"name": "sRGB1+CVD", "cvd_type": deficiency, "severity": 100}
        rgb = np.clip(cspace_convert(rgb, cvd, "sRGB1"), 0, 1)
    return cspace_convert(rgb, "sRGB1", "CAM02-UCS")


def closest_pair(colors, deficiency: str | None) -> tuple[float, str, str]:
    """The smallest CAM02-UCS distance between two of ``colors``, and which two."""
    ucs = seen_as(colors, deficiency)
    return min((float(np.linalg.norm(ucs[i] - ucs[j])), colors[i], colors[j])
               for i, j in itertools.combinations(range(len(colors)), 2))


def distance_from_white(colors, deficiency: str | None) -> float:
    white = cspace_convert(np.ones(3), "sRGB1", "CAM02-UCS")
    return float(np.min(np.linalg.norm(seen_as(colors, deficiency) - white, axis=1)))


@pytest.mark.parametrize("deficiency", [None, *DEFICIENCIES])
def test_palette_colours_stay_apart(deficiency):
    distance, a, b = closest_pair(style.PALETTE, deficiency)
    assert distance >= MIN_DISTANCE, f"{a} and {b}: {distance:.1f} under {deficiency}"
    assert distance_from_white(style.PALETTE, deficiency) >= MIN_FROM_WHITE


@pytest.mark.parametrize("deficiency", DEFICIENCIES)
def test_matplotlib_default_palette_fails_the_same_check(deficiency):
    # The check can fail: tab10 (and its first seven, as many as the course uses) does.
    for colors in (TAB10, TAB10[:7]):
        assert closest_pair(colors, deficiency)[0] < MIN_DISTANCE


def test_simulation_is_not_the_identity():
    # Red and green collapse for deuteranopia but not for normal vision.
    assert closest_pair(("#d62728", "#2ca02c"), None)[0] > 40
    assert closest_pair(("#d62728", "#2ca02c"), "deuteranomaly")[0] < 10


def test_the_palette_is_okabe_ito():
    assert set(style.PALETTE) <= set(style.OKABE_ITO.values())
    assert len(set(style.PALETTE)) == len(style.PALETTE) == 7


def test_the_style_cycles_through_the_palette_with_distinct_dashes():
    style.apply_style()
    cycle = list(matplotlib.rcParams["axes.prop_cycle"])
    assert [c["color"] for c in cycle] == list(style.PALETTE)
    dashes = [str(c["linestyle"]) for c in cycle]
    assert len(set(dashes)) == len(dashes)


def test_every_optimizer_has_its_own_colour_dash_and_marker():
    styles = plotting.OPTIMIZER_STYLES
    assert set(plotting.OPTIMIZER_COLORS) == set(styles)
    for key in ("color", "linestyle", "marker"):
        values = [str(s[key]) for s in styles.values()]
        assert len(set(values)) == len(values), key
    assert {s["color"] for s in styles.values()} <= set(style.PALETTE)


def test_text_sizes_in_the_style_are_at_least_the_minimum():
    from matplotlib.font_manager import FontProperties

    style.apply_style()
    for key in ("font.size", "axes.titlesize", "axes.labelsize", "xtick.labelsize",
                "ytick.labelsize", "legend.fontsize", "legend.title_fontsize",
                "figure.titlesize"):
        size = FontProperties(size=matplotlib.rcParams[key]).get_size_in_points()
        assert size >= style.MIN_FONT_SIZE, key
