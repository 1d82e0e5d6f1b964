"""The diagrams an exam answer draws by hand, drawn as figures (chapter 11).

A text sketch made of arrows and box-drawing characters lines up only in some fonts: Hangul
and many arrows are two columns wide in a Korean monospace font, so the Korean edition came
out misaligned.  :func:`answer_sketches` draws the same five diagrams with matplotlib, in the
notebook's language, with a slight hand-drawn wobble (matplotlib's sketch parameters) to say
"this is what to draw on paper", not a measurement.  The measured version follows it in the
lesson (``plotting.compare_trajectories`` on a real run).
"""

from __future__ import annotations

import numpy as np
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from course_lib.i18n import resolve, term, text
from course_lib.style import apply_style

__all__ = ["answer_sketches", "loop_diagram"]

#: matplotlib sketch parameters (scale, length, randomness): a pen line, not a plotted one.
_PEN = (0.6, 80.0, 1.0)


def _path_sketches(lang: str) -> list[tuple[str, str, np.ndarray]]:
    """(name, what to notice, points) of the three paths, from the start to the minimum (0, 0)."""
    k = np.arange(11)
    zigzag = np.column_stack([-7.5 + 7.5 * (1 - 0.8 ** k), 1.3 * (-0.8) ** k])
    swing = np.array([[-7.5, 1.3], [-5.0, -1.2], [-2.8, 0.8], [-1.3, -0.35], [-0.4, 0.1], [0, 0]])
    diagonal = np.array([[-7.5, 1.3], [-6.6, 0.4], [-5.7, -0.05], [-3.8, 0.02], [-1.6, 0], [0, 0]])
    return [
        (term("gradient_descent", lang),
         text("가파른 축을 가로지르며 지그재그, 완만한 축으로는 천천히",
              "zig-zag across the steep axis, slow along the flat one", lang), zigzag),
        (term("momentum", lang),
         text("처음엔 크게 흔들리지만 진동이 빨리 줄어 반복 수가 적음",
              "big swings at first, damped fast: fewer iterations", lang), swing),
        ("Adam",
         text("좌표별 스케일: 첫 스텝은 두 축으로 같은 보폭 η",
              "per-coordinate scale: first steps of size η on both axes", lang), diagonal),
    ]


def _draw_path(ax: Axes, name: str, note: str, points: np.ndarray) -> None:
    t = np.linspace(0, 2 * np.pi, 200)
    for r in (0.35, 0.7, 1.0):
        (ring,) = ax.plot(10 * r * np.cos(t), 2.2 * r * np.sin(t), color="0.6", lw=0.9)
        ring.set_sketch_params(*_PEN)
    (line,) = ax.plot(points[:, 0], points[:, 1], "-", color="black", lw=1.6)
    line.set_sketch_params(*_PEN)
    ax.plot([0], [0], "o", color="black", markersize=6)
    ax.set_xlim(-10.5, 10.5)
    ax.set_ylim(-2.5, 2.5)
    ax.set_axis_off()
    ax.set_title(f"{name}\n{note}", loc="left", fontsize=11, linespacing=1.3)


def _draw_schedule(ax: Axes, title: str, epochs: np.ndarray, lr: np.ndarray, lang: str) -> None:
    (line,) = ax.plot(epochs, lr, color="black", lw=1.8)
    line.set_sketch_params(*_PEN)
    for spine in ("top", "right"):
        ax.spines[spine].set_visible(False)
    ax.set_xticks([])
    ax.set_yticks([])
    ax.set_ylim(0, 1.15)
    ax.set_xlabel(term("epoch", lang))
    ax.set_ylabel("η", rotation=0, labelpad=10)
    ax.set_title(title, fontsize=11)


