"""Learning-rate range test (Smith 2015, "Cyclical Learning Rates"; as fastai runs it).

Train for ``num_iter`` steps while the learning rate grows exponentially from
``start_lr`` to ``end_lr``, one **new** mini-batch per step (cycling through the data),
and watch the loss::

    lr_i       = start_lr · (end_lr / start_lr)^(i / (num_iter − 1))
    avg_i      = β · avg_{i−1} + (1 − β) · loss_i           (avg_{−1} = 0, β = 0.98)
    smoothed_i = avg_i / (1 − β^(i+1))                       (bias correction, as in Adam)
    stop when smoothed_i > stop_factor · min_{j<i} smoothed_j, or the loss is not finite

Afterwards the model's weights **and** the optimizer's state are put back as they were:
the test only looks. (The seed text's version re-read its first batch every step, did
not smooth, and never restored the model: COURSE_DESIGN erratum 3.)

The suggestion (``suggestion=``), all three computed on the smoothed curve:

- ``"valley"`` (default, fastai's default since 2021): find the longest stretch over which
  the smoothed loss keeps going down (the longest decreasing subsequence) and take the lr
  about half-way along it. Robust to mini-batch noise, on the cautious side.
- ``"min_div_10"``: the lr at the minimum of the smoothed loss divided by 10 (fastai's
  ``minimum``): at the minimum the loss is already about to blow up.
- ``"steepest"``: the lr where the smoothed loss falls fastest against log lr (fastai's
  ``steep``). Fragile: with noisy mini-batch losses a random early dip can be "steepest"
  (measured on linear regression with batches of 32: 5e-5, where 2/L = 0.25).

All are heuristics for a starting point, not the best lr.
"""

from __future__ import annotations

import copy
import math
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from course_lib._checks import check_int
from course_lib.i18n import term, text
from course_lib.training import minibatches

if TYPE_CHECKING:  # matplotlib is imported only when a plot is asked for
    from matplotlib.axes import Axes

SUGGESTIONS = ("valley", "min_div_10", "steepest")


@dataclass
class LRFinderResult:
    """The curve of an LR range test.

    Attributes
    ----------
    lrs : ndarray
        Learning rate of every step taken.
    losses : ndarray
        Mini-batch loss at each step (before that step's update).
    smoothed : ndarray
        Bias-corrected exponential moving average of ``losses``.
    suggested_lr : float or None
        By the method in ``suggestion``; None when the curve is too short.
    lr_valley, lr_min_div_10, lr_steepest : float or None
        The three suggestions.
    diverged : bool
        True when the test stopped because the smoothed loss exceeded
        ``stop_factor`` × its best (or became non-finite).
    suggestion : str
    """

    lrs: np.ndarray
    losses: np.ndarray
    smoothed: np.ndarray
    suggested_lr: float | None
    lr_valley: float | None
    lr_min_div_10: float | None
    lr_steepest: float | None
    diverged: bool
    suggestion: str


def _check_lr_range(start_lr, end_lr, num_iter, beta, stop_factor, suggestion):
    for name, value in [("start_lr", start_lr), ("end_lr", end_lr)]:
        if not (isinstance(value, (int, float)) and value > 0 and math.isfinite(value)):
            raise ValueError(f"{name} must be a finite number > 0, got {value!r}")
    if end_lr <= start_lr:
        raise ValueError(f"end_lr must be > start_lr, got start_lr={start_lr}, end_lr={end_lr}")
    check_int("num_iter", num_iter, low=2)
    if not 0 <= beta < 1:
        raise ValueError(f"beta must be in [0, 1), got {beta!r}")
    if not stop_factor > 1:
        raise ValueError(f"stop_factor must be > 1, got {stop_factor!r}")
    if suggestion not in SUGGESTIONS:
        raise ValueError(f"suggestion must be one of {SUGGESTIONS}, got {suggestion!r}")


def _successive_batches(n, batch_size, shuffle, rng):
    """Endless stream of mini-batches: epoch after epoch, reshuffled each time."""
    while True:
        yield from minibatches(n, batch_size, shuffle=shuffle, rng=rng)


