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
import math
import struct
import zlib
from collections.abc import Callable, Mapping

import ipywidgets as widgets
import numpy as np
from matplotlib.artist import Artist
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.patches import Rectangle
from matplotlib.transforms import Bbox

from course_lib.alt_text import figure_bundle
from course_lib.style import apply_style

#: Pixels per inch of every playground picture.  The picture is shown at exactly its pixel
#: size (never stretched), so it stays sharp: an 8-inch figure is 960 px wide, which fills a
#: 1280-px window's notebook column and is shown unscaled at 1920 px.  Latency budget checked
#: by benchmarks/widget_latency.py (PNG encoding grows with the pixel count).
PLAYGROUND_DPI = 120


class FigureView:
    """A matplotlib figure outside pyplot, rendered to PNG bytes with blitting.

    Parameters
    ----------
    figsize : (float, float), default=(7.2, 3.2)
        Inches; at :data:`PLAYGROUND_DPI` the default is 864 × 384 pixels.
    dpi : int, default=PLAYGROUND_DPI
        Pixels per inch of the PNG.

    Notes
    -----
    Artists registered with :meth:`dynamic` are left out of the cached background and drawn
    on top of it by every :meth:`render`, in the order they were registered.  A figure with
    many dynamic artists of which one move changes few (one optimizer of seven) says which
    with :meth:`changed`: the artists registered before the first changed one are then kept
    as a second cached layer, and only the rest (and those registered with ``on_top=True``, a
    legend) are drawn, so the picture is exactly what a full redraw gives.  Anything else
    that changes needs :meth:`invalidate`: ``invalidate()`` makes the next render a full draw (a new
    landscape), ``invalidate(ax)`` redraws only that axes (its x-limits changed).
    :meth:`fit_steps` does the latter for a step-count slider, and :meth:`reset` starts
    over after the axes were cleared.
    """

    def __init__(self, figsize: tuple[float, float] = (7.2, 3.2), dpi: int = PLAYGROUND_DPI):
        apply_style()  # fonts and rcParams are read when the figure is made and drawn
        self.fig = Figure(figsize=figsize, dpi=dpi)
        FigureCanvasAgg(self.fig)
        self._dynamic: list[Artist] = []
        self._on_top: list[Artist] = []  # dynamic, drawn last on every render (legend, notes)
        self._changed: set[Artist] | None = None  # set by changed(), used by the next render
        self._layer = None  # background + the dynamic artists that did not change
        self._layer_key: tuple | None = None
        self._background = None
        self._stale: list[Axes] = []
        self._boxes: dict[Axes, Bbox] = {}
        self._x_limits: dict[Axes, float] = {}  # right x-limit set by fit_steps, per axes
        # Paints over one axes' old pixels before it is redrawn alone (see invalidate).
        self._eraser = Rectangle((0, 0), 1, 1, transform=None, linewidth=0,
                                 facecolor=self.fig.get_facecolor())
        self._eraser.set_figure(self.fig)

    def dynamic(self, *artists: Artist, on_top: bool = False) -> Artist:
        """Mark artists as changing on every move; returns the first for convenience.

        ``on_top=True``: drawn after all others on every render (a legend over the curves).
        """
        for artist in artists:
            artist.set_animated(True)
            (self._on_top if on_top else self._dynamic).append(artist)
        return artists[0]

    def changed(self, *artists: Artist) -> None:
        """Say which dynamic artists the next render must redraw; the others keep their pixels.

        Without a call every dynamic artist is redrawn.  An artist whose data or visibility
        changed and is not named here would keep its old picture, so name every one.
        """
        self._changed = (self._changed or set()) | set(artists)

    def forget(self, artist: Artist) -> None:
        """Stop drawing a dynamic artist (say, a legend that was replaced by a new one)."""
        for group in (self._dynamic, self._on_top):
            if artist in group:
                group.remove(artist)

    def reset(self) -> None:
        """Start over after the axes were cleared: no dynamic artists, a full draw next."""
        self._dynamic.clear()
        self._on_top.clear()
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
        self._layer = None

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
        changed, self._changed = self._changed, None
        self._draw(self._dynamic[self._restore_layer(changed):])
        self._draw(self._on_top)
        return encode_png(np.asarray(canvas.buffer_rgba())[..., :3])

    def _draw(self, artists) -> None:
        for artist in artists:
            if artist.get_visible():
                self.fig.draw_artist(artist)

    def _restore_layer(self, changed: set[Artist] | None) -> int:
        """Put back the dynamic artists drawn before the first changed one; return its index.

        They are cached as a layer over the background (rebuilt when the split moves), so a
        move of the last-registered run redraws one run, not all of them.  0: no layer.
        """
        if changed is None:  # no word on what changed: redraw them all
            self._layer = None
            return 0
        first = next((i for i, a in enumerate(self._dynamic) if a in changed),
                     len(self._dynamic))
        key = tuple(id(a) for a in self._dynamic[:first])
        if self._layer is not None and self._layer_key != key:
            self._layer = None  # the split moved: something inside the layer may have changed
        if first == 0:
            return 0
        canvas = self.fig.canvas
        if self._layer is None:
            self._draw(self._dynamic[:first])  # over the background restored by render()
            self._layer, self._layer_key = canvas.copy_from_bbox(self.fig.bbox), key
        else:
            canvas.restore_region(self._layer)
        return first

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


