"""The machinery every playground shares: one persistent figure, redrawn in place.

Why not ``interact``: it re-runs a plotting function inside an Output widget, which makes a
new figure and a new inline PNG on every slider move (about 115 ms in JupyterLab, see
TOOLING_NOTES).  Here each playground owns ONE :class:`matplotlib.figure.Figure` that is not
registered with pyplot (so the inline backend never shows or counts it), draws the parts that
do not change once, caches them as a bitmap, and on each move only redraws the artists that
changed (blitting) and encodes the result as a PNG for an :class:`ipywidgets.Image`.  A move
then costs a few milliseconds of computing plus ~5 ms of drawing and PNG encoding.

Without a front end (nbval, GitHub's preview, a notebook reopened without its kernel) a
widget shows nothing, so :class:`Playground` also puts a static PNG of its current state in
its display data: front ends with the widget manager render the live widget, the others the
picture.
"""

from __future__ import annotations

import base64
import io
import math
from collections.abc import Callable, Mapping

import ipywidgets as widgets
import numpy as np
from matplotlib.artist import Artist
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.patches import Rectangle
from matplotlib.transforms import Bbox
from PIL import Image

from course_lib.alt_text import figure_bundle
from course_lib.style import apply_style


class FigureView:
    """A matplotlib figure outside pyplot, rendered to PNG bytes with blitting.

    Parameters
    ----------
    figsize : (float, float), default=(7.2, 3.2)
        Inches; with ``dpi=80`` the default is 576 × 256 pixels, small enough to encode fast.
    dpi : int, default=80
        Pixels per inch of the PNG.

    Notes
    -----
    Artists registered with :meth:`dynamic` are left out of the cached background and drawn
    on top of it by every :meth:`render`.  Anything else that changes needs
    :meth:`invalidate`: ``invalidate()`` makes the next render a full draw (a new
    landscape), ``invalidate(ax)`` redraws only that axes (its x-limits changed).
    :meth:`fit_steps` does the latter for a step-count slider, and :meth:`reset` starts
    over after the axes were cleared.
    """

    def __init__(self, figsize: tuple[float, float] = (7.2, 3.2), dpi: int = 80):
        apply_style()  # fonts and rcParams are read when the figure is made and drawn
        self.fig = Figure(figsize=figsize, dpi=dpi)
        FigureCanvasAgg(self.fig)
        self._dynamic: list[Artist] = []
        self._background = None
        self._stale: list[Axes] = []
        self._boxes: dict[Axes, Bbox] = {}
        self._x_limits: dict[Axes, float] = {}  # right x-limit set by fit_steps, per axes
        # Paints over one axes' old pixels before it is redrawn alone (see invalidate).
        self._eraser = Rectangle((0, 0), 1, 1, transform=None, linewidth=0,
                                 facecolor=self.fig.get_facecolor())
        self._eraser.set_figure(self.fig)

    def dynamic(self, *artists: Artist) -> Artist:
        """Mark artists as changing on every move; returns the first for convenience."""
        for artist in artists:
            artist.set_animated(True)
            self._dynamic.append(artist)
        return artists[0]

    def forget(self, artist: Artist) -> None:
        """Stop drawing a dynamic artist (say, a legend that was replaced by a new one)."""
        if artist in self._dynamic:
            self._dynamic.remove(artist)

    def reset(self) -> None:
        """Start over after the axes were cleared: no dynamic artists, a full draw next."""
        self._dynamic.clear()
        self._x_limits.clear()
        self.invalidate()

    def fit_steps(self, steps: int, *axes: Axes) -> None:
        """Set the x-axis of ``axes`` to ``(0, axis_limit(steps))`` when that limit changes.

        :func:`axis_limit` takes few values, so most moves of a steps slider leave the axes
        (and the cached background) as they are and only blit; otherwise only the axes
        whose limit changed are redrawn.
        """
        limit = axis_limit(steps)
        changed = [ax for ax in axes if self._x_limits.get(ax) != limit]
        for ax in changed:
            ax.set_xlim(0, limit)
            self._x_limits[ax] = limit
        if changed:
            self.invalidate(*changed)

    def invalidate(self, *axes: Axes) -> None:
        """Forget the cached background: all of it, or only the part of the given axes.

        Redrawing one axes (say, the loss axes after its x-limit changed) costs far less
        than redrawing the figure with its contours.
        """
        if axes and self._background is not None:
            self._stale.extend(a for a in axes if a not in self._stale)
        else:
            self._background = None

    def render(self) -> bytes:
        """Draw (blitting over the cached background when it is valid) and return PNG bytes."""
        canvas = self.fig.canvas
        if self._background is None:
            canvas.draw()  # draws everything except the animated (dynamic) artists
            self._remember_boxes(self.fig.axes)
            self._background = canvas.copy_from_bbox(self.fig.bbox)
        else:
            canvas.restore_region(self._background)
            if self._stale:
                self._redraw_axes(self._stale)
                self._background = canvas.copy_from_bbox(self.fig.bbox)
        self._stale = []
        for artist in self._dynamic:
            if artist.get_visible():
                self.fig.draw_artist(artist)
        rgba = np.asarray(canvas.buffer_rgba())
        out = io.BytesIO()
        # compress_level=1: about 4x faster than the default and only ~5 % larger files.
        Image.fromarray(rgba[..., :3]).save(out, format="png", compress_level=1)
        return out.getvalue()

    def _remember_boxes(self, axes) -> None:
        renderer = self.fig.canvas.get_renderer()
        for ax in axes:
            self._boxes[ax] = ax.get_tightbbox(renderer)

    def _redraw_axes(self, axes) -> None:
        old = [self._boxes.get(ax) for ax in axes]
        self._remember_boxes(axes)
        for ax, before in zip(axes, old, strict=True):
            box = self._boxes[ax] if before is None else Bbox.union([before, self._boxes[ax]])
            self._eraser.set_bounds(box.x0 - 2, box.y0 - 2, box.width + 4, box.height + 4)
            self.fig.draw_artist(self._eraser)
            self.fig.draw_artist(ax)  # an Axes draws its children except the animated ones


