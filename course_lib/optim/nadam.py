r"""NAdam (Adam with Nesterov momentum), as ``torch.optim.NAdam`` computes it.

Algorithm (PyTorch's documentation)::

    input: lr γ, betas (β1, β2), params θ_0, objective f, weight decay λ, ε,
           momentum decay ψ, decoupled_weight_decay, maximize
    m_0 = 0, v_0 = 0, μ-product_0 = 1
    for t = 1, 2, ...
        g_t = ∇f(θ_{t-1})                       (−∇f if maximize)
        if λ ≠ 0:
            if decoupled:  θ_{t-1} = θ_{t-1} (1 − γ λ)
            else:          g_t = g_t + λ θ_{t-1}
        μ_t     = β1 (1 − ½ · 0.96^(t ψ))           (Dozat's momentum schedule)
        μ_{t+1} = β1 (1 − ½ · 0.96^((t+1) ψ))
        Π_t = Π_{t-1} μ_t
        m_t = β1 m_{t-1} + (1 − β1) g_t
        v_t = β2 v_{t-1} + (1 − β2) g_t²
        d   = sqrt(v_t / (1 − β2^t)) + ε
        θ_t = θ_{t-1} − γ (1 − μ_t)/(1 − Π_t) · g_t / d − γ μ_{t+1}/(1 − Π_t μ_{t+1}) · m_t / d

PyTorch keeps Π (``mu_product``) in a tensor of the default dtype, float32 unless
``torch.set_default_dtype(torch.float64)``; here it is a Python float (float64), so the
numbers equal PyTorch's float64 run.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import numpy as np

from course_lib.optim._ops import addcdiv_, effective_grad, ema_sq_, lerp_, scratch
from course_lib.optim.optimizer import Optimizer, check_betas, check_hyper, chunked


def nadam_update(param: np.ndarray, grad: np.ndarray, exp_avg: np.ndarray,
                 exp_avg_sq: np.ndarray, *, step: int | float, mu_product: float,
                 lr: float = 2e-3, beta1: float = 0.9, beta2: float = 0.999, eps: float = 1e-8,
                 weight_decay: float = 0.0, momentum_decay: float = 4e-3,
                 decoupled_weight_decay: bool = False, maximize: bool = False,
                 tmp: np.ndarray | None = None, tmp2: np.ndarray | None = None) -> float:
    """One NAdam step on ``param`` and the moments, in place; returns the new ``mu_product``.

    Parameters
    ----------
    param, grad : ndarray
        The parameter (updated in place) and its gradient (not modified).
    exp_avg, exp_avg_sq : ndarray
        m and v (zeros at start).
    step : int
        t, counting from 1.
    mu_product : float
        Π_{t-1}, the product of the previous μ's (1.0 before the first step).
    lr, beta1, beta2, eps, weight_decay, momentum_decay, decoupled_weight_decay, maximize
        As in :class:`NAdam`.
    tmp, tmp2 : ndarray, optional
        Scratch arrays shaped like ``param``.

    Returns
    -------
    float
        Π_t, to pass to the next call.

    Examples
    --------
    >>> import numpy as np
    >>> w, m, v = np.array([1.0]), np.zeros(1), np.zeros(1)
    >>> prod = nadam_update(w, np.array([1.0]), m, v, step=1, mu_product=1.0, lr=0.1)
    >>> round(prod, 6)      # μ_1 = 0.9 (1 - 0.5 * 0.96**0.004)
    0.450073
    """
    tmp, tmp2 = scratch(tmp, param), scratch(tmp2, param)
    bias_correction2 = 1 - beta2**step
    if weight_decay != 0 and decoupled_weight_decay:
        param *= 1 - lr * weight_decay
        weight_decay = 0.0
    g = effective_grad(grad, param, weight_decay=weight_decay, maximize=maximize, out=tmp)
    mu = beta1 * (1.0 - 0.5 * (0.96 ** (step * momentum_decay)))
    mu_next = beta1 * (1.0 - 0.5 * (0.96 ** ((step + 1) * momentum_decay)))
    mu_product *= mu                                      # Π_t = Π_{t-1} μ_t
    lerp_(exp_avg, g, 1 - beta1, tmp2)                    # m ← β1 m + (1 − β1) g
    ema_sq_(exp_avg_sq, g, beta2, tmp2)                   # v ← β2 v + (1 − β2) g²
    denom = np.divide(exp_avg_sq, bias_correction2, out=tmp2)   # d = sqrt(v / (1 − β2^t)) + ε
    np.sqrt(denom, out=denom)
    denom += eps
    mu_product_next = mu_product * mu_next
    addcdiv_(param, g, denom, -lr * (1.0 - mu) / (1.0 - mu_product), tmp)
    addcdiv_(param, exp_avg, denom, (-lr * mu_next) / (1.0 - mu_product_next), tmp)
    return mu_product


def _check_nadam(lr: float, betas: Any, eps: float, weight_decay: float,
                 momentum_decay: float) -> None:
    check_hyper("lr", lr, label="learning rate")
    check_hyper("eps", eps, label="epsilon value")
    check_betas(betas)
    check_hyper("weight_decay", weight_decay, label="weight_decay value")
    check_hyper("momentum_decay", momentum_decay, label="momentum_decay value")


class NAdam(Optimizer):
    """NAdam (Dozat, 2016), as ``torch.optim.NAdam``.

    Parameters
    ----------
    params : list of ndarray or list of dict
        Arrays to optimize in place, or parameter groups.
    lr : float, default=2e-3
        Learning rate γ, >= 0.
    betas : (float, float), default=(0.9, 0.999)
        Each in [0, 1).
    eps : float, default=1e-8
        Added after the square root, >= 0.
    weight_decay : float, default=0
        λ, >= 0.
    momentum_decay : float, default=4e-3
        ψ of the momentum schedule, >= 0.
    decoupled_weight_decay : bool, default=False
        Decay the weights as AdamW does (NAdamW).
    maximize : bool, default=False
        Maximize the objective.
    nonfinite : {"raise", "skip", "ignore"}, default="raise"
        What to do with a NaN/inf gradient.
    """

    def __init__(self, params: Iterable[Any], lr: float = 2e-3,
                 betas: tuple[float, float] = (0.9, 0.999), eps: float = 1e-8,
                 weight_decay: float = 0, momentum_decay: float = 4e-3,
                 decoupled_weight_decay: bool = False, *, maximize: bool = False,
                 nonfinite: str = "raise") -> None:
        _check_nadam(lr, betas, eps, weight_decay, momentum_decay)
        defaults = {"lr": lr, "betas": tuple(betas), "eps": eps, "weight_decay": weight_decay,
                    "momentum_decay": momentum_decay,
                    "decoupled_weight_decay": decoupled_weight_decay, "maximize": maximize}
        super().__init__(params, defaults, nonfinite=nonfinite)

    def _check_group(self, group: dict[str, Any]) -> None:
        _check_nadam(group["lr"], group["betas"], group["eps"], group["weight_decay"],
                     group["momentum_decay"])

    def _init_state(self, group: dict[str, Any], p: np.ndarray) -> dict[str, Any]:
        return {"step": 0.0, "mu_product": 1.0, "exp_avg": np.zeros_like(p),
                "exp_avg_sq": np.zeros_like(p)}

    def _update(self, group, p, g, state, bufs) -> None:
        state["step"] += 1
        beta1, beta2 = group["betas"]
        # every slice computes the same new mu_product from the same scalars
        state["mu_product"] = chunked(
            nadam_update, (p, g, state["exp_avg"], state["exp_avg_sq"]), bufs,
            step=state["step"], mu_product=state["mu_product"], lr=group["lr"], beta1=beta1,
            beta2=beta2, eps=group["eps"], weight_decay=group["weight_decay"],
            momentum_decay=group["momentum_decay"],
            decoupled_weight_decay=group["decoupled_weight_decay"], maximize=group["maximize"])
