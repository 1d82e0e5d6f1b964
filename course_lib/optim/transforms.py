"""Optimizers as chains of small gradient transformations (the optax view), for teaching.

Each transformation is a pair of pure functions: ``init(params) -> state`` and
``update(updates, state, params) -> (new_updates, new_state)``; nothing is modified in place
(clarity over speed: use the classes for real runs).  Chaining makes the difference
between Adam with L2 and AdamW a matter of *order*::

    adam_l2 = chain(add_decayed_weights(λ), scale_by_adam(), scale_by_learning_rate(lr))
    adamw   = chain(scale_by_adam(), add_decayed_weights(λ), scale_by_learning_rate(lr))

In the first, λθ enters Adam's normalisation and is divided by sqrt(v); in the second it
bypasses it.  Both equal PyTorch's ``Adam(weight_decay=λ)`` / ``AdamW`` up to rounding.

>>> import numpy as np
>>> opt = adamw(0.1, weight_decay=0.5)
>>> w = [np.array([2.0])]
>>> state = opt.init(w)
>>> updates, state = opt.update([np.array([0.0])], state, w)
>>> w = apply_updates(w, updates)
>>> w                                   # zero gradient: only the decay, 2*(1 - 0.1*0.5)
[array([1.9])]
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, NamedTuple

import numpy as np

Arrays = list[np.ndarray]


class GradientTransformation(NamedTuple):
    """``init(params) -> state`` and ``update(updates, state, params) -> (updates, state)``."""

    init: Callable[[Arrays], Any]
    update: Callable[[Arrays, Any, Arrays | None], tuple[Arrays, Any]]


def _stateless(fn: Callable[[Arrays, Arrays | None], Arrays]) -> GradientTransformation:
    return GradientTransformation(lambda params: (), lambda u, s, p=None: (fn(u, p), s))


def scale(factor: float) -> GradientTransformation:
    """Multiply every update by ``factor``."""
    return _stateless(lambda updates, params: [factor * u for u in updates])


def scale_by_learning_rate(learning_rate: float) -> GradientTransformation:
    """Multiply by ``-learning_rate`` (descent)."""
    if not learning_rate >= 0:
        raise ValueError(f"learning_rate must be >= 0, got {learning_rate}")
    return scale(-learning_rate)


def add_decayed_weights(weight_decay: float) -> GradientTransformation:
    """Add ``weight_decay * param`` to each update (needs ``params``)."""
    if not weight_decay >= 0:
        raise ValueError(f"weight_decay must be >= 0, got {weight_decay}")

    def fn(updates: Arrays, params: Arrays | None) -> Arrays:
        if params is None:
            raise ValueError("add_decayed_weights needs params in update(updates, state, params)")
        return [u + weight_decay * p for u, p in zip(updates, params, strict=True)]
    return _stateless(fn)


def clip_by_global_norm(max_norm: float) -> GradientTransformation:
    """Scale all updates by ``max_norm / norm`` when their global 2-norm exceeds ``max_norm``.

    Unlike ``torch.nn.utils.clip_grad_norm_`` there is no ``+ 1e-6`` and nothing happens
    under the limit (optax's rule).
    """
    def fn(updates: Arrays, params: Arrays | None) -> Arrays:
        norm = float(np.sqrt(sum(float(np.sum(u * u)) for u in updates)))
        return updates if norm <= max_norm else [u * (max_norm / norm) for u in updates]
    return _stateless(fn)


class AdamState(NamedTuple):
    count: int
    mu: Arrays
    nu: Arrays


def scale_by_adam(b1: float = 0.9, b2: float = 0.999, eps: float = 1e-8) -> GradientTransformation:
    """Adam's direction ``m̂ / (sqrt(v̂) + eps)`` (no learning rate, no sign)."""
    for name, b in (("b1", b1), ("b2", b2)):
        if not 0 <= b < 1:
            raise ValueError(f"{name} must be in [0, 1), got {b}")

    def init(params: Arrays) -> AdamState:
        return AdamState(0, [np.zeros_like(p) for p in params], [np.zeros_like(p) for p in params])

    def update(updates: Arrays, state: AdamState, params: Arrays | None = None):
        t = state.count + 1
        mu = [b1 * m + (1 - b1) * g for m, g in zip(state.mu, updates, strict=True)]
        nu = [b2 * v + (1 - b2) * g * g for v, g in zip(state.nu, updates, strict=True)]
        out = [(m / (1 - b1**t)) / (np.sqrt(v / (1 - b2**t)) + eps)
               for m, v in zip(mu, nu, strict=True)]
        return out, AdamState(t, mu, nu)
    return GradientTransformation(init, update)


def chain(*transforms: GradientTransformation) -> GradientTransformation:
    """Apply ``transforms`` one after the other (their states form a tuple)."""
    def init(params: Arrays) -> tuple:
        return tuple(t.init(params) for t in transforms)

    def update(updates: Arrays, state: tuple, params: Arrays | None = None):
        new_state = []
        for t, s in zip(transforms, state, strict=True):
            updates, s = t.update(updates, s, params)
            new_state.append(s)
        return updates, tuple(new_state)
    return GradientTransformation(init, update)


def apply_updates(params: Arrays, updates: Arrays) -> Arrays:
    """New parameters ``p + u`` (not in place)."""
    return [p + u for p, u in zip(params, updates, strict=True)]


def adam_l2(learning_rate: float, weight_decay: float = 0.0, b1: float = 0.9,
            b2: float = 0.999, eps: float = 1e-8) -> GradientTransformation:
    """Adam with L2: the decay joins the gradient *before* Adam (``torch.optim.Adam``)."""
    return chain(add_decayed_weights(weight_decay), scale_by_adam(b1, b2, eps),
                 scale_by_learning_rate(learning_rate))


def adamw(learning_rate: float, weight_decay: float = 1e-2, b1: float = 0.9, b2: float = 0.999,
          eps: float = 1e-8) -> GradientTransformation:
    """AdamW: the decay is added *after* Adam's normalisation (``torch.optim.AdamW``)."""
    return chain(scale_by_adam(b1, b2, eps), add_decayed_weights(weight_decay),
                 scale_by_learning_rate(learning_rate))
