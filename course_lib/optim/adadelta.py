r"""Adadelta, as ``torch.optim.Adadelta`` computes it.

Algorithm (PyTorch's documentation)::

    input: lr γ, params θ_0, objective f, ρ, λ (weight decay), ε, maximize
    v_0 = 0 (square average), u_0 = 0 (accumulated update)
    for t = 1, 2, ...
        g_t = ∇f(θ_{t-1})                       (−∇f if maximize)
        if λ ≠ 0:  g_t = g_t + λ θ_{t-1}
        v_t = ρ v_{t-1} + (1 − ρ) g_t²
        Δx_t = sqrt(u_{t-1} + ε) / sqrt(v_t + ε) · g_t
        u_t = ρ u_{t-1} + (1 − ρ) Δx_t²
        θ_t = θ_{t-1} − γ Δx_t

Zeiler's paper has no learning rate (γ = 1, PyTorch's default); ε sits *inside* both
square roots here, unlike Adam's and AdaGrad's.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import numpy as np

from course_lib.optim._ops import add_scaled_, effective_grad, ema_sq_, scratch
from course_lib.optim.optimizer import Optimizer, check_hyper, chunked


def adadelta_update(param: np.ndarray, grad: np.ndarray, square_avg: np.ndarray,
                    acc_delta: np.ndarray, *, lr: float = 1.0, rho: float = 0.9,
                    eps: float = 1e-6, weight_decay: float = 0.0, maximize: bool = False,
                    tmp: np.ndarray | None = None, tmp2: np.ndarray | None = None,
                    tmp3: np.ndarray | None = None) -> None:
    """One Adadelta step on ``param``, ``square_avg`` and ``acc_delta``, in place.

    Parameters
    ----------
    param, grad : ndarray
        The parameter (updated in place) and its gradient (not modified).
    square_avg, acc_delta : ndarray
        v and u of the algorithm (zeros at start), updated in place.
    lr, rho, eps, weight_decay, maximize
        As in :class:`Adadelta`.
    tmp, tmp2, tmp3 : ndarray, optional
        Scratch arrays shaped like ``param``.

    Examples
    --------
    >>> import numpy as np
    >>> w, v, u = np.array([1.0]), np.zeros(1), np.zeros(1)
    >>> adadelta_update(w, np.array([1.0]), v, u, rho=0.0, eps=1.0)
    >>> w       # v = 1;  Δx = sqrt(0 + 1) / sqrt(1 + 1) * 1
    array([0.29289322])
    """
    tmp, tmp2, tmp3 = scratch(tmp, param), scratch(tmp2, param), scratch(tmp3, param)
    g = effective_grad(grad, param, weight_decay=weight_decay, maximize=maximize, out=tmp)
    ema_sq_(square_avg, g, rho, tmp2)                     # v ← ρ v + (1 − ρ) g²
    std = np.sqrt(np.add(square_avg, eps, out=tmp2), out=tmp2)      # sqrt(v + ε)
    delta = np.sqrt(np.add(acc_delta, eps, out=tmp3), out=tmp3)     # sqrt(u + ε)
    delta /= std                                          # Δx = sqrt(u + ε)/sqrt(v + ε) · g
    delta *= g
    ema_sq_(acc_delta, delta, rho, tmp2)                  # u ← ρ u + (1 − ρ) Δx²
    add_scaled_(param, delta, -lr, delta)                 # θ ← θ − γ Δx


def _check_adadelta(lr: float, rho: float, eps: float, weight_decay: float) -> None:
    check_hyper("lr", lr, label="learning rate")
    check_hyper("rho", rho, label="rho value", high=1.0)
    check_hyper("eps", eps, label="epsilon value")
    check_hyper("weight_decay", weight_decay, label="weight_decay value")


class Adadelta(Optimizer):
    """Adadelta (Zeiler, 2012), as ``torch.optim.Adadelta``.

    Parameters
    ----------
    params : list of ndarray or list of dict
        Arrays to optimize in place, or parameter groups.
    lr : float, default=1.0
        Scales Δx, >= 0 (the paper has none, i.e. 1).
    rho : float, default=0.9
        Decay of both running averages, in [0, 1].
    eps : float, default=1e-6
        Inside both square roots, >= 0.
    weight_decay : float, default=0
        L2 penalty λ, >= 0.
    maximize : bool, default=False
        Maximize the objective.
    nonfinite : {"raise", "skip", "ignore"}, default="raise"
        What to do with a NaN/inf gradient.

    Examples
    --------
    >>> import numpy as np
    >>> w = np.array([1.0])
    >>> opt = Adadelta([w], rho=0.0, eps=1.0)
    >>> opt.step([np.array([1.0])])
    >>> w
    array([0.29289322])
    """

    _n_scratch = 3

    def __init__(self, params: Iterable[Any], lr: float = 1.0, rho: float = 0.9,
                 eps: float = 1e-6, weight_decay: float = 0, *, maximize: bool = False,
                 nonfinite: str = "raise") -> None:
        _check_adadelta(lr, rho, eps, weight_decay)
        defaults = {"lr": lr, "rho": rho, "eps": eps, "weight_decay": weight_decay,
                    "maximize": maximize}
        super().__init__(params, defaults, nonfinite=nonfinite)

    def _check_group(self, group: dict[str, Any]) -> None:
        _check_adadelta(group["lr"], group["rho"], group["eps"], group["weight_decay"])

    def _init_state(self, group: dict[str, Any], p: np.ndarray) -> dict[str, Any]:
        return {"step": 0.0, "square_avg": np.zeros_like(p), "acc_delta": np.zeros_like(p)}

    def _update(self, group, p, g, state, bufs) -> None:
        state["step"] += 1
        chunked(adadelta_update, (p, g, state["square_avg"], state["acc_delta"]), bufs,
                lr=group["lr"], rho=group["rho"], eps=group["eps"],
                weight_decay=group["weight_decay"], maximize=group["maximize"])
