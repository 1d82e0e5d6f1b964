"""Alt text for the figures a lesson shows, from its ``# alt:`` lines to the cell's output.

A lesson's source describes each figure it draws in both languages (``%% alt ko`` and
``%% alt en`` blocks after the code cell, see ``tools/build_notebooks.py``).  The builder writes
the edition's description at the top of the code cell as one ``# alt: ...`` comment per
figure, in the order the cell shows its figures.  In a kernel, :func:`install` (called by
``set_language``) makes IPython

- read those lines before each cell runs (a ``pre_run_cell`` callback), and
- show each matplotlib figure as a PNG that carries the next description twice: in the
  ``text/html`` form ``<img alt="..." src="data:...">``, which JupyterLab 4 renders with its
  ``alt`` attribute (its image renderer ignores output metadata, so HTML is the way a screen
  reader gets the text), and as ``alt`` in the ``image/png`` output metadata, which the site
  builder turns into ``<img alt>`` and the test run checks.

The metadata also holds ``min_font_pt``, the size of the smallest text in the figure, so that
the test run can hold every figure to :data:`course_lib.style.MIN_FONT_SIZE`.

Outside IPython (a script, a test) nothing is installed and figures behave as usual.
"""

from __future__ import annotations

import base64
import html

from matplotlib.figure import Figure
from matplotlib.text import Text

#: The comment that carries one figure's description in a code cell.
ALT_PREFIX = "# alt:"

_pending: list[str] = []  # descriptions of the running cell not yet given to a figure


def alt_lines(source: str) -> list[str]:
    """The descriptions given by the ``# alt:`` lines of a code cell, in order.

    Examples
    --------
    >>> alt_lines("# alt: the loss falls\\nplot()\\n# alt: a second figure")
    ['the loss falls', 'a second figure']
    """
    return [
        line[len(ALT_PREFIX):].strip()
        for line in source.splitlines()
        if line.startswith(ALT_PREFIX)
    ]


def min_font_size(fig: Figure) -> float | None:
    """The size in points of the smallest visible, non-empty text of a (drawn) figure."""
    sizes = [
        t.get_fontsize()
        for t in fig.findobj(Text)
        if t.get_visible() and t.get_text().strip()
    ]
    return min(sizes) if sizes else None


def figure_bundle(png_base64: str, fig: Figure) -> tuple[dict, dict]:
    """The display data and metadata of a figure already rendered to ``png_base64``.

    Takes the figure's description (the next pending one the first time a figure is shown)
    and returns ``({"image/png": ..., "text/html": <img alt>}, {"image/png": {"alt": ...,
    "min_font_pt": ...}})``; without a description there is no ``text/html`` and no ``alt``,
    which the test run reports.
    """
    alt = getattr(fig, "_course_alt", None)
    if alt is None and _pending:
        alt = _pending.pop(0)
        fig._course_alt = alt
    data = {"image/png": png_base64}
    meta: dict = {}
    size = min_font_size(fig)
    if size is not None:
        meta["min_font_pt"] = round(float(size), 2)
    if alt:
        meta["alt"] = alt
        data["text/html"] = (
            f'<img alt="{html.escape(alt)}" src="data:image/png;base64,{png_base64}">'
        )
    return data, {"image/png": meta}


def _show_figure(fig: Figure):
    from IPython.core.pylabtools import print_figure

    try:
        from matplotlib_inline.backend_inline import InlineBackend

        kwargs = dict(InlineBackend.instance().print_figure_kwargs)
    except ImportError:  # pragma: no cover (ipykernel always brings matplotlib-inline)
        kwargs = {"bbox_inches": "tight"}
    png = print_figure(fig, "png", **kwargs)
    if png is None:  # an empty figure: nothing to show
        return {}
    return figure_bundle(base64.b64encode(png).decode("ascii"), fig)


def _pre_run_cell(info) -> None:
    _pending[:] = alt_lines(info.raw_cell or "")
    _take_over_png()


def _take_over_png() -> None:
    # IPython lets a per-type PNG printer override a mime bundle's PNG, and matplotlib's inline
    # backend registers one for Figure (again whenever it is activated): without removing it
    # every figure would be rendered twice.  Ours makes the same PNG (same print options).
    from IPython import get_ipython

    shell = get_ipython()
    if shell is not None:
        shell.display_formatter.formatters["image/png"].pop(Figure, None)


def install() -> bool:
    """Hook the alt-text handling into the running IPython; False outside IPython.

    Safe to call many times.  Figures are shown by a mime-bundle formatter, which needs no
    re-registering when matplotlib's inline backend (re)configures its PNG formatter.
    """
    try:
        from IPython import get_ipython
    except ImportError:  # pragma: no cover (the course always has IPython)
        return False
    shell = get_ipython()
    if shell is None:
        return False
    if not getattr(shell, "_course_alt_text", False):
        shell.events.register("pre_run_cell", _pre_run_cell)
        shell.display_formatter.mimebundle_formatter.for_type(Figure, _show_figure)
        shell._course_alt_text = True
    _take_over_png()
    return True
