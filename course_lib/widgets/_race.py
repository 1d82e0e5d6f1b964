"""Optimizers side by side on a 2-D landscape: paths on the contours, loss against step.

Shared by the momentum playground (chapter 05) and the optimizer race (chapters 06-07).
The contours are drawn once per landscape and cached as the figure's background; a slider
move recomputes only the runs whose settings changed (:class:`RunCache`) and redraws their
lines over that background.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from course_lib import landscapes, optim, training
from course_lib.i18n import term, text
from course_lib.plotting import (
    OPTIMIZER_COLORS,
    contour_landscape,
    divergence_message,
    framed_legend,
)
from course_lib.style import ALERT_COLOR, MIN_FONT_SIZE
from course_lib.widgets._base import FigureView, axis_limit

#: Landscapes offered in the drop-downs: key -> factory (fixed settings, so cache keys hold).
LANDSCAPES: dict[str, Callable[[], landscapes.Landscape]] = {
    "valley": lambda: landscapes.quadratic(condition_number=50.0, angle=0.3),
    "rosenbrock": landscapes.rosenbrock,
    "beale": landscapes.beale,
    "himmelblau": landscapes.himmelblau,
}


def check_landscape(key: str) -> str:
    """Return ``key`` if it names one of :data:`LANDSCAPES`, else raise a ValueError."""
    if key not in LANDSCAPES:
        raise ValueError(f"landscape must be one of {sorted(LANDSCAPES)}, got {key!r}")
    return key


def landscape_label(key: str, lang: str) -> str:
    """The name of a landscape of :data:`LANDSCAPES`, the same in the drop-down and the map."""
    if key == "valley":  # the lessons call this bowl a valley; its own name says "quadratic"
        return text("좁은 골짜기 (조건수 50)", "narrow valley (condition number 50)", lang)
    landscape = LANDSCAPES[key]()
    return landscape.name_ko if lang == "ko" else landscape.name_en


def landscape_options(lang: str) -> list[tuple[str, str]]:
    """Drop-down entries ``(label, key)`` for :data:`LANDSCAPES`."""
    return [(landscape_label(k, lang), k) for k in LANDSCAPES]


#: Each optimizer of the race: (name, course_lib.optim class or None for plain GD, kwargs).
#: The names are the libraries' own; :func:`optimizer_label` translates the two that are not.
OPTIMIZERS: dict[str, tuple[str, type | None, dict]] = {
    "sgd": ("SGD", None, {}),
    "momentum": ("SGD + momentum", optim.SGD, {"momentum": 0.9}),
    "nesterov": ("Nesterov", optim.SGD, {"momentum": 0.9, "nesterov": True}),
    "adagrad": ("AdaGrad", optim.Adagrad, {}),
    "rmsprop": ("RMSprop", optim.RMSprop, {}),
    "adam": ("Adam", optim.Adam, {}),
    "adamw": ("AdamW", optim.AdamW, {}),
}


def optimizer_label(name: str, lang: str) -> str:
    """The label of a race entry in ``lang``: glossary terms for momentum and Nesterov."""
    if name == "momentum":
        return "SGD + " + term("momentum", lang)
    if name == "nesterov":
        return term("nesterov", lang)
    return OPTIMIZERS[name][0]


class RunCache:
    """Remembers recent runs, so moving one optimizer's slider recomputes only that run."""

    def __init__(self, size: int = 256):
        self._runs: dict[tuple, training.Trajectory] = {}
        self._size = size

    def run(self, landscape_key: str, landscape, optimizer: str, lr: float, steps: int,
            **overrides) -> training.Trajectory:
        # Runs are made as long as the loss axis (axis_limit) and cut to ``steps``, so a
        # steps slider moving inside one axis range needs no new run.
        length = int(axis_limit(steps))
        key = (landscape_key, optimizer, lr, length, tuple(sorted(overrides.items())))
        if key not in self._runs:
            if len(self._runs) >= self._size:
                self._runs.pop(next(iter(self._runs)))  # oldest first: dicts keep order
            _, cls, kwargs = OPTIMIZERS[optimizer]
            self._runs[key] = training.gradient_descent(
                landscape, lr=lr, steps=length, optimizer=cls,
                optimizer_kwargs={**kwargs, **overrides} if cls else None)
        return first_steps(self._runs[key], steps)


def first_steps(traj: training.Trajectory, steps: int) -> training.Trajectory:
    """The trajectory as a run of only ``steps`` steps would have produced it."""
    if traj.diverged and traj.diverged_at <= steps:
        return traj  # it stopped before ``steps`` anyway
    return training.Trajectory(path=traj.path[: steps + 1], losses=traj.losses[: steps + 1])


