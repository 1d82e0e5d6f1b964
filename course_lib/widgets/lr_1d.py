"""Chapter 01: the learning rate on a 1-D function: converge, oscillate or diverge.

On f(x) = L/2 · x² one step is x ← (1 − ηL) x, so the run creeps in monotonically for
η < 1/L, zig-zags into the minimum for 1/L < η < 2/L and flies off for η > 2/L.  The strip
under the plots shows these three ranges with the 2/L threshold and where the slider is.
"""

from __future__ import annotations

import numpy as np

from course_lib import landscapes
from course_lib.i18n import resolve, term, text
from course_lib.plotting import divergence_message, plot_function_1d, status_text
from course_lib.style import MIN_FONT_SIZE, OKABE_ITO, PALETTE
from course_lib.widgets._base import (
    FigureView,
    Playground,
    dropdown,
    int_slider,
    lr_slider,
)

_FUNCTIONS = ("parabola", "huber", "double_well", "absolute")
_COLORS = {"converged": OKABE_ITO["bluish_green"], "oscillating": OKABE_ITO["orange"],
           "diverged": OKABE_ITO["vermillion"], "slow": OKABE_ITO["blue"]}


def _label(key: str, lang: str) -> str:
    if key == "slow":  # not (yet) converged after the steps shown
        return text("아직 내려가는 중", "still descending", lang)
    return term(key, lang)


def run_gd_1d(landscape, x0: float, lr: float, steps: int) -> tuple[np.ndarray, int | None]:
    """Plain gradient descent x ← x − lr·f'(x) on a 1-D landscape.

    The run counts as diverged at the first step that leaves the plotted interval with a
    loss above the starting loss (it is climbing out of the valley, not crossing it).

    Returns
    -------
    path : ndarray of shape (k + 1,)
        x₀ … x_k, stopping early at divergence (the escaping point is included).
    diverged_at : int or None
        The step at which the run diverged.
    """
    (lo, hi), f0 = landscape.bounds[0], float(landscape.f(x0))
    path = np.empty(steps + 1)
    path[0] = x = float(x0)
    with np.errstate(all="ignore"):
        for k in range(1, steps + 1):
            x = x - lr * float(landscape.df(x))
            path[k] = x
            if not lo <= x <= hi and not float(landscape.f(x)) <= f0:
                return path[: k + 1], k
    return path, None


def _regime(path: np.ndarray, gap: np.ndarray) -> str:
    moves = np.diff(path)
    flips = np.count_nonzero(moves[1:] * moves[:-1] < 0)
    if flips > len(moves) // 2:
        return "oscillating"
    return "converged" if gap[-1] <= 1e-3 * gap[0] else "slow"


def _fit_in_band(label, a: float, b: float) -> None:
    """Shrink a band's label (down to MIN_FONT_SIZE) until it fits between η = a and η = b;
    hide it if even that is too wide (the band's colour and the status box still say it)."""
    ax = label.axes
    renderer = ax.figure.canvas.get_renderer()
    left, right = ax.transData.transform([(a, 0.5), (b, 0.5)])[:, 0]

    def fits() -> bool:
        return label.get_window_extent(renderer).width <= 0.92 * (right - left)

    while label.get_fontsize() > MIN_FONT_SIZE and not fits():
        label.set_fontsize(label.get_fontsize() - 0.5)
    label.set_visible(fits())