def answer_sketches(lang: str | None = None) -> Figure:
    """Five hand-drawable diagrams: GD, momentum and Adam paths; step decay and warmup + decay.

    Parameters
    ----------
    lang : {"ko", "en"} or None, default=None
        Language of the labels; None uses :func:`course_lib.set_language`'s choice.

    Returns
    -------
    matplotlib.figure.Figure
        Registered with pyplot, so a notebook cell shows it.
    """
    import matplotlib.pyplot as plt  # pyplot only when a lesson asks for the figure

    lang = resolve(lang)
    apply_style()
    fig = plt.figure(figsize=(11, 5.4))
    grid = fig.add_gridspec(3, 3, width_ratios=(1.6, 1, 1), hspace=0.9, wspace=0.35,
                            left=0.02, right=0.98, top=0.9, bottom=0.08)
    for row, (name, note, points) in enumerate(_path_sketches(lang)):
        _draw_path(fig.add_subplot(grid[row, 0]), name, note, points)
    epochs = np.linspace(0, 60, 400)
    stairs = 0.5 ** np.floor(epochs / 15)
    warm = np.where(epochs < 6, (epochs + 1) / 7, 0.95 ** (epochs - 6))
    _draw_schedule(fig.add_subplot(grid[:, 1]), text("스텝 감쇠", "step decay", lang), epochs,
                   stairs, lang)
    _draw_schedule(fig.add_subplot(grid[:, 2]), text("워밍업 + 감쇠", "warmup + decay", lang),
                   epochs, warm, lang)
    return fig


def loop_diagram(lang: str | None = None) -> Figure:
    """The training loop as boxes and arrows: mini-batch → loss → backprop → state → step.

    A schedule feeds the learning rate into the step, and the loop returns to the next
    mini-batch (the "box-and-arrow sketch" of an answer's part II).

    Parameters
    ----------
    lang : {"ko", "en"} or None, default=None
        Language of the labels; None uses :func:`course_lib.set_language`'s choice.
    """
    import matplotlib.pyplot as plt  # pyplot only when a lesson asks for the figure

    lang = resolve(lang)
    apply_style()
    fig, ax = plt.subplots(figsize=(11, 2.4))
    ax.set_axis_off()
    ax.set_xlim(0, 1)
    ax.set_ylim(0, 1)
    labels = [term("mini_batch", lang), term("loss", lang),
              text("역전파: ĝ", "backprop: ĝ", lang),
              text("상태 갱신: b, m, v", "update state: b, m, v", lang),
              text("스텝: θ ← θ − η·방향", "step: θ ← θ − η·direction", lang)]
    xs = (0.06, 0.2, 0.36, 0.57, 0.84)
    box = {"boxstyle": "round,pad=0.45", "fc": "white", "ec": "black", "lw": 1.3}
    boxes = [ax.text(x, 0.72, label, ha="center", va="center", fontsize=11, bbox=box)
             for x, label in zip(xs, labels, strict=True)]
    schedule = ax.text(0.84, 0.18, text("스케줄: η(t)", "schedule: η(t)", lang), ha="center",
                       va="center", fontsize=11, bbox={**box, "ls": "--"})
    arrow = {"arrowstyle": "-|>", "color": "black", "lw": 1.3, "shrinkA": 2, "shrinkB": 2}
    for a, b in zip(boxes, boxes[1:], strict=False):
        ax.annotate("", xy=(0, 0.5), xycoords=b, xytext=(1, 0.5), textcoords=a,
                    arrowprops=arrow)
    ax.annotate("", xy=(0.5, 0), xycoords=boxes[-1], xytext=(0.5, 1), textcoords=schedule,
                arrowprops=arrow)
    # back to the start: down from the step, left along the bottom, up into the mini-batch
    ax.plot([0.76, 0.76, xs[0]], [0.6, 0.32, 0.32], color="black", lw=1.3)
    ax.annotate("", xy=(xs[0], 0.63), xytext=(xs[0], 0.32), arrowprops=arrow)
    ax.text(0.41, 0.35, text("다음 미니배치", "next mini-batch", lang), ha="center", va="bottom",
            fontsize=11)
    return fig
