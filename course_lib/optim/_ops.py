"""Small in-place building blocks shared by the update rules (no array is allocated).

Each mirrors one PyTorch tensor call so that the update rules read like ``torch.optim``'s
``_single_tensor_*`` functions; ``out`` is always a scratch array of the parameter's shape.
"""

from __future__ import annotations

import numpy as np
from scipy.linalg.blas import daxpy, saxpy

_AXPY = {np.dtype(np.float64): daxpy, np.dtype(np.float32): saxpy}


def _blas_ok(y: np.ndarray, x: np.ndarray) -> bool:
    # BLAS is undefined for overlapping x and y; NumPy's ufuncs handle overlap.
    return (y.dtype in _AXPY and x.dtype == y.dtype and y.flags.c_contiguous
            and x.flags.c_contiguous and y.size > 0 and not np.may_share_memory(x, y))


def axpy_(y: np.ndarray, x: np.ndarray, a: float, tmp: np.ndarray) -> np.ndarray:
    """``y += a * x`` in place, in one pass when BLAS can do it (``torch.add_(x, alpha=a)``).

    BLAS ``axpy`` reads x and y once and rounds ``a*x + y`` once (a fused multiply-add, as
    torch's CPU kernel does); NumPy needs a temporary and two passes.  Falls back to NumPy
    for other dtypes, non-contiguous arrays or when ``x`` and ``y`` overlap.
    """
    if _blas_ok(y, x):
        flat = y.reshape(-1)
        blas = _AXPY[y.dtype]
        out = blas(x.reshape(-1), flat, a=a)
        if out is flat or np.shares_memory(out, y):   # f2py wrote y in place
            return y
        y[...] = out.reshape(y.shape)                 # pragma: no cover (f2py copied)
        return y
    if x is tmp:
        tmp *= a
    else:
        np.multiply(x, a, out=tmp)
    return np.add(y, tmp, out=y)


def scratch(out: np.ndarray | None, like: np.ndarray) -> np.ndarray:
    """``out`` if given, else a new array like ``like`` (only the first call should allocate)."""
    return np.empty_like(like) if out is None else out


def effective_grad(grad: np.ndarray, param: np.ndarray, *, weight_decay: float, maximize: bool,
                   out: np.ndarray) -> np.ndarray:
    """``(-grad if maximize else grad) + weight_decay * param``, the gradient torch updates with.

    Returns ``grad`` itself when nothing changes it, else ``out`` (the caller's gradient is
    never modified, as in PyTorch).
    """
    if weight_decay == 0:
        if not maximize:
            return grad
        return np.negative(grad, out=out)
    if _blas_ok(out, param):                      # one fused pass: out = ±grad; out += λ·param
        if maximize:
            np.negative(grad, out=out)
        else:
            np.copyto(out, grad)
        return axpy_(out, param, weight_decay, out)
    np.multiply(param, weight_decay, out=out)
    if maximize:
        return np.subtract(out, grad, out=out)
    return np.add(grad, out, out=out)


def lerp_(start: np.ndarray, end: np.ndarray, weight: float, tmp: np.ndarray) -> np.ndarray:
    """``start += weight * (end - start)`` in place (``torch.lerp_`` for weight < 0.5)."""
    if weight < 0.5:
        np.subtract(end, start, out=tmp)
        return axpy_(start, tmp, weight, tmp)
    # torch's other branch, exact at weight = 1: end - (end - start) * (1 - weight)
    np.subtract(end, start, out=tmp)
    tmp *= 1.0 - weight
    return np.subtract(end, tmp, out=start)


def ema_sq_(avg: np.ndarray, grad: np.ndarray, decay: float, tmp: np.ndarray) -> np.ndarray:
    """``avg = decay * avg + (1 - decay) * grad**2`` in place (torch: mul_ then addcmul_)."""
    avg *= decay
    np.multiply(grad, grad, out=tmp)
    return axpy_(avg, tmp, 1.0 - decay, tmp)


def add_scaled_(param: np.ndarray, x: np.ndarray, alpha: float, tmp: np.ndarray) -> np.ndarray:
    """``param += alpha * x`` in place (``torch.Tensor.add_(x, alpha=alpha)``)."""
    return axpy_(param, x, alpha, tmp)


def addcdiv_(param: np.ndarray, num: np.ndarray, den: np.ndarray, value: float,
             tmp: np.ndarray) -> np.ndarray:
    """``param += value * num / den`` in place (``torch.Tensor.addcdiv_``); tmp may be den."""
    np.divide(num, den, out=tmp)
    return axpy_(param, tmp, value, tmp)