class RaceFigure:
    """Contours with one path per run (left), loss gap f − f* against step (right)."""

    def __init__(self, lang: str, runs: list[str], labels: dict[str, str] | None = None):
        self.lang = lang
        self.view = FigureView(figsize=(8.0, 3.6))
        self.ax_map, self.ax_loss = self.view.fig.subplots(
            1, 2, gridspec_kw={"width_ratios": (1.05, 1), "wspace": 0.28})
        self.runs = runs
        self.labels = {r: (labels or {}).get(r) or optimizer_label(r, lang) for r in runs}
        self.landscape = None
        self.landscape_key: str | None = None
        self._built: dict[str, landscapes.Landscape] = {}  # each landscape is made once
        self._in_legend: tuple[str, ...] | None = None

    def prepare(self, key: str, steps: int) -> landscapes.Landscape:
        """Show landscape ``key`` of :data:`LANDSCAPES` with a loss axis fitted to ``steps``.

        Redraws the contours only when ``key`` changed; returns the landscape, for the runs.
        """
        if key not in self._built:
            self._built[key] = LANDSCAPES[key]()
        if key != self.landscape_key:
            self.set_landscape(self._built[key], landscape_label(key, self.lang))
            self.landscape_key = key
        self.view.fit_steps(steps, self.ax_loss)
        return self._built[key]

    def set_landscape(self, landscape, title: str) -> None:
        """Redraw contours and axes for a new landscape (``title`` goes above the map)."""
        lang, dyn = self.lang, self.view.dynamic
        self.ax_map.clear()
        self.ax_loss.clear()
        self.view.reset()
        self.landscape = landscape
        contour_landscape(landscape, self.ax_map, resolution=90, levels=14)
        self.ax_map.set_title(title, fontsize=10)
        x0 = landscape.start
        self.ax_map.plot([x0[0]], [x0[1]], "s", color="black", markersize=5)
        self.f_min = float(landscape.value(landscape.minima[0])) if len(landscape.minima) else 0.0
        gap0 = max(float(landscape.value(x0)) - self.f_min, 1e-3)
        self.paths, self.losses = {}, {}
        for r in self.runs:
            color = OPTIMIZER_COLORS[r]
            (self.paths[r],) = self.ax_map.plot([], [], "o-", color=color, markersize=1.8,
                                                linewidth=1.1)
            (self.losses[r],) = self.ax_loss.plot([], [], color=color, linewidth=1.4,
                                                  label=self.labels[r])
            dyn(self.paths[r], self.losses[r])
        self.ax_loss.set_yscale("log")
        self.ax_loss.set_ylim(gap0 * 1e-10, gap0 * 1e3)
        self.ax_loss.set_xlabel(term("step", lang))
        self.ax_loss.set_ylabel("f(x) − f(x*)")
        self._in_legend, self.legend = None, None  # clear() removed it; show() makes one
        self.status = dyn(self.ax_loss.text(
            0.97, 0.97, "", transform=self.ax_loss.transAxes, ha="right", va="top",
            fontsize=MIN_FONT_SIZE, color=ALERT_COLOR, zorder=10,
            bbox={"boxstyle": "round,pad=0.25", "fc": "white", "ec": "0.7", "alpha": 0.9}))
        self.view.fig.subplots_adjust(left=0.08, right=0.98, top=0.92, bottom=0.14)

    def show(self, trajectories: dict[str, training.Trajectory | None]) -> None:
        """Draw the given runs (None hides a run) and list the diverged ones."""
        notes = []
        for r in self.runs:
            traj = trajectories.get(r)
            visible = traj is not None
            self.paths[r].set_visible(visible)
            self.losses[r].set_visible(visible)
            if not visible:
                continue
            self.paths[r].set_data(traj.path[:, 0], traj.path[:, 1])
            gap = np.maximum(traj.losses - self.f_min, 1e-300)
            self.losses[r].set_data(np.arange(len(gap)), gap)
            if traj.diverged:
                notes.append(f"{self.labels[r]}: {divergence_message(traj.diverged_at, self.lang)}")
        self.status.set_text("\n".join(notes))
        self.status.set_visible(bool(notes))
        self._update_legend([r for r in self.runs if trajectories.get(r) is not None])

    def _update_legend(self, visible: list[str]) -> None:
        # The legend names only the visible runs, so it is remade when they change.  It is
        # dynamic (drawn over the curves, not under them), so no background is redrawn.
        if tuple(visible) == self._in_legend:
            return
        self._in_legend = tuple(visible)
        if self.legend is not None:
            self.view.forget(self.legend)
            self.legend.remove()
            self.legend = None
        if visible:
            self.legend = self.view.dynamic(framed_legend(
                self.ax_loss, handles=[self.losses[r] for r in visible], loc="lower left"))
