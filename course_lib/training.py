"""Training loops: batch / stochastic / mini-batch, monitoring, early stopping, divergence.

Two runners:

- :func:`train` fits a :mod:`course_lib.models` model with any :mod:`course_lib.optim`
  optimizer (and scheduler, clipping, validation data, early stopping) and returns a
  :class:`History`: training loss, validation loss, gradient norm, learning rate and
  update-to-weight ratio per epoch or per step, and whether (and where) the run diverged.
- :func:`gradient_descent` runs an optimizer on a :mod:`course_lib.landscapes` function
  and returns the :class:`Trajectory` (points and losses) that widgets draw on contours.
  It is cheap (see ``benchmarks/``), because sliders recompute it on every move.

A diverging run stops at the first step whose loss is not finite or exceeds
``divergence_threshold × max(initial loss, 1)`` and reports the step and the value. No
NumPy RuntimeWarning is emitted on the way (the loops run under ``np.errstate``).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

import numpy as np

from course_lib._checks import check_int, check_nonnegative
from course_lib.i18n import text
from course_lib.landscapes import Landscape
from course_lib.models._base import Model
from course_lib.optim.clip import clip_grad_norm_, clip_grad_value_

RECORDS = ("epoch", "step")
INTERVALS = ("epoch", "step")


def minibatches(n: int, batch_size: int | None, *, shuffle: bool = True,
                rng: np.random.Generator | int | None = None) -> Iterator[np.ndarray]:
    """Yield index arrays that cover ``range(n)`` once (one epoch), the last batch possibly short.

    Parameters
    ----------
    n : int
        Number of samples.
    batch_size : int or None
        Samples per batch; None (or >= n) gives one full batch, 1 gives stochastic GD.
    shuffle : bool, default=True
        Permute the samples first (with ``rng``), as a new epoch should.
    rng : numpy.random.Generator or int or None
        Random generator or seed used when ``shuffle`` is True.

    Yields
    ------
    ndarray of int
        Indices of one batch.

    Examples
    --------
    >>> [b.tolist() for b in minibatches(5, 2, shuffle=False)]
    [[0, 1], [2, 3], [4]]
    """
    n = check_int("n", n, low=1)
    size = n if batch_size is None else min(check_int("batch_size", batch_size, low=1), n)
    order = np.random.default_rng(rng).permutation(n) if shuffle else np.arange(n)
    for start in range(0, n, size):
        yield order[start:start + size]


@dataclass
class EarlyStopping:
    """Patience-based early stopping (the rule the seed text gets wrong).

    After each epoch the monitored loss (validation loss when validation data is given,
    else the loss on the whole training set) counts as an improvement if it is below
    ``best − min_delta``. After ``patience`` epochs in a row without improvement training
    stops. With ``restore_best`` the weights of the best epoch are written back at the end.

    Parameters
    ----------
    patience : int, default=5
    min_delta : float, default=0.0
    restore_best : bool, default=True
    """

    patience: int = 5
    min_delta: float = 0.0
    restore_best: bool = True

    def __post_init__(self) -> None:
        check_int("patience", self.patience, low=1)
        if not (self.min_delta >= 0 and math.isfinite(self.min_delta)):
            raise ValueError(f"min_delta must be a finite number >= 0, got {self.min_delta!r}")


@dataclass
class History:
    """What :func:`train` saw, one entry per ``record`` unit (epoch or step).

    Attributes
    ----------
    record : {"epoch", "step"}
    steps : list of int
        Updates done at the end of each record (x-axis for step plots).
    epochs : list of int
        Epoch (from 1) of each record.
    train_loss : list of float
        Per step: the mini-batch loss before the update. Per epoch: the sample-weighted mean
        of the epoch's mini-batch losses (as scikit-learn and Keras report it).
    grad_norm : list of float
        Global L2 norm of the gradient before clipping (mean over the epoch's steps).
    lr : list of float
        Learning rate used (per epoch: the one used by the epoch's last step).
    update_ratio : list of float
        ‖θ_after − θ_before‖ / ‖θ_before‖ (mean over the epoch's steps); NaN while θ = 0.
    epoch_loss : list of float
        Loss on the whole training set after each epoch (whatever ``record`` is): the
        clean curve, where ``train_loss`` is the noisy one the steps saw.
    val_loss : list of float
        Validation loss after each epoch (empty without validation data).
    diverged, diverged_at, diverged_value, diverged_reason
        Whether training stopped on divergence, at which step (counting updates from 0),
        and what gave it away: ``diverged_reason`` names the quantity ("loss",
        "loss > threshold", "gradient norm", "update norm", "epoch loss",
        "validation loss") and
        ``diverged_value`` holds its value.
    divergence_limit : float or None
        The loss above which the run counts as diverged,
        ``divergence_threshold × max(first loss, 1)``; None without a threshold.
    stopped_early, best_epoch, best_loss
        Early stopping: whether it fired, the epoch (from 1) whose weights were kept, and
        the monitored loss there.
    """

    record: str = "epoch"
    steps: list[int] = field(default_factory=list)
    epochs: list[int] = field(default_factory=list)
    train_loss: list[float] = field(default_factory=list)
    grad_norm: list[float] = field(default_factory=list)
    lr: list[float] = field(default_factory=list)
    update_ratio: list[float] = field(default_factory=list)
    epoch_loss: list[float] = field(default_factory=list)
    val_loss: list[float] = field(default_factory=list)
    diverged: bool = False
    diverged_at: int | None = None
    diverged_value: float | None = None
    diverged_reason: str | None = None
    divergence_limit: float | None = None
    stopped_early: bool = False
    best_epoch: int | None = None
    best_loss: float | None = None
    n_steps: int = 0
    n_epochs: int = 0

    def summary(self, lang: str | None = None) -> str:
        """One line on how the run ended, in ``lang`` (default: :func:`course_lib.set_language`).

        Examples
        --------
        >>> h = History(diverged=True, diverged_at=5, diverged_value=127001263.8,
        ...             diverged_reason="loss > threshold", divergence_limit=1.2e3, n_epochs=6)
        >>> where, what = h.summary("en").split(": ")
        >>> where
        'diverged at step 5 (counted from 0) in epoch 6'
        >>> what
        'loss = 1.27e+08 exceeded the threshold 1.2e+03'
        >>> h.summary("ko")
        '스텝 5(0부터 셈, 에폭 6)에서 발산: 손실 = 1.27e+08, 임계값 1.2e+03 초과'
        """
        if self.diverged:
            return self._divergence_summary(lang)
        n, k = self.n_epochs, self.n_steps
        last = self.train_loss[-1] if self.train_loss else None
        if self.stopped_early:
            return text(f"{n} 에폭, {k} 스텝 뒤 조기 종료; 최적 에폭 {self.best_epoch}",
                        f"stopped early after {n} epoch(s), {k} step(s); best epoch "
                        f"{self.best_epoch}", lang) + self._final_loss(last, lang)
        return text(f"{n} 에폭, {k} 스텝 완료", f"finished {n} epoch(s), {k} step(s)",
                    lang) + self._final_loss(last, lang)

    @staticmethod
    def _final_loss(last: float | None, lang: str | None) -> str:
        if last is None:
            return ""
        return text(f", 마지막 학습 손실 {last:.6g}", f", final training loss {last:.6g}", lang)

    def _divergence_summary(self, lang: str | None) -> str:
        # Steps count from 0 (diverged_at is the number of updates done), epochs from 1.
        value, n, k = f"{self.diverged_value:.3g}", self.n_epochs, self.diverged_at
        reason = self.diverged_reason
        shown = text(_REASONS_KO.get(reason, reason), reason, lang)
        if reason in ("epoch loss", "validation loss"):  # measured after the epoch
            return text(f"에폭 {n} 끝에서 발산 ({k} 스텝 뒤): {shown} = {value}, 유한하지 않음",
                        f"diverged at the end of epoch {n}, after {k} step(s): "
                        f"{shown} = {value} is not finite", lang)
        where = text(f"스텝 {k}(0부터 셈, 에폭 {n})에서 발산",
                     f"diverged at step {k} (counted from 0) in epoch {n}", lang)
        if reason == "loss > threshold":
            limit = "" if self.divergence_limit is None else f" {self.divergence_limit:.3g}"
            return where + text(f": 손실 = {value}, 임계값{limit} 초과",
                                f": loss = {value} exceeded the threshold{limit}", lang)
        return where + text(f": {shown} = {value}, 유한하지 않음",
                            f": {shown} = {value} is not finite", lang)


#: Korean names of History.diverged_reason values (the values themselves stay English keys).
_REASONS_KO = {"loss": "손실", "loss > threshold": "손실 > 임계값", "gradient norm": "기울기 노름",
               "update norm": "업데이트 노름", "epoch loss": "에폭 손실",
               "validation loss": "검증 손실"}


class _Diverged(Exception):
    def __init__(self, step: int, value: float, reason: str):
        self.step, self.value, self.reason = step, value, reason


def _check_choice(name: str, value, allowed) -> None:
    if value not in allowed:
        raise ValueError(f"{name} must be one of {allowed}, got {value!r}")


def _check_positive_or_none(name: str, value) -> None:
    if value is not None and not (isinstance(value, (int, float)) and value > 0
                                  and math.isfinite(value)):
        raise ValueError(f"{name} must be a finite number > 0 or None, got {value!r}")


def _global_norm(arrays) -> float:
    return math.sqrt(sum(float(np.vdot(a, a)) for a in arrays))


def _make_progress(progress, total: int):
    if progress == "auto":
        progress = total >= 2000
    if not progress:
        return None
    from tqdm.auto import tqdm

    return tqdm(total=total, unit="step", leave=False)


class _Run:
    """The state of one :func:`train` call; one method per stage keeps each one short."""

    def __init__(self, model, optimizer, *, scheduler, interval, clip_norm, clip_value,
                 threshold, record, early):
        self.model, self.opt, self.scheduler, self.interval = model, optimizer, scheduler, interval
        self.clip_norm, self.clip_value, self.threshold = clip_norm, clip_value, threshold
        self.early = early
        self.hist = History(record=record)
        self.limit: float | None = None
        self.best_params: list[np.ndarray] | None = None
        self.wait = 0

    def check_loss(self, loss: float) -> None:
        if self.limit is None:  # the first loss sets the divergence threshold
            self.limit = math.inf if self.threshold is None else self.threshold * max(loss, 1.0)
            self.hist.divergence_limit = None if self.threshold is None else self.limit
        if not math.isfinite(loss):
            raise _Diverged(self.hist.n_steps, loss, "loss")
        if loss > self.limit:
            raise _Diverged(self.hist.n_steps, loss, "loss > threshold")

    def step(self, X, y) -> tuple[float, float, float, float]:
        loss, grads = self.model.loss_and_grads(X, y)
        self.check_loss(loss)
        norm = _global_norm(grads)
        if not math.isfinite(norm):
            raise _Diverged(self.hist.n_steps, norm, "gradient norm")
        if self.clip_norm is not None:
            clip_grad_norm_(grads, self.clip_norm)
        if self.clip_value is not None:
            clip_grad_value_(grads, self.clip_value)
        lr = float(self.opt.param_groups[0]["lr"])
        before = self.model.copy_params()
        self.opt.step(grads)
        delta = _global_norm([p - b for p, b in zip(self.model.params, before, strict=True)])
        if not math.isfinite(delta):  # the step overflowed: keep the last finite weights
            self.model.load_params(before)
            raise _Diverged(self.hist.n_steps, delta, "update norm")
        weight = _global_norm(before)
        ratio = delta / weight if weight > 0 else math.nan
        self.hist.n_steps += 1
        if self.scheduler is not None and self.interval == "step":
            self.scheduler.step()
        return loss, norm, lr, ratio

    def add_record(self, epoch: int, loss, norm, lr, ratio) -> None:
        h = self.hist
        h.steps.append(h.n_steps)
        h.epochs.append(epoch)
        h.train_loss.append(float(loss))
        h.grad_norm.append(float(norm))
        h.lr.append(float(lr))
        h.update_ratio.append(float(ratio))

    def epoch(self, epoch: int, X, y, batches) -> None:
        rows = []  # (batch size, loss, grad norm, lr, ratio) per step
        for idx in batches:
            loss, norm, lr, ratio = self.step(X[idx], y[idx])
            rows.append((len(idx), loss, norm, lr, ratio))
            if self.hist.record == "step":
                self.add_record(epoch, loss, norm, lr, ratio)
        sizes = np.array([r[0] for r in rows], dtype=float)
        mean_loss = float(np.dot(sizes, [r[1] for r in rows]) / sizes.sum())
        if self.hist.record == "epoch":
            with np.errstate(invalid="ignore"):
                ratio = float(np.mean([r[4] for r in rows]))
            self.add_record(epoch, mean_loss, np.mean([r[2] for r in rows]), rows[-1][3], ratio)
        if self.scheduler is not None and self.interval == "epoch":
            self.scheduler.step()

    def end_of_epoch(self, epoch: int, monitored: float) -> bool:
        """Early-stopping bookkeeping; True when training should stop."""
        if self.early is None:
            return False
        if self.hist.best_loss is None or monitored < self.hist.best_loss - self.early.min_delta:
            self.hist.best_loss, self.hist.best_epoch, self.wait = monitored, epoch, 0
            if self.early.restore_best:
                self.best_params = self.model.copy_params()
            return False
        self.wait += 1
        return self.wait >= self.early.patience


def _check_data(model: Model, X, y, name: str):
    X = np.asarray(X, dtype=float)
    y = np.asarray(y)
    if X.ndim != 2 or X.shape[1] != model.n_features:
        raise ValueError(f"{name} must have shape (n_samples, {model.n_features}), "
                         f"got shape {X.shape}")
    if len(y) != len(X):
        raise ValueError(f"X{name[1:]} and y{name[1:]} must have the same number of rows, "
                         f"got {len(X)} and {len(y)}")
    return X, y


def _check_optimizer_owns(optimizer, model: Model) -> None:
    # an optimizer built on copies would "train" without changing the model
    groups = getattr(optimizer, "param_groups", None)
    if groups is None:
        raise ValueError(f"optimizer must be a course_lib.optim optimizer, got {optimizer!r}")
    owned = {id(p) for g in groups for p in g["params"]}
    if not all(id(p) in owned for p in model.params):
        raise ValueError("optimizer must be built on model.params (the same arrays), e.g. "
                         "SGD(model.params, lr=0.1)")


def train(model: Model, X, y, optimizer, *, epochs: int, batch_size: int | None = None,
          shuffle: bool = True, seed: int | None = 0, scheduler=None,
          scheduler_interval: str = "epoch", clip_norm: float | None = None,
          clip_value: float | None = None, X_val=None, y_val=None,
          early_stopping: EarlyStopping | int | None = None, record: str = "epoch",
          divergence_threshold: float | None = 1e6, progress: bool | str = False) -> History:
    """Train ``model`` in place with ``optimizer`` on (X, y); return the :class:`History`.

    Parameters
    ----------
    model : course_lib.models.Model
        Anything with ``params``, ``loss(X, y)`` and ``loss_and_grads(X, y)``.
    X, y : array-like
        Training data, ``(n_samples, n_features)`` and ``(n_samples,)`` (or 2-D targets).
    optimizer : course_lib.optim.Optimizer
        Built on ``model.params``; ``optimizer.step(grads)`` updates them in place.
    epochs : int
        Passes over the data (>= 1).
    batch_size : int or None, default=None
        None: full-batch gradient descent; 1: stochastic; k: mini-batches of k (the last
        batch of an epoch may be shorter).
    shuffle : bool, default=True
        Reshuffle the samples every epoch.
    seed : int or None, default=0
        Seed of the shuffling: same seed, same run.
    scheduler : course_lib.optim.lr_scheduler scheduler, optional
        ``scheduler.step()`` is called after every epoch or every step.
    scheduler_interval : {"epoch", "step"}, default="epoch"
    clip_norm, clip_value : float, optional
        Gradient clipping by global norm (``clip_grad_norm_``) or by value, before the step.
    X_val, y_val : array-like, optional
        Validation data, evaluated after every epoch.
    early_stopping : EarlyStopping or int, optional
        Patience-based early stopping (an int is the patience); monitors the validation
        loss when given, else the whole-training-set loss. Restores the best weights.
    record : {"epoch", "step"}, default="epoch"
        History granularity.
    divergence_threshold : float or None, default=1e6
        Stop when the loss exceeds this × max(first loss, 1); None: only non-finite stops.
    progress : bool or "auto", default=False
        tqdm progress bar; "auto" shows one for runs of 2000 steps or more.

    Returns
    -------
    History

    Examples
    --------
    >>> import numpy as np
    >>> from course_lib.models import LinearRegression
    >>> from course_lib.optim import SGD
    >>> X = np.linspace(0, 1, 20)[:, None]; y = 3 * X[:, 0] + 2
    >>> model = LinearRegression(1)
    >>> hist = train(model, X, y, SGD(model.params, lr=0.5), epochs=500)
    >>> np.round([model.w[0], model.b], 3).tolist(), hist.diverged
    ([3.0, 2.0], False)
    """
    X, y = _check_data(model, X, y, "X")
    epochs = check_int("epochs", epochs, low=1)
    _check_choice("record", record, RECORDS)
    _check_choice("scheduler_interval", scheduler_interval, INTERVALS)
    for name, value in [("clip_norm", clip_norm), ("clip_value", clip_value),
                        ("divergence_threshold", divergence_threshold)]:
        _check_positive_or_none(name, value)
    if (X_val is None) != (y_val is None):
        raise ValueError("X_val and y_val must be given together")
    if X_val is not None:
        X_val, y_val = _check_data(model, X_val, y_val, "X_val")
    if isinstance(early_stopping, (int, np.integer)) and not isinstance(early_stopping, bool):
        early_stopping = EarlyStopping(patience=int(early_stopping))
    elif early_stopping is not None and not isinstance(early_stopping, EarlyStopping):
        raise ValueError(f"early_stopping must be None, an int patience or an EarlyStopping, "
                         f"got {early_stopping!r}")
    minibatches(len(X), batch_size)  # validates batch_size now, not mid-run
    _check_optimizer_owns(optimizer, model)
    run = _Run(model, optimizer, scheduler=scheduler, interval=scheduler_interval,
               clip_norm=clip_norm, clip_value=clip_value, threshold=divergence_threshold,
               record=record, early=early_stopping)
    rng = np.random.default_rng(seed)
    n_batches = math.ceil(len(X) / min(batch_size or len(X), len(X)))
    bar = _make_progress(progress, epochs * n_batches)
    try:
        with np.errstate(all="ignore"):  # divergence is detected and reported instead
            _loop(run, X, y, X_val, y_val, epochs, batch_size, shuffle, rng, bar)
    finally:
        if bar is not None:
            bar.close()
    if run.best_params is not None:
        model.load_params(run.best_params)
    return run.hist


def _loop(run: _Run, X, y, X_val, y_val, epochs, batch_size, shuffle, rng, bar) -> None:
    hist = run.hist
    for epoch in range(1, epochs + 1):
        try:
            batches = minibatches(len(X), batch_size, shuffle=shuffle, rng=rng)
            run.epoch(epoch, X, y, _counted(batches, bar))
            monitored = float(run.model.loss(X, y))
            hist.epoch_loss.append(monitored)
            if not math.isfinite(monitored):
                raise _Diverged(hist.n_steps, monitored, "epoch loss")
            if X_val is not None:
                monitored = float(run.model.loss(X_val, y_val))
                hist.val_loss.append(monitored)
                if not math.isfinite(monitored):
                    raise _Diverged(hist.n_steps, monitored, "validation loss")
        except _Diverged as d:
            hist.diverged, hist.diverged_at, hist.diverged_value = True, d.step, float(d.value)
            hist.diverged_reason = d.reason
            hist.n_epochs = epoch
            return
        hist.n_epochs = epoch
        if run.end_of_epoch(epoch, monitored):
            hist.stopped_early = True
            return


def _counted(batches, bar):
    for idx in batches:
        yield idx
        if bar is not None:
            bar.update(1)


# --------------------------------------------------------------------------- landscapes


@dataclass
class Trajectory:
    """Points visited by :func:`gradient_descent` and the loss at each.

    Attributes
    ----------
    path : ndarray of shape (n_points, d)
        x₀, x₁, …: the start and the point after every step; after a divergence, the
        points before the offending one.
    losses : ndarray of shape (n_points,) or None
        f at every point (None when no value function was given).
    diverged : bool
    diverged_at : int or None
        The step (from 1) whose point left the finite / allowed region.
    diverged_value : float or None
        The loss (or the norm of x without a value function) that triggered the stop.
    """

    path: np.ndarray
    losses: np.ndarray | None
    diverged: bool = False
    diverged_at: int | None = None
    diverged_value: float | None = None

    @property
    def final(self) -> np.ndarray:
        return self.path[-1]


def gradient_descent(fn, x0=None, lr: float = 0.1, steps: int = 100, *,
                     optimizer: Callable | None = None, optimizer_kwargs: dict | None = None,
                     scheduler: Callable | None = None, value_fn: Callable | None = None,
                     grad_noise: float = 0.0, seed: int | None = 0,
                     divergence_threshold: float = 1e6) -> Trajectory:
    """Run gradient descent (or any course_lib optimizer) on a function; return the path.

    Parameters
    ----------
    fn : Landscape or callable
        A :class:`course_lib.landscapes.Landscape` (gives gradient, values and start), or
        a gradient function ``grad(x) -> array like x``.
    x0 : array-like of shape (d,), optional
        Start; defaults to the landscape's ``start``.
    lr : float, default=0.1
    steps : int, default=100
    optimizer : callable, optional
        An optimizer class (or factory) called as ``optimizer([x], lr=lr, **optimizer_kwargs)``,
        e.g. ``course_lib.optim.Adam``. None: plain x ← x − lr·∇f(x).
    optimizer_kwargs : dict, optional
    scheduler : callable, optional
        Called with the optimizer to build a scheduler stepped after every step, e.g.
        ``lambda opt: StepLR(opt, step_size=20)``. Needs ``optimizer``.
    value_fn : callable, optional
        f(points) for the losses, vectorised over ``(..., d)``; taken from a landscape.
    grad_noise : float, default=0.0
        Standard deviation of Gaussian noise added to every gradient (mimics SGD).
    seed : int or None, default=0
        Seed of that noise.
    divergence_threshold : float, default=1e6
        Stop when f(x) > threshold × max(|f(x₀)|, 1) (or, without f, when
        ‖x‖ > threshold × max(‖x₀‖, 1)) or anything becomes non-finite.

    Returns
    -------
    Trajectory

    Examples
    --------
    >>> from course_lib.landscapes import parabola
    >>> t = gradient_descent(parabola(1.0), lr=2.5, steps=50)   # lr > 2/L = 2
    >>> t.diverged, t.diverged_at   # f_k = 4.5 · 2.25^k passes 1e6 · f_0 at k = 18
    (True, 18)
    >>> len(t.path)                 # x_0 … x_17: the points before the divergence
    18
    """
    grad_fn, value_fn, x0 = _resolve_target(fn, x0, value_fn)
    lr = check_nonnegative("lr", lr)
    steps = check_int("steps", steps, low=0)
    if grad_noise < 0 or not math.isfinite(grad_noise):
        raise ValueError(f"grad_noise must be a finite number >= 0, got {grad_noise!r}")
    if scheduler is not None and optimizer is None:
        raise ValueError("scheduler needs an optimizer (e.g. optimizer=SGD)")
    with np.errstate(all="ignore"):
        path, stop = _descend(grad_fn, value_fn, x0, lr, steps, optimizer, optimizer_kwargs,
                              scheduler, grad_noise, seed, divergence_threshold)
        losses = None if value_fn is None else np.asarray(value_fn(path), dtype=float)
    traj = Trajectory(path=path, losses=losses)
    if stop is not None:
        traj.diverged, traj.diverged_at, traj.diverged_value = True, stop[0], stop[1]
    return traj


def _resolve_target(fn, x0, value_fn):
    if isinstance(fn, Landscape):
        x0 = fn.start if x0 is None else fn._points(x0)  # validate the shape once, then
        value_fn = fn._value if value_fn is None else value_fn  # skip the per-call checks
        grad_fn = fn._grad
    elif callable(fn):
        grad_fn = fn
        if x0 is None:
            raise ValueError("x0 is required when fn is a gradient function")
    else:
        raise ValueError(f"fn must be a Landscape or a gradient function, got {fn!r}")
    x0 = np.array(x0, dtype=float).reshape(-1)
    if not np.all(np.isfinite(x0)):
        raise ValueError(f"x0 must be finite, got {x0}")
    return grad_fn, value_fn, x0


def _descend(grad_fn, value_fn, x0, lr, steps, optimizer, optimizer_kwargs, scheduler,
             grad_noise, seed, threshold):
    """The loop itself: nothing but the update and a cheap divergence test per step."""
    x = x0.copy()
    path = np.empty((steps + 1, x.size))
    path[0] = x
    if value_fn is not None:
        f0 = float(value_fn(x0))
        limit, check = threshold * max(abs(f0), 1.0), value_fn
    else:
        limit, check = threshold * max(float(np.linalg.norm(x0)), 1.0), np.linalg.norm
    opt = None if optimizer is None else optimizer([x], lr=lr, **(optimizer_kwargs or {}))
    sched = None if scheduler is None else scheduler(opt)
    noise = (np.random.default_rng(seed).standard_normal((steps, x.size)) * grad_noise
             if grad_noise > 0 else None)
    for k in range(1, steps + 1):
        g = grad_fn(x)
        if noise is not None:
            g = g + noise[k - 1]
        if opt is None:
            x -= lr * g
        elif math.isfinite(float(g.sum())):
            opt.step([g])
        else:
            x[...] = np.nan  # the optimizer refuses non-finite gradients; flag it here
        value = float(check(x))
        if not value <= limit:  # also true for NaN
            return path[:k], (k, value)
        path[k] = x
        if sched is not None:
            sched.step()
    return path, None

