"""Gradient clipping in place, as ``torch.nn.utils.clip_grad_norm_`` / ``clip_grad_value_``.

``clip_grad_norm_`` treats all gradients as one long vector: the total norm is the
norm of the per-array norms.  It then multiplies every gradient by
``min(1, max_norm / (total_norm + 1e-6))``, always (a factor 1.0 when under the limit),
so a clipped gradient's norm is a hair *below* ``max_norm``, as in PyTorch.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np


def _as_grad_list(grads: np.ndarray | Sequence[np.ndarray | None]) -> list[np.ndarray]:
    if isinstance(grads, np.ndarray):
        grads = [grads]
    out = []
    for i, g in enumerate(grads):
        if g is None:
            continue
        if not isinstance(g, np.ndarray) or not np.issubdtype(g.dtype, np.floating):
            kind = g.dtype if isinstance(g, np.ndarray) else type(g).__name__
            raise TypeError(f"grads[{i}] must be a float ndarray (clipping works in place), "
                            f"got {kind}")
        out.append(g)
    return out


def _vector_norm(x: np.ndarray, p: float) -> float:
    flat = x.reshape(-1)
    if flat.size == 0:
        return 0.0
    if p == 2.0:
        return float(np.sqrt(np.dot(flat, flat)))
    if math.isinf(p):
        return float(np.max(np.abs(flat)))
    if p == 1.0:
        return float(np.sum(np.abs(flat)))
    return float(np.sum(np.abs(flat) ** p) ** (1.0 / p))


def total_grad_norm(grads: np.ndarray | Sequence[np.ndarray | None],
                    norm_type: float = 2.0) -> float:
    """The ``norm_type``-norm of all gradients seen as one vector (0.0 for an empty list).

    Parameters
    ----------
    grads : ndarray or list of ndarray
        Gradients (``None`` entries are skipped).
    norm_type : float, default=2.0
        p > 0, or ``float("inf")`` for the largest absolute value.

    Returns
    -------
    float
        The norm; NaN or inf if a gradient is.

    Examples
    --------
    >>> import numpy as np
    >>> total_grad_norm([np.array([3.0]), np.array([4.0])])
    5.0
    """
    p = float(norm_type)
    if not (p > 0):
        raise ValueError(f"norm_type must be > 0 or inf, got {norm_type}")
    norms = np.array([_vector_norm(g, p) for g in _as_grad_list(grads)], dtype=np.float64)
    return _vector_norm(norms, p) if norms.size else 0.0


def clip_grad_norm_(grads: np.ndarray | Sequence[np.ndarray | None], max_norm: float,
                    norm_type: float = 2.0, error_if_nonfinite: bool = False) -> float:
    """Scale ``grads`` in place so that their total norm is at most ``max_norm``.

    Parameters
    ----------
    grads : ndarray or list of ndarray
        Gradients, modified in place (``None`` entries are skipped).
    max_norm : float
        The largest total norm allowed, >= 0.
    norm_type : float, default=2.0
        p > 0 of the p-norm, or ``float("inf")``.
    error_if_nonfinite : bool, default=False
        Raise if the total norm is NaN or inf (else the gradients become NaN, as in torch).

    Returns
    -------
    float
        The total norm *before* clipping (what a training log should show).

    Examples
    --------
    >>> import numpy as np
    >>> g = [np.array([3.0, 4.0])]
    >>> clip_grad_norm_(g, max_norm=1.0)
    5.0
    >>> g[0]           # scaled by 1 / (5 + 1e-6)
    array([0.59999988, 0.79999984])
    """
    if isinstance(max_norm, bool) or not isinstance(max_norm, (int, float, np.number)) \
            or not max_norm >= 0:
        raise ValueError(f"max_norm must be a number >= 0, got {max_norm!r}")
    grads = _as_grad_list(grads)
    total = total_grad_norm(grads, norm_type)
    if not grads:
        return total
    if error_if_nonfinite and not math.isfinite(total):
        raise FloatingPointError(
            f"The total norm of order {float(norm_type)} of the gradients is non-finite "
            f"({total}), so it cannot be clipped; set error_if_nonfinite=False to scale "
            "by it anyway")
    clip_coef = float(max_norm) / (total + 1e-6)
    clip_coef_clamped = float(np.minimum(clip_coef, 1.0))   # np.minimum keeps a NaN as torch does
    for g in grads:
        g *= clip_coef_clamped
    return total


def clip_grad_value_(grads: np.ndarray | Sequence[np.ndarray | None], clip_value: float) -> None:
    """Clamp every gradient entry to ``[-clip_value, clip_value]``, in place.

    Parameters
    ----------
    grads : ndarray or list of ndarray
        Gradients, modified in place.
    clip_value : float
        >= 0.  NaN entries stay NaN.

    Examples
    --------
    >>> import numpy as np
    >>> g = np.array([-3.0, 0.5, 2.0])
    >>> clip_grad_value_(g, 1.0)
    >>> g
    array([-1. ,  0.5,  1. ])
    """
    if isinstance(clip_value, bool) or not isinstance(clip_value, (int, float, np.number)) \
            or not clip_value >= 0:
        raise ValueError(f"clip_value must be a number >= 0, got {clip_value!r}")
    c = float(clip_value)
    for g in _as_grad_list(grads):
        np.clip(g, -c, c, out=g)
