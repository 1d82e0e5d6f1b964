"""What every course model shares: a flat list of parameter arrays and input checks.

A model holds its parameters as ``model.params``, a list of float64 NumPy arrays
(``[w, b]`` or ``[W1, b1, W2, b2, ...]``). Optimizers from :mod:`course_lib.optim` update
those arrays **in place**, so ``opt = SGD(model.params, lr=0.1)`` and
``opt.step(grads)`` with ``loss, grads = model.loss_and_grads(X, y)`` is a whole training
step. Never rebind ``model.params[i]`` to a new array: the optimizer would keep the old
one. :meth:`Model.copy_params` / :meth:`Model.load_params` snapshot and restore in place.
"""

from __future__ import annotations

import numpy as np


class Model:
    """Base class: ``params``, ``loss``, ``loss_and_grads``, ``predict``, snapshots."""

    params: list[np.ndarray]
    n_features: int

    def loss_and_grads(self, X, y) -> tuple[float, list[np.ndarray]]:
        """Mean loss over the rows of ``X`` and its gradient, one array per parameter."""
        raise NotImplementedError

    def loss(self, X, y) -> float:
        """Mean loss over the rows of ``X`` (the gradient is not computed)."""
        raise NotImplementedError

    def predict(self, X) -> np.ndarray:
        """Predictions for the rows of ``X``: values (regression) or class labels."""
        raise NotImplementedError

    @property
    def n_params(self) -> int:
        """Number of scalar parameters."""
        return int(sum(p.size for p in self.params))

    def copy_params(self) -> list[np.ndarray]:
        """Snapshot of the parameters (new arrays)."""
        return [p.copy() for p in self.params]

    def load_params(self, values) -> None:
        """Write ``values`` into the parameter arrays in place (optimizers keep working)."""
        values = list(values)
        if len(values) != len(self.params):
            raise ValueError(f"values must hold {len(self.params)} arrays, got {len(values)}")
        for i, (p, v) in enumerate(zip(self.params, values, strict=True)):
            v = np.asarray(v, dtype=float)
            if v.shape != p.shape:
                raise ValueError(f"values[{i}] must have shape {p.shape}, got {v.shape}")
            p[...] = v

    def _check_X(self, X) -> np.ndarray:
        X = np.asarray(X, dtype=float)
        if X.ndim != 2 or X.shape[1] != self.n_features:
            raise ValueError(
                f"X must have shape (n_samples, {self.n_features}), got shape {X.shape}"
            )
        if not np.all(np.isfinite(X)):
            raise ValueError("X contains NaN or inf")
        return X


def check_target(y, n_samples: int, *, n_classes: int | None = None) -> np.ndarray:
    """Validate targets: length ``n_samples``; integer labels in [0, n_classes) if classes."""
    y = np.asarray(y)
    if y.ndim != 1 or y.shape[0] != n_samples:
        raise ValueError(f"y must have shape ({n_samples},), got shape {y.shape}")
    if n_classes is None:
        y = y.astype(float)
        if not np.all(np.isfinite(y)):
            raise ValueError("y contains NaN or inf")
        return y
    if not np.all(np.isin(y, np.arange(n_classes))):
        raise ValueError(
            f"y must hold integer class labels in [0, {n_classes}), got {np.unique(y)}"
        )
    return y.astype(np.intp)