def lr_range_test(model, X, y, optimizer, *, start_lr: float = 1e-7, end_lr: float = 10.0,
                  num_iter: int = 100, batch_size: int | None = 32, shuffle: bool = True,
                  seed: int | None = 0, beta: float = 0.98, stop_factor: float = 4.0,
                  suggestion: str = "valley") -> LRFinderResult:
    """Run an LR range test on ``model`` and restore it (weights and optimizer state).

    Parameters
    ----------
    model : course_lib.models.Model
    X, y : array-like
        Training data.
    optimizer : course_lib.optim.Optimizer
        Built on ``model.params``; its ``lr`` is overwritten during the test and restored.
    start_lr, end_lr : float, default=1e-7, 10.0
        Range of the exponential sweep, 0 < start_lr < end_lr.
    num_iter : int, default=100
        Number of steps (>= 2), each on the next mini-batch.
    batch_size : int or None, default=32
        None: full batch.
    shuffle : bool, default=True
        Shuffle the data at the start of each pass (seeded by ``seed``).
    seed : int or None, default=0
    beta : float, default=0.98
        Smoothing factor of the moving average, in [0, 1).
    stop_factor : float, default=4.0
        Stop when the smoothed loss exceeds this multiple of its best value (> 1).
    suggestion : {"valley", "min_div_10", "steepest"}, default="valley"

    Returns
    -------
    LRFinderResult

    Examples
    --------
    >>> import numpy as np
    >>> from course_lib.models import LinearRegression
    >>> from course_lib.optim import SGD
    >>> rng = np.random.default_rng(0)
    >>> X = rng.standard_normal((200, 2)); y = X @ [1.0, -2.0] + 0.5
    >>> model = LinearRegression(2)
    >>> res = lr_range_test(model, X, y, SGD(model.params, lr=0.1), end_lr=100.0)
    >>> res.diverged, model.w.tolist()          # stopped on divergence; weights restored
    (True, [0.0, 0.0])
    """
    _check_lr_range(start_lr, end_lr, num_iter, beta, stop_factor, suggestion)
    X, y = np.asarray(X, dtype=float), np.asarray(y)
    saved_params = model.copy_params()
    saved_opt = (optimizer.state_dict(), copy.deepcopy(getattr(optimizer, "step_count", None)),
                 copy.deepcopy(getattr(optimizer, "skipped_steps", None)))
    try:
        with np.errstate(all="ignore"):  # a diverging loss is the expected end of the test
            lrs, losses, smoothed, diverged = _sweep(
                model, X, y, optimizer, start_lr, end_lr, num_iter, batch_size, shuffle,
                np.random.default_rng(seed), beta, stop_factor)
    finally:
        model.load_params(saved_params)
        optimizer.load_state_dict(saved_opt[0])
        if saved_opt[1] is not None:
            optimizer.step_count = saved_opt[1]
        if saved_opt[2] is not None:
            optimizer.skipped_steps = saved_opt[2]
    found = _suggest(lrs, smoothed)
    return LRFinderResult(lrs=lrs, losses=losses, smoothed=smoothed,
                          suggested_lr=found[suggestion], lr_valley=found["valley"],
                          lr_min_div_10=found["min_div_10"], lr_steepest=found["steepest"],
                          diverged=diverged, suggestion=suggestion)


def _sweep(model, X, y, optimizer, start_lr, end_lr, num_iter, batch_size, shuffle, rng,
           beta, stop_factor):
    schedule = start_lr * (end_lr / start_lr) ** (np.arange(num_iter) / (num_iter - 1))
    batches = _successive_batches(len(X), batch_size, shuffle, rng)
    lrs, losses, smoothed = [], [], []
    avg, best, diverged = 0.0, math.inf, False
    for i, lr in enumerate(schedule):
        idx = next(batches)
        for group in optimizer.param_groups:
            group["lr"] = float(lr)
        loss, grads = model.loss_and_grads(X[idx], y[idx])
        avg = beta * avg + (1 - beta) * loss
        smooth = avg / (1 - beta ** (i + 1))
        lrs.append(lr)
        losses.append(loss)
        smoothed.append(smooth)
        grads_ok = all(np.all(np.isfinite(g)) for g in grads)
        if not math.isfinite(smooth) or not grads_ok or (i > 0 and smooth > stop_factor * best):
            diverged = True
            break
        best = min(best, smooth)
        optimizer.step(grads)
    return np.array(lrs), np.array(losses, dtype=float), np.array(smoothed, dtype=float), diverged


