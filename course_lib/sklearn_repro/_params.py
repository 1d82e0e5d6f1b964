"""Argument checks shared by the two reproductions.

Both functions take scikit-learn's own keyword names.  Three kinds of names exist:

* names the reproduction implements (checked for type and range here);
* names that cannot change the fitted numbers in the supported set (``verbose``,
  ``n_jobs``, ...), accepted and ignored;
* names whose non-default values are outside the supported set: they raise
  ``ValueError`` naming the parameter and what is supported.

A name scikit-learn's estimator does not have at all raises ``TypeError``, as a
misspelt keyword argument does anywhere in Python.
"""

from __future__ import annotations

from numbers import Integral, Real
from typing import Any

import numpy as np


def merge_params(
    estimator: str, defaults: dict[str, Any], given: dict[str, Any]
) -> dict[str, Any]:
    """Return ``defaults`` updated with ``given``; unknown names raise TypeError."""
    unknown = sorted(set(given) - set(defaults))
    if unknown:
        raise TypeError(
            f"{estimator} has no parameter {unknown[0]!r}; "
            f"its parameters are: {', '.join(sorted(defaults))}."
        )
    return {**defaults, **given}


def _same(value: Any, allowed: Any) -> bool:
    if allowed is None:
        return value is None
    if isinstance(allowed, str):
        return isinstance(value, str) and value == allowed
    return not isinstance(value, str) and value is not None and value == allowed


def require_choice(name: str, value: Any, allowed: tuple) -> None:
    """Raise ValueError unless ``value`` is one of ``allowed``."""
    if not any(_same(value, a) for a in allowed):
        shown = " or ".join(repr(a) for a in allowed)
        raise ValueError(f"{name}={value!r} is not supported here; supported: {shown}.")


def require_real(name: str, value: Any, low: float, high: float = np.inf, *,
                 low_open: bool = False, high_open: bool = True) -> float:
    """Return ``value`` as a float after checking it lies in the interval given."""
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, Real) or np.isnan(value):
        raise ValueError(f"{name} must be a real number, got {value!r}.")
    too_low = value <= low if low_open else value < low
    too_high = value >= high if high_open else value > high
    if too_low or too_high:
        left = "(" if low_open else "["
        right = ")" if high_open else "]"
        raise ValueError(f"{name} must be in {left}{low}, {high}{right}, got {value!r}.")
    return float(value)


def require_int(name: str, value: Any, low: int) -> int:
    """Return ``value`` as an int after checking it is an integer >= ``low``."""
    if isinstance(value, bool) or not isinstance(value, Integral) or value < low:
        raise ValueError(f"{name} must be an integer >= {low}, got {value!r}.")
    return int(value)


def require_bool(name: str, value: Any) -> bool:
    """Return ``value`` after checking it is a bool (NumPy bools included)."""
    if not isinstance(value, (bool, np.bool_)):
        raise ValueError(f"{name} must be True or False, got {value!r}.")
    return bool(value)


def check_X_y(X: Any, y: Any) -> tuple[np.ndarray, np.ndarray]:
    """Return ``X`` as a 2-D float64 array and ``y`` as a 1-D array, checked.

    float32 input is refused rather than converted: scikit-learn would then fit in
    single precision (different numbers), and the point of these functions is equality.
    """
    X_arr = np.asarray(X)
    if X_arr.dtype == np.float32:
        raise ValueError(
            "X has dtype float32: scikit-learn would fit it in single precision. "
            "Pass X.astype(np.float64) to both."
        )
    try:
        X_arr = np.asarray(X_arr, dtype=np.float64)
    except (TypeError, ValueError) as err:
        raise ValueError(f"X must be numeric: {err}") from None
    if X_arr.ndim != 2:
        raise ValueError(f"X must be 2-D (n_samples, n_features), got shape {X_arr.shape}.")
    if X_arr.shape[0] < 1 or X_arr.shape[1] < 1:
        raise ValueError(f"X needs at least one sample and one feature, got {X_arr.shape}.")
    if not np.isfinite(X_arr).all():
        raise ValueError("X contains NaN or infinity.")
    y_arr = np.asarray(y)
    if y_arr.ndim == 2 and y_arr.shape[1] == 1:
        y_arr = y_arr.ravel()
    if y_arr.ndim != 1:
        raise ValueError(
            f"y must be 1-D class labels, got shape {y_arr.shape}; "
            "multi-output / multilabel targets are not supported here."
        )
    if y_arr.shape[0] != X_arr.shape[0]:
        raise ValueError(
            f"X and y have different numbers of samples: {X_arr.shape[0]} and {y_arr.shape[0]}."
        )
    return X_arr, y_arr


def check_classes(y: np.ndarray) -> np.ndarray:
    """Return the sorted class labels (as ``np.unique`` gives them); need two or more."""
    classes = np.unique(y)
    if classes.shape[0] < 2:
        raise ValueError(f"y needs at least two classes, got {classes.shape[0]}.")
    return classes


def is_int(value: Any) -> bool:
    """True for Python and NumPy integers (not bools)."""
    return isinstance(value, Integral) and not isinstance(value, (bool, np.bool_))
