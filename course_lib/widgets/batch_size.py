"""Chapter 03: mini-batch size and the noise of the path.

Linear regression y = wx + b; its MSE is a bowl over (w, b).  Full-batch gradient descent
walks straight down; a mini-batch gradient is a noisy estimate of that gradient (variance
~ 1/B), so the smaller the batch, the more the path wanders, while it makes n/B updates per
epoch instead of one.
"""

from __future__ import annotations

import math

import ipywidgets as widgets
import numpy as np
from matplotlib.ticker import FormatStrFormatter, LogLocator, NullFormatter

from course_lib import data
from course_lib.i18n import resolve, term, text
from course_lib.models.linear import closed_form
from course_lib.plotting import (
    DIVERGENCE_FACTOR,
    contour_landscape,
    divergence_message,
    framed_legend,
    show_status,
    status_text,
)
from course_lib.style import PALETTE
from course_lib.training import minibatches
from course_lib.widgets._base import (
    FigureView,
    Playground,
    check_in_range,
    int_slider,
    lr_slider,
)


class _MseBowl:
    """The MSE of y = wx + b over (w, b), shaped like a landscape for contour_landscape."""

    dim = 2

    def __init__(self, X: np.ndarray, y: np.ndarray):
        self.A = np.column_stack([X[:, 0], np.ones(len(y))])
        self.y = y
        w, b = closed_form(X, y)
        self.minima = np.array([[w[0], b]])
        self.bounds = ((w[0] - 4.0, w[0] + 4.0), (b - 4.0, b + 4.0))
        n = len(y)
        self._Q, self._c, self._d = self.A.T @ self.A / n, self.A.T @ y / n, y @ y / n

    def value(self, theta) -> np.ndarray:
        t = np.asarray(theta, dtype=float)
        return np.einsum("...i,ij,...j->...", t, self._Q, t) - 2 * t @ self._c + self._d


def run_minibatch(bowl: _MseBowl, lr: float, batch_size: int, epochs: int, seed: int,
                  start: np.ndarray) -> tuple[np.ndarray, int | None]:
    """Mini-batch GD on the MSE; returns the parameters after every update and the step
    (counted in updates) at which it diverged, if it did."""
    A, y, n = bowl.A, bowl.y, len(bowl.y)
    rng = np.random.default_rng(seed)
    theta, thetas = start.copy(), [start.copy()]
    limit = DIVERGENCE_FACTOR * max(float(bowl.value(start)), 1.0)
    for _ in range(epochs):
        for idx in minibatches(n, batch_size, shuffle=True, rng=rng):
            Ab = A[idx]
            theta = theta - lr * (2.0 / len(idx)) * (Ab.T @ (Ab @ theta - y[idx]))
            if not float(bowl.value(theta)) <= limit:
                return np.array(thetas), len(thetas)
            thetas.append(theta.copy())
    return np.array(thetas), None


