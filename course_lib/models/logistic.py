"""Logistic regression (binary) and softmax regression (multiclass), numerically stable.

Binary, y ∈ {0, 1}, z = Xw + b::

    loss = mean(log(1 + eᶻ) − y·z)           ∇w = Xᵀ(σ(z) − y)/n,  ∇b = Σ(σ(z) − y)/n

which equals the usual −[y log σ(z) + (1−y) log(1−σ(z))] but never takes log(0):
``np.logaddexp(0, z)`` computes log(1 + eᶻ) without overflow. σ is
``scipy.special.expit`` (what scikit-learn uses).

Softmax, y ∈ {0, …, k−1}, Z = XW + b (one column per class)::

    loss = mean(logsumexp(Z) − Z[y])         ∇W = Xᵀ(softmax(Z) − onehot(y))/n

Both add ``l2/2 · ‖w‖²`` (weights only) when ``l2 > 0``.
"""

from __future__ import annotations

import numpy as np
from scipy.special import expit, log_softmax, logsumexp

from course_lib._checks import check_int, check_nonnegative
from course_lib.models._base import Model, check_target


def _init_weights(shape, init: str, seed: int) -> np.ndarray:
    if init == "zeros":
        return np.zeros(shape)
    if init == "normal":
        return 0.01 * np.random.default_rng(seed).standard_normal(shape)
    raise ValueError(f"init must be 'zeros' or 'normal', got {init!r}")


class LogisticRegression(Model):
    """Binary logistic regression with a bias and the (stable) mean log loss.

    Parameters
    ----------
    n_features : int
    l2 : float, default=0.0
        L2 penalty λ: the loss gains λ/2 · ‖w‖².
    init : {"zeros", "normal"}, default="zeros"
    seed : int, default=0

    Attributes
    ----------
    params : list of ndarray
        ``[w, b]``, shapes ``(n_features,)`` and ``(1,)``.

    Examples
    --------
    >>> import numpy as np
    >>> model = LogisticRegression(2)
    >>> round(model.loss(np.array([[1.0, 2.0], [3.0, -1.0]]), [0, 1]), 6)  # log 2 at w = 0
    0.693147
    """

    def __init__(self, n_features: int, *, l2: float = 0.0, init: str = "zeros", seed: int = 0):
        self.n_features = check_int("n_features", n_features)
        self.l2 = check_nonnegative("l2", l2)
        self.params = [_init_weights(self.n_features, init, seed), np.zeros(1)]

    @classmethod
    def from_params(cls, w, b: float, *, l2: float = 0.0) -> LogisticRegression:
        """A model holding the given weights (``w`` of shape (n_features,), bias ``b``)."""
        w = np.array(w, dtype=float).reshape(-1)
        model = cls(w.size, l2=l2)
        model.load_params([w, [float(b)]])
        return model

    def __repr__(self) -> str:
        return f"LogisticRegression(n_features={self.n_features}, l2={self.l2})"

    def decision_function(self, X) -> np.ndarray:
        """z = Xw + b (log-odds of class 1), shape ``(n_samples,)``."""
        w, b = self.params
        return self._check_X(X) @ w + b[0]

    def predict_proba(self, X) -> np.ndarray:
        """P(y = 1 | x) = σ(z), shape ``(n_samples,)``."""
        return expit(self.decision_function(X))

    def predict(self, X) -> np.ndarray:
        """Class labels 0 / 1."""
        return (self.decision_function(X) > 0).astype(np.intp)

    def _loss(self, z, y) -> float:
        w = self.params[0]
        return float(np.mean(np.logaddexp(0.0, z) - y * z) + 0.5 * self.l2 * w @ w)

    def _logits(self, X, y):
        X = self._check_X(X)
        w, b = self.params
        return X, X @ w + b[0], check_target(y, X.shape[0], n_classes=2)

    def loss(self, X, y) -> float:
        """Mean log loss plus the L2 term ½λ‖w‖²."""
        _, z, y = self._logits(X, y)
        return self._loss(z, y)

    def loss_and_grads(self, X, y) -> tuple[float, list[np.ndarray]]:
        """Mean log loss and ``[∇w, ∇b]``."""
        X, z, y = self._logits(X, y)
        err = (expit(z) - y) / X.shape[0]
        return self._loss(z, y), [X.T @ err + self.l2 * self.params[0], np.array([err.sum()])]


class SoftmaxRegression(Model):
    """Multiclass (multinomial) logistic regression: softmax output, cross-entropy loss.

    Parameters
    ----------
    n_features : int
    n_classes : int
        At least 2; labels are 0, …, n_classes − 1.
    l2 : float, default=0.0
    init : {"zeros", "normal"}, default="zeros"
    seed : int, default=0

    Attributes
    ----------
    params : list of ndarray
        ``[W, b]``, shapes ``(n_features, n_classes)`` and ``(n_classes,)``.

    Examples
    --------
    >>> import numpy as np
    >>> model = SoftmaxRegression(2, 3)
    >>> round(model.loss(np.ones((2, 2)), [0, 2]), 6)  # log 3 at W = 0
    1.098612
    """

    def __init__(self, n_features: int, n_classes: int, *, l2: float = 0.0,
                 init: str = "zeros", seed: int = 0):
        self.n_features = check_int("n_features", n_features)
        self.n_classes = check_int("n_classes", n_classes, low=2)
        self.l2 = check_nonnegative("l2", l2)
        W = _init_weights((self.n_features, self.n_classes), init, seed)
        self.params = [W, np.zeros(self.n_classes)]

    def __repr__(self) -> str:
        return (f"SoftmaxRegression(n_features={self.n_features}, "
                f"n_classes={self.n_classes}, l2={self.l2})")

    def decision_function(self, X) -> np.ndarray:
        """Logits Z = XW + b, shape ``(n_samples, n_classes)``."""
        W, b = self.params
        return self._check_X(X) @ W + b

    def predict_proba(self, X) -> np.ndarray:
        """Class probabilities (softmax of the logits), shape ``(n_samples, n_classes)``."""
        return np.exp(log_softmax(self.decision_function(X), axis=1))

    def predict(self, X) -> np.ndarray:
        """The most probable class of each row, shape ``(n_samples,)``."""
        return np.argmax(self.decision_function(X), axis=1)

    def _loss(self, Z, y) -> float:
        W = self.params[0]
        nll = logsumexp(Z, axis=1) - Z[np.arange(len(y)), y]
        return float(np.mean(nll) + 0.5 * self.l2 * np.sum(W * W))

    def _logits(self, X, y):
        X = self._check_X(X)
        W, b = self.params
        return X, X @ W + b, check_target(y, X.shape[0], n_classes=self.n_classes)

    def loss(self, X, y) -> float:
        """Mean cross-entropy plus the L2 term ½λ‖W‖²."""
        _, Z, y = self._logits(X, y)
        return self._loss(Z, y)

    def loss_and_grads(self, X, y) -> tuple[float, list[np.ndarray]]:
        """Mean cross-entropy and ``[∇W, ∇b]``."""
        X, Z, y = self._logits(X, y)
        err = np.exp(log_softmax(Z, axis=1))
        err[np.arange(len(y)), y] -= 1.0  # softmax − onehot
        err /= X.shape[0]
        return self._loss(Z, y), [X.T @ err + self.l2 * self.params[0], err.sum(axis=0)]
