r"""LAMB: layer-wise adaptive moments for large batches (You et al., ICLR 2020).

PyTorch has no LAMB.  This is Algorithm 2 of the paper with bias correction on, the
scaling function φ the identity (no clipping of the trust ratio), and the ratio computed
per parameter array ("layer")::

    input: lr γ, betas (β1, β2), ε, weight decay λ
    m_0 = 0, v_0 = 0
    for t = 1, 2, ...
        g_t = ∇f(θ_{t-1})
        m_t = β1 m_{t-1} + (1 − β1) g_t
        v_t = β2 v_{t-1} + (1 − β2) g_t²
        r_t = (m_t / (1 − β1^t)) / (sqrt(v_t / (1 − β2^t)) + ε)       (the Adam direction)
        u_t = r_t + λ θ_{t-1}                                         (decoupled decay)
        trust = ||θ_{t-1}|| / ||u_t||,  or 1 if either norm is 0
        θ_t = θ_{t-1} − γ · trust · u_t

The ``0 → 1`` rule for the trust ratio is the one in timm's ``Lamb`` and TensorFlow
Addons; implementations differ in clipping the ratio (NVIDIA apex) and in skipping it for
parameters without weight decay (timm's default) — neither is done here.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import numpy as np

from course_lib.optim._ops import add_scaled_, ema_sq_, lerp_, scratch
from course_lib.optim.optimizer import Optimizer, check_betas, check_hyper


def _norm(x: np.ndarray) -> float:
    flat = x.reshape(-1)
    return float(np.sqrt(np.dot(flat, flat)))


def lamb_update(param: np.ndarray, grad: np.ndarray, exp_avg: np.ndarray,
                exp_avg_sq: np.ndarray, *, step: int | float, lr: float = 1e-3,
                beta1: float = 0.9, beta2: float = 0.999, eps: float = 1e-6,
                weight_decay: float = 0.0, tmp: np.ndarray | None = None,
                tmp2: np.ndarray | None = None) -> float:
    """One LAMB step on ``param`` and the moments, in place; returns the trust ratio used.

    Parameters
    ----------
    param, grad : ndarray
        The parameter (updated in place) and its gradient (not modified).
    exp_avg, exp_avg_sq : ndarray
        m and v (zeros at start).
    step : int
        t, counting from 1.
    lr, beta1, beta2, eps, weight_decay
        As in :class:`LAMB`.
    tmp, tmp2 : ndarray, optional
        Scratch arrays shaped like ``param``.

    Returns
    -------
    float
        ``||θ|| / ||u||`` (1.0 when either norm is zero).

    Examples
    --------
    >>> import numpy as np
    >>> w, m, v = np.array([3.0, 4.0]), np.zeros(2), np.zeros(2)
    >>> round(lamb_update(w, np.array([1.0, -1.0]), m, v, step=1, lr=0.1, eps=0.0), 6)
    3.535534
    >>> w      # u = (1, -1), ||w|| = 5, trust = 5/sqrt(2): each moves by 0.1 * 5/sqrt(2)
    array([2.64644661, 4.35355339])
    """
    tmp, tmp2 = scratch(tmp, param), scratch(tmp2, param)
    lerp_(exp_avg, grad, 1 - beta1, tmp)                  # m ← β1 m + (1 − β1) g
    ema_sq_(exp_avg_sq, grad, beta2, tmp)                 # v ← β2 v + (1 − β2) g²
    update = np.divide(exp_avg_sq, 1 - beta2**step, out=tmp)     # sqrt(v̂) + ε
    np.sqrt(update, out=update)
    update += eps
    np.divide(exp_avg, update, out=update)                # r = m̂ / (sqrt(v̂) + ε)
    update /= 1 - beta1**step
    if weight_decay != 0:
        add_scaled_(update, param, weight_decay, tmp2)    # u = r + λ θ
    w_norm, u_norm = _norm(param), _norm(update)
    trust = w_norm / u_norm if w_norm > 0 and u_norm > 0 else 1.0
    add_scaled_(param, update, -lr * trust, update)       # θ ← θ − γ · trust · u
    return trust


def _check_lamb(lr: float, betas: Any, eps: float, weight_decay: float) -> None:
    check_hyper("lr", lr, label="learning rate")
    check_hyper("eps", eps, label="epsilon value")
    check_betas(betas)
    check_hyper("weight_decay", weight_decay, label="weight_decay value")


class LAMB(Optimizer):
    """LAMB (You et al., 2020): Adam's direction rescaled per parameter array by a trust ratio.

    See the module docstring for the exact variant.

    Parameters
    ----------
    params : list of ndarray or list of dict
        Arrays to optimize in place, or parameter groups.
    lr : float, default=1e-3
        Learning rate γ, >= 0.
    betas : (float, float), default=(0.9, 0.999)
        Each in [0, 1).
    eps : float, default=1e-6
        Added after the square root, >= 0 (the paper's code uses 1e-6).
    weight_decay : float, default=0
        Decoupled decay λ added to the Adam direction, >= 0.
    nonfinite : {"raise", "skip", "ignore"}, default="raise"
        What to do with a NaN/inf gradient.

    Attributes
    ----------
    state[k]["trust_ratio"] : float
        The ratio used in the last step, handy for plots.
    """

    def __init__(self, params: Iterable[Any], lr: float = 1e-3,
                 betas: tuple[float, float] = (0.9, 0.999), eps: float = 1e-6,
                 weight_decay: float = 0, *, nonfinite: str = "raise") -> None:
        _check_lamb(lr, betas, eps, weight_decay)
        defaults = {"lr": lr, "betas": tuple(betas), "eps": eps, "weight_decay": weight_decay}
        super().__init__(params, defaults, nonfinite=nonfinite)

    def _check_group(self, group: dict[str, Any]) -> None:
        _check_lamb(group["lr"], group["betas"], group["eps"], group["weight_decay"])

    def _init_state(self, group: dict[str, Any], p: np.ndarray) -> dict[str, Any]:
        return {"step": 0.0, "exp_avg": np.zeros_like(p), "exp_avg_sq": np.zeros_like(p),
                "trust_ratio": 1.0}

    def _update(self, group, p, g, state, bufs) -> None:
        state["step"] += 1
        beta1, beta2 = group["betas"]
        state["trust_ratio"] = lamb_update(
            p, g, state["exp_avg"], state["exp_avg_sq"], step=state["step"], lr=group["lr"],
            beta1=beta1, beta2=beta2, eps=group["eps"], weight_decay=group["weight_decay"],
            tmp=bufs["tmp"], tmp2=bufs["tmp2"])
