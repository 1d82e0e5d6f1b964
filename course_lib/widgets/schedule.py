"""Chapter 04: pick a learning-rate schedule and its arguments; see lr and loss over steps.

The schedules are :mod:`course_lib.optim.lr_scheduler`'s (PyTorch's semantics), stepped
once per step.  The right panel runs gradient descent with noisy gradients on a bowl
(like SGD): with a constant lr the loss stalls at a noise floor; a decaying lr goes lower.
"""

from __future__ import annotations

import functools

import numpy as np

from course_lib import landscapes, training
from course_lib.i18n import resolve, term, text
from course_lib.optim import SGD, lr_scheduler
from course_lib.plotting import divergence_message, framed_legend, show_status, status_text
from course_lib.style import MIN_FONT_SIZE, PALETTE
from course_lib.widgets._base import (
    FigureView,
    Playground,
    check_in_range,
    dropdown,
    float_slider,
    int_slider,
    lr_slider,
)

SCHEDULES = ("constant", "step", "exponential", "cosine", "warmup_cosine", "one_cycle")
#: Which sliders each schedule uses (the others are hidden).
_ARGS = {"constant": (), "step": ("step_size", "gamma"), "exponential": ("gamma",),
         "cosine": (), "warmup_cosine": ("warmup",), "one_cycle": ("pct_start",)}
_NOISE = 3.0  # std of the gradient noise: gives a visible noise floor at lr ~ 0.1


def make_scheduler(name: str, optimizer, *, steps: int, step_size: int = 20,
                   gamma: float = 0.5, warmup: int = 10, pct_start: float = 0.3
                   ) -> lr_scheduler.LRScheduler | None:
    """Build the named schedule with course_lib.optim.lr_scheduler (None for "constant")."""
    if name == "constant":
        return None
    if name == "step":
        return lr_scheduler.StepLR(optimizer, step_size=step_size, gamma=gamma)
    if name == "exponential":
        return lr_scheduler.ExponentialLR(optimizer, gamma=gamma)
    if name == "cosine":
        return lr_scheduler.CosineAnnealingLR(optimizer, T_max=steps)
    if name == "warmup_cosine":
        warmup = min(max(warmup, 1), steps - 1)
        # LinearLR starts at start_factor·lr: lr/warmup, not 0, so step 0 already learns.
        return lr_scheduler.SequentialLR(optimizer, [
            lr_scheduler.LinearLR(optimizer, start_factor=1.0 / warmup, total_iters=warmup),
            lr_scheduler.CosineAnnealingLR(optimizer, T_max=steps - warmup)],
            milestones=[warmup])
    if name == "one_cycle":
        return lr_scheduler.OneCycleLR(optimizer, max_lr=optimizer.param_groups[0]["lr"],
                                       total_steps=steps + 1, pct_start=pct_start,
                                       cycle_momentum=False)
    raise ValueError(f"schedule must be one of {SCHEDULES}, got {name!r}")


def schedule_lrs(name: str, lr: float, steps: int, **kwargs) -> np.ndarray:
    """The learning rate at steps 0 … steps − 1 of the named schedule."""
    x = np.zeros(1)
    opt = SGD([x], lr=lr)
    sched = make_scheduler(name, opt, steps=steps, **kwargs)
    lrs = np.empty(steps)
    for t in range(steps):
        lrs[t] = opt.param_groups[0]["lr"]
        opt.step([np.zeros(1)])  # torch's order: optimizer step, then scheduler step
        if sched is not None:
            sched.step()
    return lrs


def schedule_explorer(
    lang: str | None = None,
    *,
    schedule: str = "step",
    lr: float = 0.1,
    steps: int = 100,
) -> Playground:
    """Chapter 04 playground: a schedule, its arguments, the lr it gives and what it does.

    Parameters
    ----------
    lang : {"ko", "en"} or None, default=None
        Language of the labels; None uses :func:`course_lib.set_language`'s choice.
    schedule : {"constant", "step", "exponential", "cosine", "warmup_cosine", "one_cycle"}
        The schedule shown first (``StepLR``, ``ExponentialLR``, ``CosineAnnealingLR``,
        ``LinearLR`` warmup then cosine via ``SequentialLR``, ``OneCycleLR``).
    lr : float, default=0.1
        Base (for one-cycle: peak) learning rate, in [1e-3, 1] (logarithmic slider).
    steps : int, default=100
        In [20, 300].

    Returns
    -------
    Playground

    Examples
    --------
    >>> pg = schedule_explorer("en")
    >>> pg.controls["schedule"].value = "cosine"
    """
    lang = resolve(lang)
    if schedule not in SCHEDULES:
        raise ValueError(f"schedule must be one of {SCHEDULES}, got {schedule!r}")
    check_in_range("lr", lr, 1e-3, 1.0)
    check_in_range("steps", steps, 20, 300)
    names = {k: _relabel(k, lang) for k in SCHEDULES}
    controls = {
        "schedule": dropdown(term("lr_scheduling", lang), [(names[k], k) for k in SCHEDULES],
                             schedule),
        "lr": lr_slider(term("learning_rate", lang), lr, 1e-3, 1.0),
        "steps": int_slider(term("step", lang), int(steps), 20, 300, 10),
        "step_size": int_slider("step_size", 20, 1, 100),
        "gamma": float_slider("gamma", 0.5, 0.05, 0.99, 0.01),
        "warmup": int_slider(term("warmup", lang), 10, 1, 100),
        "pct_start": float_slider("pct_start", 0.3, 0.05, 0.9, 0.05),
    }
    figure = _ScheduleFigure(lang, names)

    def update(schedule, lr, steps, step_size, gamma, warmup, pct_start) -> None:
        for arg in ("step_size", "gamma", "warmup", "pct_start"):
            controls[arg].layout.display = None if arg in _ARGS[schedule] else "none"
        figure.update(schedule, lr, steps, {"step_size": step_size, "gamma": gamma,
                                            "warmup": warmup, "pct_start": pct_start})

    return Playground(controls, figure.view, update, layout_rows=[
        ["schedule", "lr"], ["steps", "step_size", "gamma", "warmup", "pct_start"]])