class Playground(widgets.VBox):
    """Controls above one picture, redrawn whenever a control's value changes.

    Parameters
    ----------
    controls : mapping of name to ipywidgets widget
        Every control with a ``value``; ``update`` receives the values by these names.
    view : FigureView
        The figure the playground draws in.
    update : callable
        ``update(**values)`` sets the data of the view's artists for the current values; it
        must not raise or warn for any value the controls allow.
    layout_rows : list of list of names, optional
        How to arrange the controls (one HBox per row); one control per row by default.

    Attributes
    ----------
    image : ipywidgets.Image
        The picture; its ``value`` holds the PNG bytes of the current state.
    controls : dict
        The controls by name, so code (a test, a benchmark, a teacher) can move them.
    """

    def __init__(
        self,
        controls: Mapping[str, widgets.ValueWidget],
        view: FigureView,
        update: Callable[..., None],
        *,
        layout_rows: list[list[str]] | None = None,
    ):
        self.controls = dict(controls)
        self.view = view
        self._update = update
        self.image = widgets.Image(format="png")
        rows = layout_rows or [[name] for name in self.controls]
        boxes = [widgets.HBox([self.controls[n] for n in row]) for row in rows]
        super().__init__(children=[*boxes, self.image])
        self.add_class("course-playground")
        for control in self.controls.values():
            control.observe(self._on_change, names="value")
        self.redraw()

    @property
    def png(self) -> bytes:
        """The PNG bytes of the picture as it is now."""
        return bytes(self.image.value)

    def values(self) -> dict:
        """The current value of every control, by name."""
        return {name: c.value for name, c in self.controls.items()}

    def redraw(self) -> None:
        """Recompute and redraw for the current control values."""
        with np.errstate(all="ignore"):  # a diverging run is reported in the figure, not here
            self._update(**self.values())
        self.image.value = self.view.render()

    def _on_change(self, change) -> None:
        self.redraw()

    def _repr_mimebundle_(self, **kwargs):
        # The widget view for live front ends, plus the current picture (with the cell's alt
        # text, see course_lib.alt_text) for everyone else.
        data = super()._repr_mimebundle_(**kwargs)
        picture, metadata = figure_bundle(base64.b64encode(self.png).decode("ascii"),
                                          self.view.fig)
        return {**data, **picture}, metadata


# --------------------------------------------------------------------------- controls

_STYLE = {"description_width": "initial"}


def lr_slider(description: str, value: float, low: float, high: float,
              steps_per_decade: int = 10) -> widgets.FloatLogSlider:
    """A logarithmic learning-rate slider from ``low`` to ``high`` (both > 0)."""
    if not 0 < low < high:
        raise ValueError(f"need 0 < low < high for a log slider, got low={low}, high={high}")
    lo, hi = math.log10(low), math.log10(high)
    return widgets.FloatLogSlider(
        value=value, base=10, min=lo, max=hi, step=1.0 / steps_per_decade,
        description=description, readout_format=".3g", continuous_update=True,
        style=_STYLE, layout=widgets.Layout(width="360px"),
    )


def int_slider(description: str, value: int, low: int, high: int, step: int = 1
               ) -> widgets.IntSlider:
    """An integer slider with the course's layout."""
    return widgets.IntSlider(value=value, min=low, max=high, step=step,
                             description=description, style=_STYLE,
                             layout=widgets.Layout(width="300px"))


def float_slider(description: str, value: float, low: float, high: float, step: float,
                 readout_format: str = ".2f") -> widgets.FloatSlider:
    """A linear float slider with the course's layout."""
    return widgets.FloatSlider(value=value, min=low, max=high, step=step,
                               description=description, readout_format=readout_format,
                               style=_STYLE, layout=widgets.Layout(width="300px"))


def dropdown(description: str, options, value) -> widgets.Dropdown:
    """A drop-down list; ``options`` is a list of ``(label, value)`` pairs."""
    return widgets.Dropdown(options=options, value=value, description=description,
                            style=_STYLE, layout=widgets.Layout(width="300px"))


def axis_limit(n: float) -> float:
    """The smallest of 10, 20, 50, 100, 200, 500, ... that is >= n (and 1, 2, 5 below 10).

    Step-count sliders set their loss axis to this rather than to n itself: the axis (and
    so the cached background) then changes only at these few values, and most moves blit.
    """
    decade = 1.0
    while True:
        for m in (1, 2, 5):
            if m * decade >= n:
                return m * decade
        decade *= 10


def check_in_range(name: str, value: float, low: float, high: float) -> float:
    """Return ``value`` as float if ``low <= value <= high``, else raise a ValueError naming it."""
    try:
        v = float(value)
    except (TypeError, ValueError):
        raise ValueError(f"{name} must be a number in [{low}, {high}], got {value!r}") from None
    if not low <= v <= high:
        raise ValueError(f"{name} must be in [{low}, {high}], got {value!r}")
    return v
