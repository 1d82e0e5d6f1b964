"""Plot style: a colour-vision-safe palette, projector-sized text and Korean fonts.

Colours: :data:`PALETTE` is the Okabe–Ito set (Okabe & Ito 2008, "Color Universal Design"),
chosen because its colours stay apart under the common colour-vision deficiencies; the
course's prop cycle pairs each colour with its own line style (:data:`LINESTYLES`), so two
series also differ in greyscale print.  ``tests/test_palette.py`` checks the colours under
simulated deuteranopia, protanopia and tritanopia.  Text: nothing in a figure is smaller than
:data:`MIN_FONT_SIZE` points (legends included), which the test run checks on every figure a
lesson shows.

matplotlib's default font (DejaVu Sans) has no Hangul, so Korean titles become empty
boxes.  :func:`setup_fonts` registers NanumGothic (shipped inside the
``koreanize-matplotlib`` wheel, SIL Open Font License) and puts it *after* DejaVu Sans
in ``font.family``.  matplotlib then falls back glyph by glyph: Latin letters, digits and
the true minus sign U+2212 come from DejaVu Sans, Hangul from NanumGothic.

We do not ``import koreanize_matplotlib``: its import uses ``distutils`` (gone from
Python 3.12 unless setuptools supplies it) and it switches off the minus sign
(``axes.unicode_minus = False``), because NanumGothic has no U+2212 glyph.  We only
read its font files, found with :func:`importlib.util.find_spec`, which does not run the
package.  A system NanumGothic (Debian's ``fonts-nanum``) works as well.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path

import matplotlib
from cycler import cycler
from matplotlib import font_manager

#: Okabe & Ito's eight colours by name.
OKABE_ITO = {
    "black": "#000000",
    "orange": "#E69F00",
    "sky_blue": "#56B4E9",
    "bluish_green": "#009E73",
    "yellow": "#F0E442",
    "blue": "#0072B2",
    "vermillion": "#D55E00",
    "reddish_purple": "#CC79A7",
}

#: The course's line colours, in prop-cycle order: Okabe–Ito without yellow (too pale on
#: white for a thin line).
PALETTE = tuple(
    OKABE_ITO[name]
    for name in ("blue", "vermillion", "bluish_green", "reddish_purple", "orange", "sky_blue",
                 "black")
)

#: One line style per palette colour: the n-th series differs from the others in colour AND
#: dash pattern.
LINESTYLES = ("-", "--", "-.", ":", (0, (6, 2)), (0, (3, 1, 1, 1, 1, 1)), (0, (1, 1)))

#: One marker per palette colour, for paths drawn with points (the optimizer race).
MARKERS = ("o", "s", "^", "D", "v", "P", "X")

#: Colour of warnings in figures ("diverged at step 7").
ALERT_COLOR = OKABE_ITO["vermillion"]

#: Smallest text (points) allowed in a course figure; at the course's 80 dpi that is 11 px,
#: readable from the back of a classroom when the notebook is projected.
MIN_FONT_SIZE = 10

KOREAN_FONT = "NanumGothic"
_FONT_FILES = ("NanumGothic.ttf", "NanumGothicBold.ttf")

_done = False


def korean_font_files() -> list[Path]:
    """Return the NanumGothic files shipped by ``koreanize-matplotlib`` (without importing it)."""
    spec = importlib.util.find_spec("koreanize_matplotlib")
    if spec is None or not spec.submodule_search_locations:
        return []
    folder = Path(next(iter(spec.submodule_search_locations))) / "fonts"
    return [folder / name for name in _FONT_FILES if (folder / name).is_file()]


def _has_system_korean_font() -> bool:
    return any(f.name == KOREAN_FONT for f in font_manager.fontManager.ttflist)


def setup_fonts() -> None:
    """Make Korean text render in matplotlib figures, keeping the real minus sign.

    Safe to call many times; the work is done once per process.

    Raises
    ------
    RuntimeError
        If no NanumGothic font can be found (neither ``koreanize-matplotlib`` nor a
        system font).  Install the course with ``pip install -e .`` to get it.
    """
    global _done
    if _done:
        return
    files = korean_font_files()
    for path in files:
        font_manager.fontManager.addfont(str(path))
    if not files and not _has_system_korean_font():
        raise RuntimeError(
            "No Korean font found: install the course's dependencies "
            "(pip install -e .), which include koreanize-matplotlib, or the "
            "system package fonts-nanum."
        )
    matplotlib.rcParams["font.family"] = ["DejaVu Sans", KOREAN_FONT]
    matplotlib.rcParams["axes.unicode_minus"] = True
    _done = True


def apply_style() -> None:
    """Course-wide plot defaults: Korean fonts, the palette, readable text, small PNGs."""
    setup_fonts()
    matplotlib.rcParams.update(
        {
            "figure.figsize": (6.0, 3.6),
            "figure.dpi": 80,
            "savefig.dpi": 100,
            "axes.grid": True,
            "grid.alpha": 0.3,
            "axes.spines.top": False,
            "axes.spines.right": False,
            "axes.prop_cycle": cycler(color=PALETTE) + cycler(linestyle=LINESTYLES),
            "legend.frameon": False,
            "font.size": 11,
            "axes.titlesize": 12,
            "figure.titlesize": 12,
            "xtick.labelsize": MIN_FONT_SIZE,
            "ytick.labelsize": MIN_FONT_SIZE,
            "legend.fontsize": MIN_FONT_SIZE,
            "legend.title_fontsize": MIN_FONT_SIZE,
        }
    )
