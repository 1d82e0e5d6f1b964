"""Shared plots for lessons and playgrounds: contours, trajectories, loss and schedule curves.

Every helper draws on the axes it is given (``ax=None``: a new pyplot figure) and returns
the artist(s) it made, so a lesson can restyle them and a playground can update them in
place with ``set_data``.  All text comes from :mod:`course_lib.i18n`, in the language chosen
with :func:`course_lib.set_language`.

Helpers
-------
``contour_landscape(landscape, ax)``      contour lines of a 2-D landscape, minima marked
``plot_trajectory(path, ax)``             a path of points ``(n, 2)`` on those contours
``plot_function_1d(landscape, ax, path)`` a 1-D function and a gradient-descent path on it
``plot_loss_curve(losses, ax)``           loss against step (log scale by default)
``plot_schedule(lrs, ax)``                learning rate against step
``status_text(ax)`` / ``divergence_message(step)``   the "diverged at step k" label
``show_status(status, message)``          fill that label: red if diverged, else black
``framed_legend(ax)``                     a legend in a white box, readable over contours
``finite_prefix(values)``                 the part of a run before it blew up
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence

import numpy as np
from matplotlib.artist import Artist
from matplotlib.axes import Axes
from matplotlib.contour import QuadContourSet
from matplotlib.legend import Legend
from matplotlib.lines import Line2D
from matplotlib.text import Text

from course_lib._checks import check_int
from course_lib.i18n import term, text
from course_lib.style import ALERT_COLOR, LINESTYLES, MARKERS, MIN_FONT_SIZE, PALETTE, apply_style

_OPTIMIZERS = ("sgd", "momentum", "nesterov", "adagrad", "rmsprop", "adam", "adamw")

#: Colour, line style and marker of each optimizer, the same in every figure of the course:
#: the n-th palette colour with the n-th dash and marker, so that a race of seven optimizers
#: on one axes stays readable without telling colours apart (``ax.plot(x, y, **style)``).
OPTIMIZER_STYLES = {
    name: {"color": PALETTE[i], "linestyle": LINESTYLES[i], "marker": MARKERS[i]}
    for i, name in enumerate(_OPTIMIZERS)
}

#: Colours of the optimizers (from :data:`OPTIMIZER_STYLES`).
OPTIMIZER_COLORS = {name: style["color"] for name, style in OPTIMIZER_STYLES.items()}

#: Above this many times the starting loss (or |x| above 1e6 × the plot size) a run counts
#: as diverged: far beyond anything a converging run reaches, far below float overflow.
DIVERGENCE_FACTOR = 1e6


def _axes(ax: Axes | None) -> Axes:
    if ax is not None:
        return ax
    import matplotlib.pyplot as plt  # pyplot only when a lesson asks for a new figure

    apply_style()
    return plt.subplots()[1]


def contour_levels(z: np.ndarray, n: int = 15) -> np.ndarray:
    """Contour levels for values ``z``: log-spaced above the minimum, so both the floor of a
    valley and its steep walls get lines; evenly spaced when ``z`` has no floor (a saddle)."""
    n = check_int("n", n, low=2)
    z = np.asarray(z, dtype=float)
    lo, hi = float(np.nanmin(z)), float(np.nanpercentile(z, 98))
    if not hi > lo:
        raise ValueError("z must contain at least two different finite values")
    span = hi - lo
    if lo < 0:  # no floor: a saddle or a tilted plane
        return np.linspace(lo, hi, n)
    return lo + np.geomspace(span * 1e-3, span, n)


def contour_landscape(
    landscape,
    ax: Axes | None = None,
    *,
    bounds: Sequence[Sequence[float]] | None = None,
    levels: int = 15,
    resolution: int = 120,
    mark_minima: bool = True,
) -> QuadContourSet:
    """Draw contour lines of a 2-D landscape (a :class:`course_lib.landscapes.Landscape`).

    Parameters
    ----------
    landscape : Landscape
        Anything with ``value(xy)`` vectorised over ``(..., 2)``, ``bounds`` and ``minima``.
    ax : matplotlib Axes, optional
        Where to draw; a new figure when omitted.
    bounds : ((xmin, xmax), (ymin, ymax)), optional
        Plotted region; ``landscape.bounds`` by default.
    levels : int, default=15
        Number of contour lines (see :func:`contour_levels`).
    resolution : int, default=120
        Grid points per axis; 120 is smooth enough and draws fast.
    mark_minima : bool, default=True
        Mark the known minima with a star.

    Returns
    -------
    QuadContourSet

    Examples
    --------
    >>> from course_lib import landscapes
    >>> cs = contour_landscape(landscapes.quadratic(condition_number=10))
    >>> len(cs.levels)
    15
    """
    if getattr(landscape, "dim", 2) != 2:
        raise ValueError(f"landscape must be 2-D, got a {landscape.dim}-D landscape")
    check_int("resolution", resolution, low=10)
    ax = _axes(ax)
    (x0, x1), (y0, y1) = bounds if bounds is not None else landscape.bounds
    X, Y = np.meshgrid(np.linspace(x0, x1, resolution), np.linspace(y0, y1, resolution))
    Z = landscape.value(np.stack([X, Y], axis=-1))
    cs = ax.contour(X, Y, Z, levels=contour_levels(Z, levels), cmap="viridis",
                    linewidths=0.8, alpha=0.7)
    minima = np.asarray(getattr(landscape, "minima", np.empty((0, 2))))
    if mark_minima and minima.size:
        ax.plot(minima[:, 0], minima[:, 1], "*", color="black", markersize=9, zorder=3)
    ax.set_xlim(x0, x1)
    ax.set_ylim(y0, y1)
    ax.set_xlabel("x")
    ax.set_ylabel("y")
    ax.grid(False)
    return cs


def plot_trajectory(
    path: np.ndarray,
    ax: Axes | None = None,
    *,
    label: str | None = None,
    color: str | None = None,
    marker: str = "o",
    markersize: float = 2.5,
) -> Line2D:
    """Draw a path of points (shape ``(n, 2)``), e.g. the iterates of an optimizer.

    Returns the :class:`~matplotlib.lines.Line2D`; ``line.set_data(x, y)`` moves it.

    Examples
    --------
    >>> line = plot_trajectory(np.array([[0.0, 1.0], [0.5, 0.5], [0.9, 0.1]]), label="GD")
    >>> line.get_xdata().tolist()
    [0.0, 0.5, 0.9]
    """
    path = np.asarray(path, dtype=float)
    if path.ndim != 2 or path.shape[1] != 2:
        raise ValueError(f"path must have shape (n, 2), got {path.shape}")
    ax = _axes(ax)
    (line,) = ax.plot(path[:, 0], path[:, 1], marker=marker, markersize=markersize,
                      linewidth=1.2, label=label, color=color)
    return line


def plot_function_1d(
    landscape,
    ax: Axes | None = None,
    *,
    path: np.ndarray | None = None,
    bounds: Sequence[float] | None = None,
    resolution: int = 300,
    lang: str | None = None,
) -> tuple[Line2D, Line2D]:
    """Draw a 1-D function and, on it, the points x₀, x₁, ... of a gradient-descent run.

    Parameters
    ----------
    landscape : Landscape
        A 1-D landscape (``f`` element-wise, ``bounds``).
    ax : matplotlib Axes, optional
    path : array of shape (n,) or (n, 1), optional
        The iterates; they are joined in order so the zig-zag of a large step shows.
    bounds : (xmin, xmax), optional
        ``landscape.bounds[0]`` by default.
    resolution : int, default=300
    lang : {"ko", "en"}, optional
        Language of the labels; the one set with ``set_language`` by default.

    Returns
    -------
    (curve, path_line) : tuple of Line2D
        ``path_line`` is empty when no path is given; update it with :func:`path_xy_1d`.

    Examples
    --------
    >>> from course_lib import landscapes
    >>> curve, steps = plot_function_1d(landscapes.parabola(), path=[3.0, 1.5, 0.75])
    >>> steps.get_xdata().tolist()
    [3.0, 1.5, 0.75]
    """
    ax = _axes(ax)
    lo, hi = bounds if bounds is not None else landscape.bounds[0]
    xs = np.linspace(lo, hi, resolution)
    (curve,) = ax.plot(xs, landscape.f(xs), color="0.35", linestyle="-", linewidth=1.5)
    px, py = path_xy_1d(landscape, np.empty(0) if path is None else path)
    (steps,) = ax.plot(px, py, "o-", color=PALETTE[1], markersize=4, linewidth=1.0)
    ax.set_xlim(lo, hi)
    ax.set_xlabel(term("parameter", lang) + " x")
    ax.set_ylabel("f(x)")
    return curve, steps


def path_xy_1d(landscape, path) -> tuple[np.ndarray, np.ndarray]:
    """Points ``(x_k, f(x_k))`` of a 1-D path, ready for ``Line2D.set_data``."""
    x = np.asarray(path, dtype=float).reshape(-1)
    with np.errstate(all="ignore"):
        return x, landscape.f(x)


def plot_loss_curve(
    losses: Sequence[float],
    ax: Axes | None = None,
    *,
    label: str | None = None,
    log: bool = True,
    color: str | None = None,
    xlabel: str | None = None,
    lang: str | None = None,
) -> Line2D:
    """Loss against step (log scale by default); non-finite values are not drawn.

    Examples
    --------
    >>> line = plot_loss_curve([4.0, 1.0, 0.25], label="GD")
    >>> line.axes.get_yscale()
    'log'
    """
    ax = _axes(ax)
    y = finite_prefix(losses)
    (line,) = ax.plot(np.arange(len(y)), y, label=label, color=color, linewidth=1.4)
    if log:
        ax.set_yscale("log")
    ax.set_xlabel(xlabel or term("step", lang))
    ax.set_ylabel(term("loss", lang))
    return line


def plot_schedule(
    lrs: Sequence[float],
    ax: Axes | None = None,
    *,
    label: str | None = None,
    color: str | None = None,
    lang: str | None = None,
) -> Line2D:
    """Learning rate against step, as a schedule produces it.

    Examples
    --------
    >>> line = plot_schedule([0.1, 0.1, 0.01, 0.01])
    >>> line.get_ydata().tolist()
    [0.1, 0.1, 0.01, 0.01]
    """
    ax = _axes(ax)
    lrs = np.asarray(lrs, dtype=float)
    (line,) = ax.plot(np.arange(len(lrs)), lrs, label=label, color=color, linewidth=1.6)
    ax.set_xlabel(term("step", lang))
    ax.set_ylabel(term("learning_rate", lang))
    return line


def finite_prefix(values: Sequence[float], limit: float | None = None) -> np.ndarray:
    """The values up to (not including) the first one that is non-finite or above ``limit``.

    Examples
    --------
    >>> finite_prefix([1.0, 2.0, float("inf"), 3.0]).tolist()
    [1.0, 2.0]
    >>> finite_prefix([1.0, 50.0, 2.0], limit=10).tolist()
    [1.0]
    """
    v = np.asarray(values, dtype=float).reshape(-1)
    with np.errstate(invalid="ignore"):
        bad = ~np.isfinite(v) if limit is None else ~(np.abs(v) <= limit)
    stop = int(np.argmax(bad)) if bad.any() else len(v)
    return v[:stop]


def divergence_message(step: int, lang: str | None = None) -> str:
    """The label of a diverged run: ``"diverged at step 7"`` or ``"스텝 7에서 발산"``.

    Examples
    --------
    >>> divergence_message(7, lang="en")
    'diverged at step 7'
    >>> divergence_message(7, lang="ko")
    '스텝 7에서 발산'
    """
    step = int(step)
    return text(f"스텝 {step}에서 발산", f"diverged at step {step}", lang)


def status_text(ax: Axes, *, loc: str = "upper center") -> Text:
    """An empty, boxed text in the axes for a run's status ("diverged at step k", ...).

    Set it with :func:`show_status` (or ``t.set_text(...)`` and ``t.set_color(...)``).
    """
    x, ha = {"upper center": (0.5, "center"), "upper left": (0.03, "left"),
             "upper right": (0.97, "right")}[loc]
    return ax.text(x, 0.95, "", transform=ax.transAxes, ha=ha, va="top", zorder=10,
                   bbox={"boxstyle": "round,pad=0.25", "fc": "white", "ec": "0.7", "alpha": 0.9})


def show_status(status: Text, message: str, *, diverged: bool = False) -> None:
    """Put ``message`` in a :func:`status_text` box: red for a diverged run, else black.

    Parameters
    ----------
    status : matplotlib Text
        The box :func:`status_text` made.
    message : str
        What to show, e.g. :func:`divergence_message`'s label.
    diverged : bool, default=False
        Whether the run diverged (the message is then shown in red).

    Returns
    -------
    None
    """
    status.set_text(message)
    status.set_color(ALERT_COLOR if diverged else "black")


def framed_legend(ax: Axes, *, handles: Sequence[Artist] | None = None, loc: str = "best",
                  fontsize: float = MIN_FONT_SIZE) -> Legend:
    """A legend in a white, nearly opaque box, so contour lines and curves do not cross it.

    The course style draws legends without a frame, which reads well beside curves but not
    over contour lines.  ``handles`` limits the legend to those artists (their labels).

    Examples
    --------
    >>> line = plot_trajectory(np.array([[0.0, 1.0], [0.5, 0.5]]), label="GD")
    >>> framed_legend(line.axes).get_frame_on()
    True
    """
    kwargs = {} if handles is None else {"handles": list(handles)}
    return ax.legend(**kwargs, loc=loc, fontsize=fontsize, frameon=True, framealpha=0.9,
                     facecolor="white", edgecolor="0.8")


def log_limits(values: Sequence[float], floor: float = 1e-12) -> tuple[float, float]:
    """Limits of a log axis that hold positive ``values``, padded to whole decades."""
    v = np.asarray(values, dtype=float)
    v = v[np.isfinite(v) & (v > 0)]
    if v.size == 0:
        return floor, 1.0
    lo = max(float(v.min()), floor)
    return 10 ** math.floor(math.log10(lo)), 10 ** math.ceil(math.log10(float(v.max())) + 0.3)


# --------------------------------------------------------------------------------------------
# Lesson figures for chapters 04-06 (added by the lessons 04-06 engineer): several runs in one
# figure, with a legend and a title in the notebook's language.
# --------------------------------------------------------------------------------------------


def compare_trajectories(
    landscape,
    paths: Mapping[str, np.ndarray],
    *,
    ax: Axes | None = None,
    title: str | None = None,
    colors: Mapping[str, str] | None = None,
) -> Axes:
    """Contours of a 2-D landscape with one optimizer path per entry of ``paths``.

    Parameters
    ----------
    landscape : Landscape
        A 2-D landscape (see :func:`contour_landscape`).
    paths : mapping of str to array of shape (n, 2)
        Legend label -> iterates. Points outside the plotted region are simply clipped.
    ax : matplotlib Axes, optional
        Where to draw; a new, laid-out figure when omitted.  A caller who passes ``ax``
        owns the figure and calls ``fig.tight_layout()`` once all its panels are drawn.
    title : str, optional
        Defaults to the landscape's name in the language in force.
    colors : mapping of str to colour, optional
        Colour per label; matplotlib's cycle otherwise.

    Returns
    -------
    Axes

    Examples
    --------
    >>> from course_lib import landscapes
    >>> ax = compare_trajectories(landscapes.quadratic(), {"GD": np.zeros((3, 2))})
    >>> [t.get_text() for t in ax.get_legend().get_texts()]
    ['GD']
    """
    if not isinstance(paths, Mapping) or not paths:
        raise ValueError("paths must be a non-empty mapping of label -> array of shape (n, 2)")
    own_figure = ax is None
    ax = _axes(ax)
    contour_landscape(landscape, ax)
    for label, path in paths.items():
        color = None if colors is None else colors.get(label)
        plot_trajectory(path, ax, label=label, color=color)
    ax.set_title(title if title is not None else landscape.name)
    framed_legend(ax)  # over contour lines an unframed legend is hard to read
    if own_figure:
        ax.figure.tight_layout()
    return ax


def compare_curves(
    curves: Mapping[str, Sequence[float]],
    *,
    kind: str = "loss",
    ax: Axes | None = None,
    title: str | None = None,
    xlabel: str | None = None,
    ylabel: str | None = None,
    log: bool | None = None,
) -> Axes:
    """Several loss curves (``kind="loss"``) or learning-rate schedules (``"schedule"``).

    Parameters
    ----------
    curves : mapping of str to sequence of float
        Legend label -> values per step (or epoch).
    kind : {"loss", "schedule"}, default="loss"
        Loss curves stop at the first non-finite value (see :func:`plot_loss_curve`).
    ax : matplotlib Axes, optional
        Where to draw; a new, laid-out figure when omitted.  A caller who passes ``ax``
        owns the figure and calls ``fig.tight_layout()`` once all its panels are drawn.
    title, xlabel, ylabel : str, optional
        Axis text; the labels default to the glossary's step / loss / learning rate.
    log : bool, optional
        Log-scale y axis; default True for losses, False for schedules.

    Returns
    -------
    Axes

    Examples
    --------
    >>> ax = compare_curves({"a": [0.1, 0.1, 0.01]}, kind="schedule")
    >>> ax.get_yscale()
    'linear'
    """
    if kind not in ("loss", "schedule"):
        raise ValueError(f"kind must be 'loss' or 'schedule', got {kind!r}")
    if not isinstance(curves, Mapping) or not curves:
        raise ValueError("curves must be a non-empty mapping of label -> sequence of values")
    own_figure = ax is None
    ax = _axes(ax)
    for label, values in curves.items():
        if kind == "loss":
            plot_loss_curve(values, ax, label=label, log=False)
        else:
            plot_schedule(values, ax, label=label)
    if log if log is not None else kind == "loss":
        ax.set_yscale("log")
    if xlabel is not None:
        ax.set_xlabel(xlabel)
    if ylabel is not None:
        ax.set_ylabel(ylabel)
    if title is not None:
        ax.set_title(title)
    ax.legend(loc="best")
    if own_figure:
        ax.figure.tight_layout()
    return ax


# --------------------------------------------------------------------------------------------
# Monitoring figure for chapter 08 (added by the lessons 07-08 engineer): what a training run
# recorded in a course_lib.training.History, in three panels.
# --------------------------------------------------------------------------------------------


def plot_history(history, *, axes: Sequence[Axes] | None = None,
                 title: str | None = None) -> list[Axes]:
    """Loss (training and validation), gradient norm and update-to-weight ratio per record.

    Parameters
    ----------
    history : course_lib.training.History
        A run recorded by :func:`course_lib.training.train`. The loss panel uses
        ``epoch_loss`` (the whole training set after each epoch) and ``val_loss`` when they
        exist, else the per-record ``train_loss``; ``best_epoch`` is marked when set.
    axes : sequence of three matplotlib Axes, optional
        Where to draw; a new, laid-out 1 × 3 figure when omitted.  A caller who passes
        ``axes`` owns the figure and calls ``fig.tight_layout()`` when it is complete.
    title : str, optional
        Figure title (``suptitle``).

    Returns
    -------
    list of Axes
        The three panels.

    Examples
    --------
    >>> from course_lib.training import History
    >>> h = History(epochs=[1, 2, 3], steps=[1, 2, 3], train_loss=[3.0, 2.0, 1.5],
    ...             grad_norm=[4.0, 2.0, 1.0], update_ratio=[0.1, 0.05, 0.02],
    ...             epoch_loss=[2.5, 1.8, 1.4], val_loss=[2.6, 2.0, 2.1], best_epoch=2)
    >>> [ax.get_ylabel() for ax in plot_history(h)] == [term("loss"), term("gradient_norm"),
    ...     text("업데이트/가중치 비", "update / weight ratio")]
    True
    """
    own_figure = axes is None
    if own_figure:
        import matplotlib.pyplot as plt

        apply_style()
        axes = plt.subplots(1, 3, figsize=(10.5, 3.2))[1]
    if len(axes) != 3:
        raise ValueError(f"axes must hold 3 Axes, got {len(axes)}")
    ax_loss, ax_grad, ax_ratio = axes
    unit = term("epoch") if history.record == "epoch" else term("step")
    x = np.asarray(history.epochs if history.record == "epoch" else history.steps)
    _plot_history_losses(ax_loss, history, x, unit)
    for ax, values, label in ((ax_grad, history.grad_norm, term("gradient_norm")),
                              (ax_ratio, history.update_ratio,
                               text("업데이트/가중치 비", "update / weight ratio"))):
        ax.plot(x[: len(values)], values, color="0.35", lw=1.2)
        ax.set_yscale("log")
        ax.set_xlabel(unit)
        ax.set_ylabel(label)
    if title is not None:
        ax_loss.figure.suptitle(title)
    if own_figure:  # tight_layout costs 0.2-0.4 s on log axes: only for a figure made here
        ax_loss.figure.tight_layout()
    return list(axes)


def _plot_history_losses(ax: Axes, history, x: np.ndarray, unit: str) -> None:
    # Per-epoch losses (whole training set, validation set) when the run recorded them: they
    # are what early stopping compares; otherwise the loss of each record, at ``x``.
    if history.epoch_loss:
        epochs = np.arange(1, len(history.epoch_loss) + 1)
        ax.plot(epochs, history.epoch_loss, label=term("train_loss"))
        unit = term("epoch")
    else:
        ax.plot(x, history.train_loss, label=term("train_loss"))
    if history.val_loss:
        ax.plot(np.arange(1, len(history.val_loss) + 1), history.val_loss,
                label=term("val_loss"))
    if history.best_epoch is not None:
        ax.axvline(history.best_epoch, color="0.4", ls="--", lw=1,
                   label=text(f"최선의 에폭 ({history.best_epoch})",
                              f"best epoch ({history.best_epoch})"))
    ax.set_yscale("log")
    ax.set_xlabel(unit)
    ax.set_ylabel(term("loss"))
    ax.legend()


# --------------------------------------------------------------------------------------------
# Per-epoch axes for chapters 09-10 (added by the lessons 09-10 engineer).
# --------------------------------------------------------------------------------------------


def label_epochs(ax: Axes, n_epochs: int, *, every: int | None = None) -> Axes:
    """Number the x axis of per-epoch curves from 1, as epochs are counted.

    :func:`compare_curves` draws entry ``i`` of a curve at x = ``i``; for a list with one
    value per epoch (``History.epoch_loss``, scikit-learn's ``loss_curve_``) entry 0 is
    epoch 1. This relabels the ticks (and the x label) without moving the data.

    Parameters
    ----------
    ax : matplotlib Axes
    n_epochs : int
        Length of the longest per-epoch curve on ``ax`` (>= 1).
    every : int, optional
        Tick at epoch 1 and every multiple of ``every`` (>= 1); by default about six ticks.

    Returns
    -------
    Axes

    Examples
    --------
    >>> ax = compare_curves({"a": [1.0, 0.5, 0.25, 0.2]})
    >>> [t.get_text() for t in label_epochs(ax, 4, every=2).get_xticklabels()]
    ['1', '2', '4']
    """
    n_epochs = check_int("n_epochs", n_epochs)
    every = max(1, math.ceil(n_epochs / 6)) if every is None else check_int("every", every)
    epochs = sorted({1, *range(every, n_epochs + 1, every)})
    ax.set_xticks([e - 1 for e in epochs], [str(e) for e in epochs])
    ax.set_xlabel(term("epoch"))
    return ax
