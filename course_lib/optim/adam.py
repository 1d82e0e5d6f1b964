r"""Adam and AdamW, as ``torch.optim.Adam`` / ``torch.optim.AdamW`` compute them.

Algorithm (PyTorch's documentation)::

    input: lr γ, betas (β1, β2), params θ_0, objective f, weight decay λ, ε,
           amsgrad, maximize, decoupled (AdamW)
    m_0 = 0, v_0 = 0, v̂max_0 = 0
    for t = 1, 2, ...
        g_t = ∇f(θ_{t-1})                       (−∇f if maximize)
        if λ ≠ 0:
            if decoupled:  θ_{t-1} = θ_{t-1} (1 − γ λ)    (AdamW: the current γ, before the step)
            else:          g_t = g_t + λ θ_{t-1}           (Adam: L2 added to the gradient)
        m_t = β1 m_{t-1} + (1 − β1) g_t
        v_t = β2 v_{t-1} + (1 − β2) g_t²
        if amsgrad:  v̂max_t = max(v̂max_{t-1}, v_t)         (max of the RAW second moment)
                     v_use = v̂max_t
        else:        v_use = v_t
        θ_t = θ_{t-1} − γ/(1 − β1^t) · m_t / (sqrt(v_use)/sqrt(1 − β2^t) + ε)

ε sits *outside* the square root and is not bias-corrected (scikit-learn's Adam puts it
elsewhere: ``lr·sqrt(1−β2^t)/(1−β1^t) · m/(sqrt(v)+ε)``, so the numbers differ).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import numpy as np

from course_lib.optim._ops import addcdiv_, effective_grad, ema_sq_, lerp_, scratch
from course_lib.optim.optimizer import Optimizer, check_betas, check_hyper, chunked


def adam_update(param: np.ndarray, grad: np.ndarray, exp_avg: np.ndarray,
                exp_avg_sq: np.ndarray, *, step: int | float, lr: float, beta1: float = 0.9,
                beta2: float = 0.999, eps: float = 1e-8, weight_decay: float = 0.0,
                decoupled_weight_decay: bool = False, amsgrad: bool = False,
                max_exp_avg_sq: np.ndarray | None = None, maximize: bool = False,
                tmp: np.ndarray | None = None, tmp2: np.ndarray | None = None) -> None:
    """One Adam (or AdamW) step on ``param``, ``exp_avg`` and ``exp_avg_sq`` in place.

    Parameters
    ----------
    param, grad : ndarray
        The parameter (updated in place) and its gradient (not modified).
    exp_avg, exp_avg_sq : ndarray
        First and second moments m, v (start at zeros), updated in place.
    step : int
        t, counting from 1 for the first step (used by bias correction).
    lr, beta1, beta2, eps, weight_decay, amsgrad, maximize
        As in :class:`Adam`.
    decoupled_weight_decay : bool, default=False
        True gives AdamW: ``θ ← θ(1 − lr·λ)`` instead of adding ``λθ`` to the gradient.
    max_exp_avg_sq : ndarray, optional
        Running maximum of v (zeros at start), required when ``amsgrad``.
    tmp, tmp2 : ndarray, optional
        Scratch arrays shaped like ``param`` (pass them to avoid allocating).

    Examples
    --------
    >>> import numpy as np
    >>> w, m, v = np.array([1.0]), np.zeros(1), np.zeros(1)
    >>> adam_update(w, np.array([0.5]), m, v, step=1, lr=0.1)
    >>> w   # first step moves by about lr, whatever the gradient's scale
    array([0.9])
    """
    tmp, tmp2 = scratch(tmp, param), scratch(tmp2, param)
    if weight_decay != 0 and decoupled_weight_decay:
        param *= 1 - lr * weight_decay                    # AdamW: θ ← θ(1 − γλ)
        weight_decay = 0.0
    g = effective_grad(grad, param, weight_decay=weight_decay, maximize=maximize, out=tmp)
    lerp_(exp_avg, g, 1 - beta1, tmp2)                    # m ← β1 m + (1 − β1) g
    ema_sq_(exp_avg_sq, g, beta2, tmp2)                   # v ← β2 v + (1 − β2) g²
    bias_correction1 = 1 - beta1**step
    bias_correction2 = 1 - beta2**step
    step_size = lr / bias_correction1
    second = exp_avg_sq
    if amsgrad:
        if max_exp_avg_sq is None:
            raise ValueError("amsgrad=True needs max_exp_avg_sq (an array of zeros at start)")
        second = np.maximum(max_exp_avg_sq, exp_avg_sq, out=max_exp_avg_sq)
    denom = np.sqrt(second, out=tmp)                      # sqrt(v)/sqrt(1 − β2^t) + ε
    denom /= bias_correction2**0.5
    denom += eps
    addcdiv_(param, exp_avg, denom, -step_size, tmp)      # θ ← θ − γ/(1 − β1^t) · m / denom


def _check_adam(lr: float, betas: Any, eps: float, weight_decay: float) -> None:
    check_hyper("lr", lr, label="learning rate")
    check_hyper("eps", eps, label="epsilon value")
    check_betas(betas)
    check_hyper("weight_decay", weight_decay, label="weight_decay value")


class Adam(Optimizer):
    """Adam (Kingma & Ba, 2015), as ``torch.optim.Adam``.

    Parameters
    ----------
    params : list of ndarray or list of dict
        Arrays to optimize in place, or parameter groups.
    lr : float, default=1e-3
        Learning rate γ, >= 0.
    betas : (float, float), default=(0.9, 0.999)
        Decay rates of the first and second moments, each in [0, 1).
    eps : float, default=1e-8
        Added to the denominator after the square root, >= 0.
    weight_decay : float, default=0
        λ, >= 0: L2 penalty added to the gradient (AdamW: decoupled decay).
    amsgrad : bool, default=False
        Use the running maximum of the second moment (AMSGrad).
    maximize : bool, default=False
        Maximize the objective.
    decoupled_weight_decay : bool, default=False
        True makes this AdamW.
    nonfinite : {"raise", "skip", "ignore"}, default="raise"
        What to do with a NaN/inf gradient.

    Examples
    --------
    >>> import numpy as np
    >>> w = np.array([1.0, -1.0])
    >>> opt = Adam([w], lr=0.1)
    >>> opt.step([np.array([3.0, -0.01])])
    >>> np.round(w, 6)     # both coordinates move by ~lr: Adam normalises the scale
    array([ 0.9, -0.9])
    """

    def __init__(self, params: Iterable[Any], lr: float = 1e-3,
                 betas: tuple[float, float] = (0.9, 0.999), eps: float = 1e-8,
                 weight_decay: float = 0, amsgrad: bool = False, *, maximize: bool = False,
                 decoupled_weight_decay: bool = False, nonfinite: str = "raise") -> None:
        _check_adam(lr, betas, eps, weight_decay)
        defaults = {"lr": lr, "betas": tuple(betas), "eps": eps, "weight_decay": weight_decay,
                    "amsgrad": amsgrad, "maximize": maximize,
                    "decoupled_weight_decay": decoupled_weight_decay}
        super().__init__(params, defaults, nonfinite=nonfinite)

    def _check_group(self, group: dict[str, Any]) -> None:
        _check_adam(group["lr"], group["betas"], group["eps"], group["weight_decay"])

    def _init_state(self, group: dict[str, Any], p: np.ndarray) -> dict[str, Any]:
        state = {"step": 0.0, "exp_avg": np.zeros_like(p), "exp_avg_sq": np.zeros_like(p)}
        if group["amsgrad"]:
            state["max_exp_avg_sq"] = np.zeros_like(p)
        return state

    def _update(self, group, p, g, state, bufs) -> None:
        state["step"] += 1
        if group["amsgrad"] and "max_exp_avg_sq" not in state:
            state["max_exp_avg_sq"] = np.zeros_like(p)   # amsgrad switched on mid-run
        beta1, beta2 = group["betas"]
        chunked(adam_update, (p, g, state["exp_avg"], state["exp_avg_sq"]),
                {"max_exp_avg_sq": state.get("max_exp_avg_sq"), **bufs}, step=state["step"],
                lr=group["lr"], beta1=beta1, beta2=beta2, eps=group["eps"],
                weight_decay=group["weight_decay"],
                decoupled_weight_decay=group["decoupled_weight_decay"],
                amsgrad=group["amsgrad"], maximize=group["maximize"])


class AdamW(Adam):
    """AdamW (Loshchilov & Hutter, 2019): Adam with decoupled weight decay, as torch's AdamW.

    Each step first shrinks the weights, ``θ ← θ(1 − lr·λ)`` with the *current* (scheduled)
    lr, then takes the Adam step without λ in the gradient.  Parameters are those of
    :class:`Adam`, except ``weight_decay`` defaults to ``0.01``.

    Examples
    --------
    >>> import numpy as np
    >>> w = np.array([2.0])
    >>> opt = AdamW([w], lr=0.1, weight_decay=0.5)
    >>> opt.step([np.array([0.0])])     # zero gradient: only the decay acts
    >>> w                                # 2 * (1 - 0.1 * 0.5)
    array([1.9])
    """

    def __init__(self, params: Iterable[Any], lr: float = 1e-3,
                 betas: tuple[float, float] = (0.9, 0.999), eps: float = 1e-8,
                 weight_decay: float = 1e-2, amsgrad: bool = False, *, maximize: bool = False,
                 nonfinite: str = "raise") -> None:
        super().__init__(params, lr=lr, betas=betas, eps=eps, weight_decay=weight_decay,
                         amsgrad=amsgrad, maximize=maximize, decoupled_weight_decay=True,
                         nonfinite=nonfinite)
