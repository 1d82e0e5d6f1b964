"""Linear regression trained by gradient descent, with the closed-form answer to compare.

Model ŷ = Xw + b, loss (the course's convention, as in the lessons)::

    MSE(w, b) = mean((Xw + b − y)²)          ∇w = 2/n · Xᵀr,  ∇b = 2/n · Σr,  r = Xw + b − y

plus ``l2/2 · ‖w‖²`` when ``l2 > 0`` (the bias is not penalised). The bias term is what
lets the model recover the intercept 2 of y = 3x + 2 (COURSE_DESIGN erratum 1).
"""

from __future__ import annotations

import numpy as np

from course_lib._checks import check_int, check_nonnegative
from course_lib.models._base import Model, check_target


class LinearRegression(Model):
    """Linear regression with a bias, mean squared error loss, optional L2.

    Parameters
    ----------
    n_features : int
        Number of input columns.
    l2 : float, default=0.0
        L2 penalty strength λ: the loss gains λ/2 · ‖w‖², the gradient λw.
    init : {"zeros", "normal"}, default="zeros"
        Start from w = 0, b = 0, or from small seeded normal weights (std 0.01).
    seed : int, default=0
        Seed of the ``"normal"`` initialisation.

    Attributes
    ----------
    params : list of ndarray
        ``[w, b]`` with shapes ``(n_features,)`` and ``(1,)``, updated in place by optimizers.

    Examples
    --------
    >>> import numpy as np
    >>> X = np.array([[0.0], [1.0], [2.0]]); y = 3 * X[:, 0] + 2
    >>> model = LinearRegression(1)
    >>> loss, grads = model.loss_and_grads(X, y)
    >>> loss, [g.tolist() for g in grads]
    (31.0, [[-14.0], [-10.0]])
    """

    def __init__(self, n_features: int, *, l2: float = 0.0, init: str = "zeros", seed: int = 0):
        self.n_features = check_int("n_features", n_features)
        self.l2 = check_nonnegative("l2", l2)
        if init == "zeros":
            w = np.zeros(self.n_features)
        elif init == "normal":
            w = 0.01 * np.random.default_rng(seed).standard_normal(self.n_features)
        else:
            raise ValueError(f"init must be 'zeros' or 'normal', got {init!r}")
        self.params = [w, np.zeros(1)]

    @classmethod
    def from_params(cls, w, b: float, *, l2: float = 0.0) -> LinearRegression:
        """A model holding the given weights, e.g. the closed-form solution.

        Examples
        --------
        >>> LinearRegression.from_params([3.0], 2.0).predict([[1.0]]).tolist()
        [5.0]
        """
        w = np.array(w, dtype=float).reshape(-1)
        model = cls(w.size, l2=l2)
        model.load_params([w, [float(b)]])
        return model

    def __repr__(self) -> str:
        return f"LinearRegression(n_features={self.n_features}, l2={self.l2})"

    @property
    def w(self) -> np.ndarray:
        """The weights, shape ``(n_features,)`` (the array the optimizer updates)."""
        return self.params[0]

    @property
    def b(self) -> float:
        """The intercept, as a float (a copy: change it through ``params[1]``)."""
        return float(self.params[1][0])

    def predict(self, X) -> np.ndarray:
        """ŷ = Xw + b, shape ``(n_samples,)``."""
        w, b = self.params
        return self._check_X(X) @ w + b[0]

    def _residual(self, X, y) -> tuple[np.ndarray, np.ndarray]:
        X = self._check_X(X)
        w, b = self.params
        return X, X @ w + b[0] - check_target(y, X.shape[0])

    def loss(self, X, y) -> float:
        """MSE plus the L2 term ½λ‖w‖² (the intercept is not penalised)."""
        _, r = self._residual(X, y)
        return float(np.mean(r**2) + 0.5 * self.l2 * self.w @ self.w)

    def loss_and_grads(self, X, y) -> tuple[float, list[np.ndarray]]:
        """MSE and ``[∇w, ∇b]``.

        Returns
        -------
        loss : float
        grads : list of ndarray
            Same shapes and order as :attr:`params`.
        """
        X, r = self._residual(X, y)
        w, n = self.params[0], X.shape[0]
        loss = float(np.mean(r**2) + 0.5 * self.l2 * w @ w)
        return loss, [2.0 / n * (X.T @ r) + self.l2 * w, np.array([2.0 / n * r.sum()])]


def _design(X) -> np.ndarray:
    X = np.asarray(X, dtype=float)
    if X.ndim != 2:
        raise ValueError(f"X must be 2-D (n_samples, n_features), got shape {X.shape}")
    return np.hstack([X, np.ones((X.shape[0], 1))])


def closed_form(X, y, *, l2: float = 0.0) -> tuple[np.ndarray, float]:
    """The exact minimiser (w*, b*) of the MSE (plus l2/2 · ‖w‖²), for reference.

    Without L2 it is the least-squares solution of [X 1][w; b] = y (``np.linalg.lstsq``,
    which stays well-defined when XᵀX is singular). With L2 it solves the normal
    equations (2/n AᵀA + λ D)[w; b] = 2/n Aᵀy, D = diag(1, …, 1, 0).

    Returns
    -------
    w : ndarray of shape (n_features,)
    b : float

    Examples
    --------
    >>> import numpy as np
    >>> X = np.array([[0.0], [1.0], [2.0]])
    >>> w, b = closed_form(X, 3 * X[:, 0] + 2)
    >>> np.round(w, 12).tolist(), round(b, 12)
    ([3.0], 2.0)
    """
    A = _design(X)
    y = check_target(y, A.shape[0])
    l2 = check_nonnegative("l2", l2)
    if l2 == 0.0:
        theta = np.linalg.lstsq(A, y, rcond=None)[0]
    else:
        n = A.shape[0]
        D = np.diag(np.r_[np.ones(A.shape[1] - 1), 0.0])
        theta = np.linalg.solve(2.0 / n * A.T @ A + l2 * D, 2.0 / n * A.T @ y)
    return theta[:-1], float(theta[-1])


def mse_smoothness(X, *, l2: float = 0.0) -> tuple[float, float]:
    """Smoothness L and strong convexity μ of the MSE in (w, b): extreme eigenvalues of its Hessian.

    The Hessian is 2/n · AᵀA (+ λ on the weights), A = [X 1]; it does not depend on y.
    Full-batch gradient descent with a constant lr converges iff lr < 2/L.

    Returns
    -------
    L : float
        Largest Hessian eigenvalue.
    mu : float
        Smallest (0 when the problem is not strongly convex).
    """
    A = _design(X)
    n = A.shape[0]
    l2 = check_nonnegative("l2", l2)
    H = 2.0 / n * A.T @ A + l2 * np.diag(np.r_[np.ones(A.shape[1] - 1), 0.0])
    eig = np.linalg.eigvalsh(H)
    return float(eig[-1]), float(max(eig[0], 0.0))