def _suggest(lrs, smoothed, skip_start: int = 10, skip_end: int = 5) -> dict:
    """The three suggestions, ignoring the noisy first and the exploding last points."""
    none = dict.fromkeys(SUGGESTIONS)
    lo = min(skip_start, len(lrs) // 4)
    hi = len(lrs) - skip_end if len(lrs) - skip_end >= lo + 3 else len(lrs)
    keep = np.isfinite(smoothed[lo:hi])
    seg_lr, seg = lrs[lo:hi][keep], smoothed[lo:hi][keep]
    if len(seg) < 3:
        return none
    i_min = int(np.argmin(seg))
    slope = np.gradient(seg, np.log(seg_lr))
    i_steep = int(np.argmin(slope[: max(i_min, 1) + 1]))  # fall fastest, before the bottom
    return {"valley": float(seg_lr[_valley_index(seg)]),
            "min_div_10": float(seg_lr[i_min] / 10), "steepest": float(seg_lr[i_steep])}


def _valley_index(loss: np.ndarray) -> int:
    """Index about half-way along the longest decreasing subsequence of ``loss``."""
    length = np.ones(len(loss), dtype=int)  # longest decreasing run ending at i
    for i in range(1, len(loss)):
        higher = loss[:i] > loss[i]
        if higher.any():
            length[i] = length[:i][higher].max() + 1
    end = int(np.argmax(length))  # first index reaching the longest run
    start = max(end - int(length[end]), 0)
    return start + (end - start) // 2


def plot_lr_finder(result: LRFinderResult, ax: Axes | None = None, *, show_raw: bool = True,
                   mark_suggestion: bool = True) -> Axes:
    """Plot smoothed (and raw) loss against the learning rate on a log axis.

    Parameters
    ----------
    result : LRFinderResult
    ax : matplotlib Axes, optional
        Drawn into a new figure when None.
    show_raw : bool, default=True
        Also draw the unsmoothed mini-batch losses, faintly.
    mark_suggestion : bool, default=True
        A vertical line at ``result.suggested_lr``.

    Returns
    -------
    matplotlib.axes.Axes
    """
    import matplotlib.pyplot as plt

    from course_lib.plotting import framed_legend
    from course_lib.style import setup_fonts

    setup_fonts()
    if ax is None:
        _, ax = plt.subplots(figsize=(6, 3.5))
    if show_raw:
        ax.plot(result.lrs, result.losses, color="0.75", lw=1,
                label=text("미니배치 손실", "mini-batch loss"))
    ax.plot(result.lrs, result.smoothed, lw=2, label=text("평활화한 손실", "smoothed loss"))
    if mark_suggestion and result.suggested_lr is not None:
        ax.axvline(result.suggested_lr, color="C3", ls="--",
                   label=text(f"제안 학습률 {result.suggested_lr:.2g}",
                              f"suggested lr {result.suggested_lr:.2g}"))
    finite = result.smoothed[np.isfinite(result.smoothed)]
    if finite.size:  # keep the final blow-up from squashing the interesting part
        low, high = finite.min(), finite[0]
        ax.set_ylim(low - 0.1 * (high - low + 1e-12), high + 0.5 * (high - low + 1e-12))
    ax.set_xscale("log")
    ax.set_xlabel(term("learning_rate") + text(" (로그 눈금)", " (log scale)"))
    ax.set_ylabel(term("loss"))
    ax.set_title(text("학습률 범위 테스트", "learning-rate range test"))
    framed_legend(ax, loc="lower left")  # framed: readable over the grey mini-batch line
    return ax
