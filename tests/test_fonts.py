"""Korean figure text must render: no missing glyphs, and the minus sign on axes stays."""

from __future__ import annotations

import io
import subprocess
import sys
import textwrap
import warnings

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import pytest  # noqa: E402

from course_lib import set_language  # noqa: E402
from course_lib.style import korean_font_files  # noqa: E402

KOREAN = "경사 하강법: 학습률과 손실 (발산·수렴)"


def _render(fig) -> None:
    fig.savefig(io.BytesIO(), format="png")


def test_font_comes_from_the_package_not_the_system():
    files = korean_font_files()
    assert files and all(f.suffix == ".ttf" and f.stat().st_size > 100_000 for f in files)


def test_korean_figure_renders_without_missing_glyphs():
    set_language("ko")
    fig, ax = plt.subplots(figsize=(5, 3))
    try:
        ax.plot([-3, -1, 0, 2], [1, -2, 0.5, -0.25], label="손실 곡선")
        ax.set(title=KOREAN, xlabel="반복(이터레이션)", ylabel="기울기(그래디언트)")
        ax.legend()
        with warnings.catch_warnings():
            warnings.simplefilter("error")  # "Glyph ... missing from font(s)" becomes a failure
            _render(fig)
        fig.canvas.draw()
        tick_text = "".join(t.get_text() for t in ax.get_yticklabels())
        assert matplotlib.rcParams["axes.unicode_minus"] is True
        assert "\N{MINUS SIGN}" in tick_text, (
            f"no true minus sign in the tick labels: {tick_text!r}"
        )
    finally:
        plt.close(fig)


def test_importing_koreanize_is_not_needed_for_fonts():
    """course_lib reads the font file only; koreanize_matplotlib's distutils import never runs."""
    code = (
        "import sys, course_lib; course_lib.set_language('ko'); "
        "print('koreanize_matplotlib' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_the_font_check_can_fail_without_the_course_setup():
    """The same figure with matplotlib's defaults warns about missing Hangul glyphs."""
    code = textwrap.dedent(
        f"""
        import io, warnings, matplotlib
        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
        fig, ax = plt.subplots()
        ax.set_title({KOREAN!r})
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            fig.savefig(io.BytesIO(), format="png")
        print(sum("missing from font" in str(w.message) for w in caught))
        """
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert int(out.stdout.strip()) > 0


@pytest.mark.parametrize("lang", ["ko", "en"])
def test_set_language_rejects_unknown_languages(lang):
    assert set_language(lang) == lang
    with pytest.raises(ValueError, match="lang must be one of"):
        set_language("kr")
