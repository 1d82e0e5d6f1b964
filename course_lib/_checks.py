"""Argument checks shared across course_lib.

Each raises a ValueError that names the argument and its allowed range (``"n_samples must be
an integer >= 1, got 0"``), so a student sees at once what to change.  The optimizers have
their own, PyTorch-worded checks (``course_lib.optim.optimizer.check_hyper``).
"""

from __future__ import annotations

from typing import Any

import numpy as np


def check_int(name: str, value: Any, low: int = 1) -> int:
    """Return ``value`` as an int if it is an integer >= ``low`` (bool is not an integer here).

    Parameters
    ----------
    name : str
        The argument's name, for the message.
    value : object
        What the caller passed.
    low : int, default=1
        The smallest allowed value.

    Returns
    -------
    int

    Examples
    --------
    >>> check_int("epochs", 3)
    3
    >>> check_int("epochs", 0)
    Traceback (most recent call last):
    ...
    ValueError: epochs must be an integer >= 1, got 0
    """
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < low:
        raise ValueError(f"{name} must be an integer >= {low}, got {value!r}")
    return int(value)


def check_nonnegative(name: str, value: Any) -> float:
    """Return ``float(value)`` if it is finite and >= 0, else raise a ValueError naming it.

    Parameters
    ----------
    name : str
        The argument's name, for the message.
    value : float
        What the caller passed.

    Returns
    -------
    float

    Examples
    --------
    >>> check_nonnegative("noise", 0.5)
    0.5
    """
    value = float(value)
    if not (value >= 0 and np.isfinite(value)):
        raise ValueError(f"{name} must be a finite number >= 0, got {value!r}")
    return value


def check_positive(name: str, value: Any) -> float:
    """Return ``float(value)`` if it is finite and > 0, else raise a ValueError naming it.

    Parameters
    ----------
    name : str
        The argument's name, for the message.
    value : float
        What the caller passed.

    Returns
    -------
    float

    Examples
    --------
    >>> check_positive("mu", 2)
    2.0
    """
    value = float(value)
    if not np.isfinite(value) or value <= 0:
        raise ValueError(f"{name} must be a finite number > 0, got {value!r}")
    return value
