"""Chapter 02: linear regression by gradient descent, learning rate and number of iterations.

Left: the data, the closed-form fit (dashed) and the line gradient descent has reached.
Right: the MSE against iteration, with the closed-form minimum as the floor it can reach.
"""

from __future__ import annotations

import numpy as np

from course_lib import data
from course_lib.i18n import resolve, term, text
from course_lib.models.linear import closed_form, mse_smoothness
from course_lib.plotting import (
    DIVERGENCE_FACTOR,
    divergence_message,
    show_status,
    status_text,
)
from course_lib.style import MIN_FONT_SIZE, PALETTE
from course_lib.widgets._base import (
    FigureView,
    Playground,
    check_in_range,
    int_slider,
    lr_slider,
)


def run_linear_gd(X: np.ndarray, y: np.ndarray, lr: float, iterations: int
                  ) -> tuple[np.ndarray, np.ndarray, int | None]:
    """Full-batch GD on MSE = mean((wx + b − y)²) from w = b = 0.

    Returns the parameters ``(w, b)`` after each iteration (shape ``(k + 1, 2)``), the MSE
    at each and the iteration at which the run diverged (loss above 1e6 × the first), if any.
    """
    A = np.column_stack([X[:, 0], np.ones(len(y))])
    theta = np.zeros(2)
    thetas, losses = [theta.copy()], [float(np.mean(y**2))]
    limit = DIVERGENCE_FACTOR * max(losses[0], 1.0)
    with np.errstate(all="ignore"):
        for k in range(1, iterations + 1):
            r = A @ theta - y
            theta = theta - lr * (2.0 / len(y)) * (A.T @ r)
            loss = float(np.mean((A @ theta - y) ** 2))
            if not loss <= limit:
                return np.array(thetas), np.array(losses), k
            thetas.append(theta.copy())
            losses.append(loss)
    return np.array(thetas), np.array(losses), None


class _FitFigure:
    """The data with the closed-form and the gradient-descent lines (left), the MSE (right)."""

    def __init__(self, X: np.ndarray, y: np.ndarray, lang: str):
        self.X, self.y, self.lang = X, y, lang
        self.view = FigureView(figsize=(8.0, 3.4))
        self.ax_fit, self.ax_loss = self.view.fig.subplots(1, 2, gridspec_kw={"wspace": 0.3})
        w_star, b_star = closed_form(X, y)
        self._draw_fit_axes(w_star[0], b_star)
        self._draw_loss_axes(float(np.mean((X[:, 0] * w_star[0] + b_star - y) ** 2)))
        self.view.dynamic(self.fit_line, self.gd_text, self.loss_line, self.status)
        self.view.fig.subplots_adjust(left=0.07, right=0.98, top=0.9, bottom=0.15)

    def _draw_fit_axes(self, w_star: float, b_star: float) -> None:
        ax, X, y, lang = self.ax_fit, self.X, self.y, self.lang
        ax.scatter(X[:, 0], y, s=10, color="0.5")
        self.xs = xs = np.array([X.min() - 0.3, X.max() + 0.3])
        ax.plot(xs, w_star * xs + b_star, "--", color="black", linewidth=1,
                label=text(f"폐형 해 w={w_star:.2f}, b={b_star:.2f}",
                           f"closed form w={w_star:.2f}, b={b_star:.2f}", lang))
        (self.fit_line,) = ax.plot([], [], color=PALETTE[1], linewidth=2,
                                   label=term("gradient_descent", lang))
        ax.set_xlim(*xs)
        ax.set_ylim(y.min() - 2, y.max() + 2)
        ax.set_xlabel("x")
        ax.set_ylabel("y")
        ax.legend(loc="upper left")
        self.gd_text = ax.text(0.97, 0.04, "", transform=ax.transAxes, ha="right",
                               fontsize=MIN_FONT_SIZE)

    def _draw_loss_axes(self, best: float) -> None:
        ax, X, y, lang = self.ax_loss, self.X, self.y, self.lang
        L, _ = mse_smoothness(X)
        (self.loss_line,) = ax.plot([], [], color=PALETTE[1], linewidth=1.5)
        ax.axhline(best, color="black", linestyle="--", linewidth=1)
        ax.set_yscale("log")
        ax.set_ylim(best * 0.7, float(np.mean(y**2)) * 1e3)
        ax.set_ylabel(term("loss", lang) + " (MSE)")
        ax.set_xlabel(term("iteration", lang))
        ax.set_title(f"2/L = {2 / L:.3g}", fontsize=MIN_FONT_SIZE, loc="right")
        self.status = status_text(ax, loc="upper right")

    def update(self, lr: float, iterations: int) -> None:
        """Run gradient descent for ``iterations`` steps of size ``lr`` and draw it."""
        self.view.fit_steps(iterations, self.ax_loss)
        thetas, losses, diverged_at = run_linear_gd(self.X, self.y, lr, iterations)
        w, b = thetas[-1]
        self.fit_line.set_data(self.xs, w * self.xs + b)
        self.gd_text.set_text(f"w={w:.2f}, b={b:.2f}")
        self.loss_line.set_data(np.arange(len(losses)), losses)
        if diverged_at is not None:
            show_status(self.status, divergence_message(diverged_at, self.lang), diverged=True)
        else:
            show_status(self.status, f"{term('loss', self.lang)} = {losses[-1]:.3g}")


def linear_regression_playground(
    lang: str | None = None,
    *,
    lr: float = 0.05,
    iterations: int = 50,
    n_samples: int = 40,
    seed: int = 0,
) -> Playground:
    """Chapter 02 playground: fit y = wx + b by gradient descent and watch the loss.

    Parameters
    ----------
    lang : {"ko", "en"} or None, default=None
        Language of the labels; None uses :func:`course_lib.set_language`'s choice.
    lr : float, default=0.05
        Learning rate, in [1e-3, 2] (logarithmic slider).
    iterations : int, default=50
        In [1, 300].
    n_samples : int, default=40
        Points of ``course_lib.data.linear_data`` (y = 3x + 2 + noise), in [5, 500].
    seed : int, default=0

    Returns
    -------
    Playground

    Examples
    --------
    >>> pg = linear_regression_playground("en")
    >>> pg.controls["iterations"].value = 200
    """
    lang = resolve(lang)
    check_in_range("lr", lr, 1e-3, 2.0)
    check_in_range("iterations", iterations, 1, 300)
    check_in_range("n_samples", n_samples, 5, 500)
    X, y = data.linear_data(int(n_samples), noise=1.0, seed=seed)
    figure = _FitFigure(X, y, lang)
    controls = {
        "lr": lr_slider(term("learning_rate", lang) + " η", lr, 1e-3, 2.0),
        "iterations": int_slider(term("iteration", lang), int(iterations), 1, 300),
    }
    return Playground(controls, figure.view, figure.update, layout_rows=[["lr", "iterations"]])