def encode_png(rgb: np.ndarray) -> bytes:
    """An RGB image (height, width, 3) of uint8 as PNG bytes, made for speed.

    Rows go unfiltered into zlib at level 1: for these flat-coloured plots that is about 3x
    faster than Pillow's encoder at its fastest level (which filters every row) and the file
    is no larger (960 × 468 px: 22 ms and 141 KB against 61 ms and 171 KB, measured under
    load).  The PNG format: W3C PNG specification, 2nd edition, sections 5 and 11.
    """
    height, width, _ = rgb.shape
    raw = np.zeros((height, 1 + 3 * width), dtype=np.uint8)  # first byte of a row: filter 0
    raw[:, 1:] = rgb.reshape(height, -1)

    def chunk(kind: bytes, data: bytes) -> bytes:
        crc = zlib.crc32(kind + data) & 0xFFFFFFFF
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", crc)

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)  # 8-bit RGB, no interlace
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header)
            + chunk(b"IDAT", zlib.compress(raw.tobytes(), 1)) + chunk(b"IEND", b""))


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
        How to arrange the controls (one HBox per row, wrapping on narrow screens); one
        control per row by default.
    presets : mapping of name to callable, optional
        ``presets[name](new_value)`` returns values for other controls to take when control
        ``name`` changes (a landscape's own defaults); they are set before the one redraw.

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
        presets: Mapping[str, Callable[[object], dict]] | None = None,
    ):
        self.controls = dict(controls)
        self.view = view
        self._update = update
        self._presets = dict(presets or {})
        self._held = False
        # Shown at its own pixel size (shrunk, never stretched, on a narrow screen): sharp.
        width, _ = view.fig.canvas.get_width_height()
        self.image = widgets.Image(format="png", layout=widgets.Layout(
            width=f"{width}px", max_width="100%", height="auto"))
        rows = layout_rows or [[name] for name in self.controls]
        boxes = [widgets.HBox([self.controls[n] for n in row],
                              layout=widgets.Layout(flex_flow="row wrap")) for row in rows]
        super().__init__(children=[*boxes, self.image])
        self.add_class("course-playground")
        for name, control in self.controls.items():
            control.observe(lambda change, name=name: self._on_change(name, change),
                            names="value")
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

    def set_values(self, **values) -> None:
        """Move several controls at once, with one redraw at the end."""
        held, self._held = self._held, True
        try:
            for name, value in values.items():
                self.controls[name].value = value
        finally:
            self._held = held
        if not held:
            self.redraw()

    def _on_change(self, name: str, change) -> None:
        if self._held:
            return
        preset = self._presets.get(name)
        if preset is not None:
            self.set_values(**preset(change["new"]))  # redraws once, with the new defaults
        else:
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
              steps_per_decade: int = 10, width: str = "360px") -> widgets.FloatLogSlider:
    """A logarithmic learning-rate slider from ``low`` to ``high`` (both > 0)."""
    if not 0 < low < high:
        raise ValueError(f"need 0 < low < high for a log slider, got low={low}, high={high}")
    lo, hi = math.log10(low), math.log10(high)
    return widgets.FloatLogSlider(
        value=value, base=10, min=lo, max=hi, step=1.0 / steps_per_decade,
        description=description, readout_format=".3g", continuous_update=True,
        style=_STYLE, layout=widgets.Layout(width=width),
    )


def int_slider(description: str, value: int, low: int, high: int, step: int = 1
               ) -> widgets.IntSlider:
    """An integer slider with the course's layout."""
    return widgets.IntSlider(value=value, min=low, max=high, step=step,
                             description=description, style=_STYLE,
                             layout=widgets.Layout(width="340px"))


def float_slider(description: str, value: float, low: float, high: float, step: float,
                 readout_format: str = ".2f") -> widgets.FloatSlider:
    """A linear float slider with the course's layout."""
    return widgets.FloatSlider(value=value, min=low, max=high, step=step,
                               description=description, readout_format=readout_format,
                               style=_STYLE, layout=widgets.Layout(width="340px"))


def dropdown(description: str, options, value, width: str = "380px") -> widgets.Dropdown:
    """A drop-down list; ``options`` is a list of ``(label, value)`` pairs."""
    return widgets.Dropdown(options=options, value=value, description=description,
                            style=_STYLE, layout=widgets.Layout(width=width))


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