class _BatchFigure:
    """The contours with the full-batch and mini-batch paths (left), their losses (right)."""

    def __init__(self, bowl: _MseBowl, start: np.ndarray, n: int, lang: str):
        self.bowl, self.start, self.n, self.lang = bowl, start, n, lang
        self.view = FigureView(figsize=(8.0, 3.5))
        self.ax_map, self.ax_loss = self.view.fig.subplots(1, 2, gridspec_kw={"wspace": 0.28})
        full_label = term("batch", lang) + f" (B = {n})"
        self._draw_map(full_label)
        self._draw_loss_axes(full_label)
        # Legends are dynamic (drawn over the paths) and name the mini-batch size as it changes.
        self.legends = [framed_legend(self.ax_map, loc="upper left"),
                        framed_legend(self.ax_loss, loc="upper right")]
        self.legends[1].set_bbox_to_anchor((1.0, 0.86),  # under the status box
                                           transform=self.ax_loss.transAxes)
        self.view.dynamic(self.full_path, self.mini_path, self.full_loss, self.mini_loss,
                          self.status, *self.legends)
        self.view.fig.subplots_adjust(left=0.07, right=0.98, top=0.95, bottom=0.15)

    def _draw_map(self, full_label: str) -> None:
        ax, lang = self.ax_map, self.lang
        contour_landscape(self.bowl, ax, resolution=80, levels=12)
        ax.set_xlabel(term("weight", lang) + " w")
        ax.set_ylabel("b")
        (self.full_path,) = ax.plot([], [], "o-", color="0.3", markersize=3, linewidth=1.2,
                                    label=full_label)
        (self.mini_path,) = ax.plot([], [], "-", color=PALETTE[1], linewidth=0.9,
                                    label=term("mini_batch", lang))

    def _draw_loss_axes(self, full_label: str) -> None:
        ax, lang, bowl = self.ax_loss, self.lang, self.bowl
        (self.full_loss,) = ax.plot([], [], "o-", color="0.3", markersize=3, linewidth=1.2,
                                    label=full_label)
        (self.mini_loss,) = ax.plot([], [], color=PALETTE[1], linewidth=1.0,
                                    label=term("mini_batch", lang))
        best = float(bowl.value(bowl.minima[0]))
        ax.axhline(best, color="black", linestyle="--", linewidth=1,
                   label=text("최소 손실 (폐형 해)", "minimum (closed form)", lang))
        ax.set_yscale("log")
        ax.set_ylim(best * 0.7, float(bowl.value(self.start)) * 10)  # room for the legend
        # Ticks at 1, 2, 5 × 10^k in plain numbers; the default minor labels (3×10⁰, 4×10⁰,
        # ...) crowd this short axis.
        ax.yaxis.set_major_locator(LogLocator(subs=(1.0, 2.0, 5.0)))
        ax.yaxis.set_major_formatter(FormatStrFormatter("%g"))
        ax.yaxis.set_minor_formatter(NullFormatter())
        ax.set_xlabel(term("epoch", lang))
        ax.set_ylabel(term("loss", lang) + " (MSE)")
        self.status = status_text(ax, loc="upper right")

    def update(self, batch_size: int, lr: float, epochs: int, shuffle_seed: int) -> None:
        """Run full batch and mini-batches of ``batch_size`` and draw both."""
        bowl, lang, n = self.bowl, self.lang, self.n
        self.view.fit_steps(epochs, self.ax_loss)
        full, full_div = run_minibatch(bowl, lr, n, epochs, shuffle_seed, self.start)
        mini, mini_div = run_minibatch(bowl, lr, batch_size, epochs, shuffle_seed, self.start)
        per_epoch = math.ceil(n / batch_size)
        for legend in self.legends:  # entry 1 is the mini-batch run in both
            legend.get_texts()[1].set_text(term("mini_batch", lang) + f" (B = {batch_size})")
        self.full_path.set_data(full[:, 0], full[:, 1])
        self.mini_path.set_data(mini[:, 0], mini[:, 1])
        self.full_loss.set_data(np.arange(len(full)), bowl.value(full))
        self.mini_loss.set_data(np.arange(len(mini)) / per_epoch, bowl.value(mini))
        diverged = mini_div if mini_div is not None else full_div
        if diverged is not None:
            show_status(self.status, divergence_message(diverged, lang), diverged=True)
        else:
            show_status(self.status, text(f"B = {batch_size}: 에폭당 업데이트 {per_epoch}번",
                                          f"B = {batch_size}: {per_epoch} updates per epoch",
                                          lang))


def batch_size_playground(
    lang: str | None = None,
    *,
    batch_size: int = 8,
    lr: float = 0.05,
    epochs: int = 5,
    n_samples: int = 64,
    seed: int = 0,
) -> Playground:
    """Chapter 03 playground: the same data, full batch against mini-batches of size B.

    Parameters
    ----------
    lang : {"ko", "en"} or None, default=None
        Language of the labels; None uses :func:`course_lib.set_language`'s choice.
    batch_size : int, default=8
        Starting B; the slider offers 1, 2, 4, … up to ``n_samples``.
    lr : float, default=0.05
        In [1e-3, 1] (logarithmic slider).
    epochs : int, default=5
        In [1, 20].
    n_samples : int, default=64
        In [8, 256]; data from ``course_lib.data.linear_data`` (y = 3x + 2 + noise).
    seed : int, default=0
        Seed of the data; the ``shuffle seed`` slider changes the order of the batches.

    Returns
    -------
    Playground

    Examples
    --------
    >>> pg = batch_size_playground("en")
    >>> pg.controls["batch_size"].value = 1
    """
    lang = resolve(lang)
    n = int(check_in_range("n_samples", n_samples, 8, 256))
    sizes = [2**k for k in range(int(math.log2(n)) + 1)] + ([n] if n & (n - 1) else [])
    if batch_size not in sizes:
        raise ValueError(f"batch_size must be one of {sizes}, got {batch_size!r}")
    check_in_range("lr", lr, 1e-3, 1.0)
    check_in_range("epochs", epochs, 1, 20)
    X, y = data.linear_data(n, noise=1.5, seed=seed)
    bowl = _MseBowl(X, y)
    start = bowl.minima[0] + np.array([-3.0, -3.0])

    figure = _BatchFigure(bowl, start, n, lang)
    controls = {
        "batch_size": widgets.SelectionSlider(
            options=sizes, value=batch_size, description=term("batch_size", lang),
            style={"description_width": "initial"}, layout=widgets.Layout(width="320px")),
        "lr": lr_slider(term("learning_rate", lang) + " η", lr, 1e-3, 1.0),
        "epochs": int_slider(term("epoch", lang), int(epochs), 1, 20),
        "shuffle_seed": int_slider(text("섞기 시드", "shuffle seed", lang), 0, 0, 20),
    }
    return Playground(controls, figure.view, figure.update,
                      layout_rows=[["batch_size", "lr"], ["epochs", "shuffle_seed"]])