class _Lr1dFigure:
    """The three panels: f with the path, loss against step, the learning-rate strip."""

    def __init__(self, lang: str, lr_range: tuple[float, float]):
        self.lang, self.lr_range = lang, lr_range
        self.view = FigureView(figsize=(7.6, 3.7))
        fig = self.view.fig
        grid = fig.add_gridspec(2, 2, height_ratios=(4, 1), hspace=0.9, wspace=0.3)
        self.ax_f = fig.add_subplot(grid[0, 0])
        self.ax_loss = fig.add_subplot(grid[0, 1])
        self.ax_lr = fig.add_subplot(grid[1, :])
        self.landscape = None

    def set_landscape(self, landscape) -> None:
        """Rebuild everything that depends on the function."""
        lang, dyn = self.lang, self.view.dynamic
        for ax in (self.ax_f, self.ax_loss, self.ax_lr):
            ax.clear()
        self.view.reset()
        self.landscape = landscape
        _, self.path_line = plot_function_1d(landscape, self.ax_f, lang=lang)
        dyn(self.path_line)
        self.ax_f.set_title(landscape.name_ko if lang == "ko" else landscape.name_en,
                            fontsize=10)
        self.f_min = float(landscape.f(landscape.minima[0, 0]))
        gap0 = float(landscape.f(landscape.start[0])) - self.f_min
        (self.loss_line,) = self.ax_loss.plot([], [], "o-", color=PALETTE[1], markersize=3)
        dyn(self.loss_line)
        self.ax_loss.set_yscale("log")
        self.ax_loss.set_ylim(1e-10, gap0 * 1e3)
        self.ax_loss.set_xlabel(term("step", lang))
        self.ax_loss.set_ylabel("f(x) − f(x*)")
        self.status = dyn(status_text(self.ax_loss, loc="upper right"))
        self.view.fig.subplots_adjust(left=0.09, right=0.98, top=0.91, bottom=0.13)
        self._draw_strip(landscape)  # after the layout: it measures its labels

    def _draw_strip(self, landscape) -> None:
        ax, lang = self.ax_lr, self.lang
        lo, hi = self.lr_range
        ax.set_xscale("log")
        ax.set_xlim(lo, hi)
        ax.set_ylim(0, 1)
        ax.set_yticks([])
        ax.grid(False)
        ax.set_xlabel(term("learning_rate", lang) + " η")
        if landscape.L is not None:
            L = landscape.L
            spans = [(lo, 1 / L, "converged"), (1 / L, 2 / L, "oscillating"),
                     (2 / L, hi, "diverged")]
            for a, b, key in spans:
                if b > a:
                    ax.axvspan(a, b, color=_COLORS[key], alpha=0.25, lw=0)
                    a, b = max(a, lo), min(b, hi)
                    label = ax.text(np.sqrt(a * b), 0.5, term(key, lang), ha="center",
                                    va="center", fontsize=MIN_FONT_SIZE)
                    _fit_in_band(label, a, b)
            ax.axvline(2 / L, color="black", lw=1.2)
            ax.axvline(1 / L, color="0.4", lw=0.8, ls="--")
            for x, label in ((1 / L, "1/L"), (2 / L, f"2/L = {2 / L:.3g}")):
                if lo <= x <= hi:
                    ax.text(x, 1.05, label, ha="center", va="bottom", fontsize=MIN_FONT_SIZE,
                            transform=ax.get_xaxis_transform())
        else:
            ax.text(0.5, 0.5, text("이 함수에는 전역 L이 없습니다 (2/L 경계 없음)",
                                   "this function has no global L (no 2/L threshold)", lang),
                    ha="center", va="center", fontsize=MIN_FONT_SIZE, transform=ax.transAxes)
        self.lr_marker = self.view.dynamic(ax.axvline(lo, color="black", lw=3))

    def update(self, lr: float, steps: int) -> None:
        landscape = self.landscape
        path, diverged_at = run_gd_1d(landscape, landscape.start[0], lr, steps)
        self.path_line.set_data(path, landscape.f(path))
        gap = np.maximum(landscape.f(path) - self.f_min, 1e-16)
        self.loss_line.set_data(np.arange(len(path)), gap)
        self.lr_marker.set_xdata([lr, lr])
        if diverged_at is not None:
            key, msg = "diverged", divergence_message(diverged_at, self.lang)
        else:
            key = _regime(path, gap)
            msg = f"{_label(key, self.lang)} · f − f* = {gap[-1]:.2g}"
        self.status.set_text(msg)
        self.status.set_color(_COLORS[key])


def lr_1d_playground(
    lang: str | None = None,
    *,
    function: str = "parabola",
    lr: float = 0.3,
    steps: int = 20,
    lr_range: tuple[float, float] = (0.01, 4.0),
) -> Playground:
    """Chapter 01 playground: how the learning rate decides between converge, oscillate, diverge.

    Parameters
    ----------
    lang : {"ko", "en"} or None, default=None
        Language of the labels; None uses :func:`course_lib.set_language`'s choice.
    function : {"parabola", "huber", "double_well", "absolute"}, default="parabola"
        The 1-D landscape shown first (:mod:`course_lib.landscapes`); a drop-down switches.
    lr : float, default=0.3
        Starting learning rate, inside ``lr_range``.
    steps : int, default=20
        Number of gradient-descent steps, 1 to 100.
    lr_range : (float, float), default=(0.01, 4.0)
        Range of the logarithmic learning-rate slider and of the strip under the plots
        (up to 4/L on the parabola, so the "diverged" band is as wide as "oscillating").

    Returns
    -------
    Playground
        An ipywidgets VBox: a function drop-down, sliders for η and the number of steps,
        and the picture.

    Examples
    --------
    >>> pg = lr_1d_playground("en")
    >>> pg.controls["lr"].value = 2.5          # above 2/L = 2 on the parabola
    >>> "diverged" in pg.view.fig.axes[1].texts[0].get_text()
    True
    """
    lang = resolve(lang)
    lo, hi = float(lr_range[0]), float(lr_range[1])
    if not (np.isfinite(lo) and np.isfinite(hi) and 0 < lo < hi):
        raise ValueError(f"lr_range must be two finite numbers 0 < low < high, got {lr_range!r}")
    if not lo <= lr <= hi:
        raise ValueError(f"lr must be inside lr_range [{lo}, {hi}], got {lr!r}")
    if function not in _FUNCTIONS:
        raise ValueError(f"function must be one of {_FUNCTIONS}, got {function!r}")
    if not isinstance(steps, (int, np.integer)) or not 1 <= steps <= 100:
        raise ValueError(f"steps must be an integer in [1, 100], got {steps!r}")

    built = {key: landscapes.get_landscape(key) for key in _FUNCTIONS}
    names = [(b.name_ko if lang == "ko" else b.name_en, key) for key, b in built.items()]
    controls = {
        "function": dropdown(text("함수", "function", lang), names, function),
        "lr": lr_slider(term("learning_rate", lang) + " η", lr, lo, hi),
        "steps": int_slider(term("step", lang), steps, 1, 100),
    }
    figure = _Lr1dFigure(lang, (lo, hi))

    def update(function: str, lr: float, steps: int) -> None:
        if figure.landscape is not built[function]:
            figure.set_landscape(built[function])
        figure.view.fit_steps(steps, figure.ax_loss)
        figure.update(lr, steps)

    return Playground(controls, figure.view, update, layout_rows=[["function"], ["lr", "steps"]])
