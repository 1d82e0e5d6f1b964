r"""RMSprop, as ``torch.optim.RMSprop`` computes it.

Algorithm (PyTorch's documentation)::

    input: lr γ, alpha α, ε, weight decay λ, momentum μ, centered, maximize
    v_0 = 0 (square average), b_0 = 0 (buffer), g^ave_0 = 0
    for t = 1, 2, ...
        g_t = ∇f(θ_{t-1})                       (−∇f if maximize)
        if λ ≠ 0:  g_t = g_t + λ θ_{t-1}
        v_t = α v_{t-1} + (1 − α) g_t²
        ṽ_t = v_t
        if centered:
            g^ave_t = α g^ave_{t-1} + (1 − α) g_t
            ṽ_t = ṽ_t − (g^ave_t)²
        if μ > 0:
            b_t = μ b_{t-1} + g_t / (sqrt(ṽ_t) + ε)     (the buffer starts at ZERO, unlike SGD's)
            θ_t = θ_{t-1} − γ b_t
        else:
            θ_t = θ_{t-1} − γ g_t / (sqrt(ṽ_t) + ε)
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import numpy as np

from course_lib.optim._ops import add_scaled_, addcdiv_, effective_grad, ema_sq_, lerp_, scratch
from course_lib.optim.optimizer import Optimizer, check_hyper, chunked


def rmsprop_update(param: np.ndarray, grad: np.ndarray, square_avg: np.ndarray, *,
                   lr: float = 1e-2, alpha: float = 0.99, eps: float = 1e-8,
                   weight_decay: float = 0.0, momentum: float = 0.0, centered: bool = False,
                   momentum_buffer: np.ndarray | None = None,
                   grad_avg: np.ndarray | None = None, maximize: bool = False,
                   tmp: np.ndarray | None = None, tmp2: np.ndarray | None = None) -> None:
    """One RMSprop step on ``param`` and its running averages, in place.

    Parameters
    ----------
    param, grad : ndarray
        The parameter (updated in place) and its gradient (not modified).
    square_avg : ndarray
        v, the running average of g² (zeros at start).
    lr, alpha, eps, weight_decay, momentum, centered, maximize
        As in :class:`RMSprop`.
    momentum_buffer : ndarray, optional
        b (zeros at start); required when ``momentum > 0``.
    grad_avg : ndarray, optional
        Running average of g (zeros at start); required when ``centered``.
    tmp, tmp2 : ndarray, optional
        Scratch arrays shaped like ``param``.

    Examples
    --------
    >>> import numpy as np
    >>> w, v = np.array([1.0]), np.zeros(1)
    >>> rmsprop_update(w, np.array([2.0]), v, lr=0.01, alpha=0.75, eps=0.0)
    >>> w, v       # v = 0.25 * 4 = 1;  w = 1 - 0.01 * 2 / 1
    (array([0.98]), array([1.]))
    """
    tmp, tmp2 = scratch(tmp, param), scratch(tmp2, param)
    g = effective_grad(grad, param, weight_decay=weight_decay, maximize=maximize, out=tmp)
    ema_sq_(square_avg, g, alpha, tmp2)                   # v ← α v + (1 − α) g²
    if centered:
        if grad_avg is None:
            raise ValueError("centered=True needs grad_avg (an array of zeros at start)")
        lerp_(grad_avg, g, 1 - alpha, tmp2)               # g_ave ← α g_ave + (1 − α) g
        np.multiply(grad_avg, grad_avg, out=tmp2)         # sqrt(v − g_ave²) + ε
        np.subtract(square_avg, tmp2, out=tmp2)
        avg = np.sqrt(tmp2, out=tmp2)
    else:
        avg = np.sqrt(square_avg, out=tmp2)               # sqrt(v) + ε
    avg += eps
    if momentum > 0:
        if momentum_buffer is None:
            raise ValueError("momentum > 0 needs momentum_buffer (an array of zeros at start)")
        momentum_buffer *= momentum                       # b ← μ b + g / avg
        np.divide(g, avg, out=tmp2)
        momentum_buffer += tmp2
        add_scaled_(param, momentum_buffer, -lr, tmp2)    # θ ← θ − γ b
    else:
        addcdiv_(param, g, avg, -lr, tmp2)                # θ ← θ − γ g / avg


def _check_rmsprop(lr: float, alpha: float, eps: float, weight_decay: float,
                   momentum: float) -> None:
    check_hyper("lr", lr, label="learning rate")
    check_hyper("eps", eps, label="epsilon value")
    check_hyper("momentum", momentum, label="momentum value")
    check_hyper("weight_decay", weight_decay, label="weight_decay value")
    check_hyper("alpha", alpha, label="alpha value")


class RMSprop(Optimizer):
    """RMSprop (Hinton's lecture 6e), as ``torch.optim.RMSprop``.

    Parameters
    ----------
    params : list of ndarray or list of dict
        Arrays to optimize in place, or parameter groups.
    lr : float, default=1e-2
        Learning rate γ, >= 0.
    alpha : float, default=0.99
        Smoothing constant α of the square average, >= 0.
    eps : float, default=1e-8
        Added after the square root, >= 0.
    weight_decay : float, default=0
        L2 penalty λ, >= 0.
    momentum : float, default=0
        μ, >= 0.
    centered : bool, default=False
        Divide by an estimate of the gradient's variance instead of its second moment.
    maximize : bool, default=False
        Maximize the objective.
    nonfinite : {"raise", "skip", "ignore"}, default="raise"
        What to do with a NaN/inf gradient.

    Examples
    --------
    >>> import numpy as np
    >>> w = np.array([1.0])
    >>> opt = RMSprop([w], lr=0.01, alpha=0.75, eps=0.0)
    >>> opt.step([np.array([2.0])])
    >>> w
    array([0.98])
    """

    def __init__(self, params: Iterable[Any], lr: float = 1e-2, alpha: float = 0.99,
                 eps: float = 1e-8, weight_decay: float = 0, momentum: float = 0,
                 centered: bool = False, *, maximize: bool = False,
                 nonfinite: str = "raise") -> None:
        _check_rmsprop(lr, alpha, eps, weight_decay, momentum)
        defaults = {"lr": lr, "alpha": alpha, "eps": eps, "weight_decay": weight_decay,
                    "momentum": momentum, "centered": centered, "maximize": maximize}
        super().__init__(params, defaults, nonfinite=nonfinite)

    def _check_group(self, group: dict[str, Any]) -> None:
        _check_rmsprop(group["lr"], group["alpha"], group["eps"], group["weight_decay"],
                       group["momentum"])

    def _init_state(self, group: dict[str, Any], p: np.ndarray) -> dict[str, Any]:
        state = {"step": 0.0, "square_avg": np.zeros_like(p)}
        if group["momentum"] > 0:
            state["momentum_buffer"] = np.zeros_like(p)
        if group["centered"]:
            state["grad_avg"] = np.zeros_like(p)
        return state

    def _update(self, group, p, g, state, bufs) -> None:
        state["step"] += 1
        arrays = {"momentum_buffer": state.get("momentum_buffer"),
                  "grad_avg": state.get("grad_avg"), **bufs}
        chunked(rmsprop_update, (p, g, state["square_avg"]), arrays, lr=group["lr"],
                alpha=group["alpha"], eps=group["eps"], weight_decay=group["weight_decay"],
                momentum=group["momentum"], centered=group["centered"],
                maximize=group["maximize"])
