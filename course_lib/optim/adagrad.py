r"""AdaGrad, as ``torch.optim.Adagrad`` computes it.

Algorithm (PyTorch's documentation)::

    input: lr γ, params θ_0, objective f, weight decay λ, initial accumulator value τ,
           lr decay η, ε, maximize
    state_sum_0 = τ
    for t = 1, 2, ...
        g_t = ∇f(θ_{t-1})                       (−∇f if maximize)
        γ̃ = γ / (1 + (t − 1) η)
        if λ ≠ 0:  g_t = g_t + λ θ_{t-1}
        state_sum_t = state_sum_{t-1} + g_t²
        θ_t = θ_{t-1} − γ̃ g_t / (sqrt(state_sum_t) + ε)

ε is added *after* the square root, ``sqrt(G) + ε``.  Writing ``sqrt(G + ε)`` (as one of
the seed texts does) is a different method with different numbers.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import numpy as np

from course_lib.optim._ops import addcdiv_, effective_grad, scratch
from course_lib.optim.optimizer import Optimizer, check_hyper, chunked


def adagrad_update(param: np.ndarray, grad: np.ndarray, state_sum: np.ndarray, *,
                   step: int | float, lr: float = 1e-2, lr_decay: float = 0.0,
                   weight_decay: float = 0.0, eps: float = 1e-10, maximize: bool = False,
                   tmp: np.ndarray | None = None, tmp2: np.ndarray | None = None) -> None:
    """One AdaGrad step on ``param`` and the sum of squared gradients ``state_sum``, in place.

    Parameters
    ----------
    param, grad : ndarray
        The parameter (updated in place) and its gradient (not modified).
    state_sum : ndarray
        G, the running sum of squared gradients (starts at ``initial_accumulator_value``).
    step : int
        t, counting from 1.
    lr, lr_decay, weight_decay, eps, maximize
        As in :class:`Adagrad`.
    tmp, tmp2 : ndarray, optional
        Scratch arrays shaped like ``param``.

    Examples
    --------
    >>> import numpy as np
    >>> w, G = np.array([1.0]), np.zeros(1)
    >>> adagrad_update(w, np.array([4.0]), G, step=1, lr=0.5)
    >>> w, G      # 1 - 0.5 * 4 / sqrt(16)
    (array([0.5]), array([16.]))
    """
    tmp, tmp2 = scratch(tmp, param), scratch(tmp2, param)
    g = effective_grad(grad, param, weight_decay=weight_decay, maximize=maximize, out=tmp)
    clr = lr / (1 + (step - 1) * lr_decay)                # γ̃ = γ / (1 + (t − 1) η)
    np.multiply(g, g, out=tmp2)                           # G ← G + g²
    state_sum += tmp2
    std = np.sqrt(state_sum, out=tmp2)                    # sqrt(G) + ε
    std += eps
    addcdiv_(param, g, std, -clr, tmp2)                   # θ ← θ − γ̃ g / (sqrt(G) + ε)


def _check_adagrad(lr: float, lr_decay: float, weight_decay: float,
                   initial_accumulator_value: float, eps: float) -> None:
    check_hyper("lr", lr, label="learning rate")
    check_hyper("lr_decay", lr_decay, label="lr_decay value")
    check_hyper("weight_decay", weight_decay, label="weight_decay value")
    check_hyper("initial_accumulator_value", initial_accumulator_value,
                label="initial_accumulator_value value")
    check_hyper("eps", eps, label="epsilon value")


class Adagrad(Optimizer):
    """AdaGrad (Duchi et al., 2011), as ``torch.optim.Adagrad``.

    Parameters
    ----------
    params : list of ndarray or list of dict
        Arrays to optimize in place, or parameter groups.
    lr : float, default=1e-2
        Learning rate γ, >= 0.
    lr_decay : float, default=0
        η in ``γ / (1 + (t − 1) η)``, >= 0.
    weight_decay : float, default=0
        L2 penalty λ, >= 0.
    initial_accumulator_value : float, default=0
        Starting value of the sum of squared gradients, >= 0.
    eps : float, default=1e-10
        Added after the square root, >= 0.
    maximize : bool, default=False
        Maximize the objective.
    nonfinite : {"raise", "skip", "ignore"}, default="raise"
        What to do with a NaN/inf gradient.

    Examples
    --------
    >>> import numpy as np
    >>> w = np.array([1.0, 1.0])
    >>> opt = Adagrad([w], lr=0.1)
    >>> opt.step([np.array([10.0, 0.1])])
    >>> np.round(w, 6)     # the first step has size lr in every coordinate
    array([0.9, 0.9])
    """

    def __init__(self, params: Iterable[Any], lr: float = 1e-2, lr_decay: float = 0,
                 weight_decay: float = 0, initial_accumulator_value: float = 0,
                 eps: float = 1e-10, *, maximize: bool = False,
                 nonfinite: str = "raise") -> None:
        _check_adagrad(lr, lr_decay, weight_decay, initial_accumulator_value, eps)
        defaults = {"lr": lr, "lr_decay": lr_decay, "weight_decay": weight_decay,
                    "initial_accumulator_value": initial_accumulator_value, "eps": eps,
                    "maximize": maximize}
        super().__init__(params, defaults, nonfinite=nonfinite)
        # PyTorch creates the state at construction (the sum starts at τ, not at 0).
        k = 0
        for group in self.param_groups:
            for p in group["params"]:
                self.state[k] = self._init_state(group, p)
                k += 1

    def _check_group(self, group: dict[str, Any]) -> None:
        _check_adagrad(group["lr"], group["lr_decay"], group["weight_decay"],
                       group["initial_accumulator_value"], group["eps"])

    def _init_state(self, group: dict[str, Any], p: np.ndarray) -> dict[str, Any]:
        return {"step": 0.0, "sum": np.full_like(p, group["initial_accumulator_value"])}

    def _update(self, group, p, g, state, bufs) -> None:
        state["step"] += 1
        chunked(adagrad_update, (p, g, state["sum"]), bufs, step=state["step"], lr=group["lr"],
                lr_decay=group["lr_decay"], weight_decay=group["weight_decay"],
                eps=group["eps"], maximize=group["maximize"])