class _ScheduleFigure:
    """The lr a schedule gives (left) and the loss of noisy GD with it and without (right)."""

    def __init__(self, lang: str, names: dict[str, str]):
        self.lang, self.names = lang, names
        self.bowl = landscapes.quadratic(condition_number=10.0)
        self.view = FigureView(figsize=(8.0, 3.3))
        self.ax_lr, self.ax_loss = self.view.fig.subplots(1, 2, gridspec_kw={"wspace": 0.3})
        ax_lr, ax_loss = self.ax_lr, self.ax_loss
        (self.lr_line,) = ax_lr.plot([], [], color=PALETTE[0], linewidth=1.8)
        ax_lr.set_ylim(0, 1.2)  # room above η₀ for the note, which a constant lr would cross
        ax_lr.set_yticks(np.linspace(0, 1, 6))
        ax_lr.set_xlabel(term("step", lang))
        ax_lr.set_ylabel(term("learning_rate", lang) + " / η₀")
        (self.const_line,) = ax_loss.plot([], [], color="0.6", linewidth=1.0,
                                          label=_relabel("constant", lang))
        (self.loss_line,) = ax_loss.plot([], [], color=PALETTE[0], linewidth=1.4,
                                         label=term("lr_scheduling", lang))
        ax_loss.set_yscale("log")
        ax_loss.set_ylim(1e-3, 1e4)
        ax_loss.set_xlabel(term("step", lang))
        ax_loss.set_ylabel(term("loss", lang))
        ax_loss.set_title(text("잡음 섞인 기울기로 이차 함수 최소화", "noisy gradients on a bowl",
                               lang), fontsize=MIN_FONT_SIZE)
        # Dynamic (drawn last), so the noisy curves pass under the legend, not over it.
        self.legend = framed_legend(ax_loss, loc="lower left")
        self.status = status_text(ax_loss, loc="upper right")
        self.lr_note = ax_lr.text(0.97, 0.97, "", transform=ax_lr.transAxes, ha="right",
                                  va="top", fontsize=MIN_FONT_SIZE)
        self.view.dynamic(self.lr_line, self.lr_note, self.const_line, self.loss_line,
                          self.status, self.legend)
        self.view.fig.subplots_adjust(left=0.08, right=0.98, top=0.9, bottom=0.15)
        # Cached: the constant-lr run only changes with lr and steps, not with the schedule.
        self.run = functools.lru_cache(maxsize=64)(self._run)

    def _run(self, name: str, lr: float, steps: int, **kwargs) -> training.Trajectory:
        """Noisy gradient descent on the bowl with the named schedule."""
        def build(opt):
            return make_scheduler(name, opt, steps=steps, **kwargs)
        return training.gradient_descent(self.bowl, lr=lr, steps=steps, optimizer=SGD,
                                         scheduler=None if name == "constant" else build,
                                         grad_noise=_NOISE, seed=0)

    def update(self, schedule: str, lr: float, steps: int, kwargs: dict) -> None:
        """Draw the schedule's lr and the loss with and without it."""
        lang = self.lang
        self.view.fit_steps(steps, self.ax_lr, self.ax_loss)
        lrs = schedule_lrs(schedule, lr, steps, **kwargs)
        self.lr_line.set_data(np.arange(steps), lrs / lr)
        self.lr_note.set_text(text(f"학습률: 처음 {lrs[0]:.3g} → 마지막 {lrs[-1]:.3g}",
                                   f"lr: start {lrs[0]:.3g} → end {lrs[-1]:.3g}", lang))
        const, scheduled = self.run("constant", lr, steps), self.run(schedule, lr, steps,
                                                                      **kwargs)
        self.const_line.set_data(np.arange(len(const.losses)), const.losses)
        self.loss_line.set_data(np.arange(len(scheduled.losses)), scheduled.losses)
        self.legend.get_texts()[1].set_text(self.names[schedule])  # blue curve: this schedule
        if scheduled.diverged:
            show_status(self.status, divergence_message(scheduled.diverged_at, lang),
                        diverged=True)
        else:
            tail = scheduled.losses[-10:].mean()
            show_status(self.status, text(f"마지막 10 스텝 평균 손실 {tail:.3g}",
                                          f"mean loss, last 10 steps: {tail:.3g}", lang))


def _relabel(key: str, lang: str) -> str:
    labels = {"constant": ("고정 학습률", "constant learning rate"),
              "step": ("계단 (StepLR)", "step (StepLR)"),
              "exponential": ("지수 (ExponentialLR)", "exponential (ExponentialLR)"),
              "one_cycle": ("원사이클 (OneCycleLR)", "one-cycle (OneCycleLR)")}
    if key in labels:
        return text(*labels[key], lang)
    if key == "cosine":
        return term("cosine_annealing", lang)
    return term("warmup", lang) + " + " + term("cosine_annealing", lang)
