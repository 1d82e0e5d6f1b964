r"""Stochastic gradient descent with momentum, as ``torch.optim.SGD`` computes it.

Algorithm (PyTorch's documentation)::

    input: lr γ, params θ_0, objective f, weight decay λ, momentum μ, dampening τ,
           nesterov, maximize
    for t = 1, 2, ...
        g_t = ∇f(θ_{t-1})                      (−∇f if maximize)
        if λ ≠ 0:  g_t = g_t + λ θ_{t-1}
        if μ ≠ 0:
            if t > 1:  b_t = μ b_{t-1} + (1 − τ) g_t
            else:      b_t = g_t                (the buffer starts AT the first gradient)
            if nesterov:  g_t = g_t + μ b_t
            else:         g_t = b_t
        θ_t = θ_{t-1} − γ g_t

The seed texts (and CS231n) write momentum as a *velocity* instead::

    v_t = μ v_{t-1} − γ g_t ;   θ_t = θ_{t-1} + v_t          (v_0 = 0)

which is :func:`sgd_velocity_update` / :class:`VelocitySGD`.  With a constant γ the two
give the same θ (v_t = −γ b_t); once γ changes (a scheduler) they differ, because the
velocity form keeps the old γ inside v while PyTorch's buffer holds raw gradients and the
new γ scales all of it.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import numpy as np

from course_lib.optim._ops import add_scaled_, axpy_, effective_grad, scratch
from course_lib.optim.optimizer import Optimizer, check_hyper, chunked


def sgd_update(param: np.ndarray, grad: np.ndarray, momentum_buffer: np.ndarray | None, *,
               lr: float, momentum: float = 0.0, dampening: float = 0.0,
               weight_decay: float = 0.0, nesterov: bool = False, maximize: bool = False,
               tmp: np.ndarray | None = None, tmp2: np.ndarray | None = None
               ) -> np.ndarray | None:
    """One SGD step on ``param`` in place; returns the momentum buffer (None without momentum).

    Parameters
    ----------
    param, grad : ndarray
        The parameter (updated in place) and its gradient (not modified).
    momentum_buffer : ndarray or None
        ``b`` from the previous step, updated in place; None on the first step.
    lr, momentum, dampening, weight_decay, nesterov, maximize
        As in :class:`SGD`.
    tmp, tmp2 : ndarray, optional
        Scratch arrays shaped like ``param``; pass them to make the step allocation-free.

    Returns
    -------
    ndarray or None
        The momentum buffer to pass to the next call.

    Examples
    --------
    >>> import numpy as np
    >>> w = np.array([1.0]); b = None
    >>> for g in (np.array([1.0]), np.array([1.0])):
    ...     b = sgd_update(w, g, b, lr=0.1, momentum=0.9)
    >>> w   # 1 - 0.1*1 - 0.1*(0.9*1 + 1)
    array([0.71])
    """
    tmp, tmp2 = scratch(tmp, param), scratch(tmp2, param)
    g = effective_grad(grad, param, weight_decay=weight_decay, maximize=maximize, out=tmp)
    if momentum != 0:
        if momentum_buffer is None:
            momentum_buffer = g.copy()                    # b_1 = g_1: no dampening at t = 1
        else:
            momentum_buffer *= momentum                   # b = μ b + (1 − τ) g
            if dampening == 0:
                momentum_buffer += g
            else:
                add_scaled_(momentum_buffer, g, 1.0 - dampening, tmp2)
        if nesterov:                                      # g = g + μ b
            if g is not tmp:                              # never write into the caller's grad
                np.copyto(tmp, g)
            g = axpy_(tmp, momentum_buffer, momentum, tmp2)
        else:
            g = momentum_buffer
    add_scaled_(param, g, -lr, tmp2)                      # θ = θ − γ g
    return momentum_buffer


def sgd_velocity_update(param: np.ndarray, grad: np.ndarray, velocity: np.ndarray, *, lr: float,
                        momentum: float, tmp: np.ndarray | None = None) -> np.ndarray:
    """The seeds' momentum form: ``v = μ v − γ g; θ = θ + v`` (in place; ``v`` starts at 0).

    Equal to :func:`sgd_update` (with ``v = −γ b``) while ``lr`` is constant, different
    after ``lr`` changes.

    Examples
    --------
    >>> import numpy as np
    >>> w, v = np.array([1.0]), np.zeros(1)
    >>> for g in (np.array([1.0]), np.array([1.0])):
    ...     v = sgd_velocity_update(w, g, v, lr=0.1, momentum=0.9)
    >>> w
    array([0.71])
    """
    tmp = scratch(tmp, param)
    velocity *= momentum
    add_scaled_(velocity, grad, -lr, tmp)
    param += velocity
    return velocity


def _check_sgd(lr: float, momentum: float, dampening: float, weight_decay: float,
               nesterov: bool) -> None:
    check_hyper("lr", lr, label="learning rate")
    check_hyper("momentum", momentum, label="momentum value")
    check_hyper("dampening", dampening, label="dampening value", low=-float("inf"))
    check_hyper("weight_decay", weight_decay, label="weight_decay value")
    if nesterov and (momentum <= 0 or dampening != 0):
        raise ValueError("Nesterov momentum requires a momentum and zero dampening "
                         f"(got momentum={momentum}, dampening={dampening})")


class SGD(Optimizer):
    """Stochastic gradient descent (optionally with momentum), as ``torch.optim.SGD``.

    Parameters
    ----------
    params : list of ndarray or list of dict
        Arrays to optimize in place, or parameter groups.
    lr : float, default=1e-3
        Learning rate γ, >= 0.
    momentum : float, default=0
        Momentum factor μ, >= 0.
    dampening : float, default=0
        Dampening τ for momentum.
    weight_decay : float, default=0
        L2 penalty λ (added to the gradient), >= 0.
    nesterov : bool, default=False
        Nesterov momentum (needs momentum > 0 and dampening = 0).
    maximize : bool, default=False
        Maximize the objective instead of minimizing it.
    nonfinite : {"raise", "skip", "ignore"}, default="raise"
        What to do with a NaN/inf gradient (see :class:`Optimizer`).

    Examples
    --------
    >>> import numpy as np
    >>> w = np.array([1.0, -2.0])
    >>> opt = SGD([w], lr=0.1)
    >>> opt.step([2 * w])          # gradient of ||w||^2
    >>> w
    array([ 0.8, -1.6])
    """

    def __init__(self, params: Iterable[Any], lr: float = 1e-3, momentum: float = 0,
                 dampening: float = 0, weight_decay: float = 0, nesterov: bool = False, *,
                 maximize: bool = False, nonfinite: str = "raise") -> None:
        _check_sgd(lr, momentum, dampening, weight_decay, nesterov)
        defaults = {"lr": lr, "momentum": momentum, "dampening": dampening,
                    "weight_decay": weight_decay, "nesterov": nesterov, "maximize": maximize}
        super().__init__(params, defaults, nonfinite=nonfinite)

    def _check_group(self, group: dict[str, Any]) -> None:
        _check_sgd(group["lr"], group["momentum"], group["dampening"], group["weight_decay"],
                   group["nesterov"])

    def _init_state(self, group: dict[str, Any], p: np.ndarray) -> dict[str, Any]:
        return {"momentum_buffer": None}

    def _update(self, group, p, g, state, bufs) -> None:
        hyper = {k: group[k] for k in ("lr", "momentum", "dampening", "weight_decay",
                                       "nesterov", "maximize")}
        buf = state["momentum_buffer"]
        if buf is None:          # first step (or no momentum): sgd_update creates the buffer
            state["momentum_buffer"] = sgd_update(p, g, None, **hyper, **bufs)
        else:
            chunked(sgd_update, (p, g, buf), bufs, **hyper)


class VelocitySGD(Optimizer):
    """Momentum in the seeds' velocity form, ``v = μ v − γ g; θ = θ + v`` (for comparison).

    Same θ as ``SGD(momentum=μ)`` while ``lr`` stays constant; different once it changes
    (see the module docstring).  Prefer :class:`SGD`, which is what PyTorch computes.

    Parameters
    ----------
    params : list of ndarray or list of dict
        Arrays to optimize in place, or parameter groups.
    lr : float, default=1e-3
        Learning rate γ, >= 0.
    momentum : float, default=0.9
        μ, >= 0.
    nonfinite : {"raise", "skip", "ignore"}, default="raise"
        What to do with a NaN/inf gradient.
    """

    def __init__(self, params: Iterable[Any], lr: float = 1e-3, momentum: float = 0.9, *,
                 nonfinite: str = "raise") -> None:
        check_hyper("lr", lr, label="learning rate")
        check_hyper("momentum", momentum, label="momentum value")
        super().__init__(params, {"lr": lr, "momentum": momentum}, nonfinite=nonfinite)

    def _init_state(self, group: dict[str, Any], p: np.ndarray) -> dict[str, Any]:
        return {"velocity": np.zeros_like(p)}

    def _update(self, group, p, g, state, bufs) -> None:
        chunked(sgd_velocity_update, (p, g, state["velocity"]), {"tmp": bufs["tmp"]},
                lr=group["lr"], momentum=group["momentum"])
