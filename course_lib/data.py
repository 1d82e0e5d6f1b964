"""Small seeded data sets for the lessons, and scikit-learn's bundled ones ready for GD.

Every generator takes a ``seed`` and returns NumPy arrays ``(X, y)``, X of shape
``(n_samples, n_features)``: the same seed gives the same numbers on every machine.

- :func:`linear_data`: y = slope·x + intercept + noise (the lessons' y = 3x + 2), optionally
  with several features on very different scales (an ill-conditioned loss, chapters 05-06)
- :func:`make_regression`: the same with several features and random true weights
- :func:`sine_data`: a noisy sine wave, few samples: enough to overfit (early stopping)
- :func:`blobs`: Gaussian clusters, one per class
- :func:`two_moons`: two interleaved half circles (scikit-learn's ``make_moons``)
- :func:`sparse_features`: binary features, most of them rarely on (AdaGrad's case)
- :func:`load_classification`: iris / wine / breast_cancer / digits from scikit-learn,
  split and standardised with the training statistics only
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from course_lib._checks import check_int, check_nonnegative


def linear_data(n_samples: int = 100, *, slope=3.0, intercept: float = 2.0,
                noise: float = 0.5, feature_scales=None, seed: int = 0
                ) -> tuple[np.ndarray, np.ndarray]:
    """Linear regression data y = X·slope + intercept + noise·ε, ε ~ N(0, 1).

    Parameters
    ----------
    n_samples : int, default=100
    slope : float or array-like of shape (n_features,), default=3.0
        True weights; a scalar gives one feature.
    intercept : float, default=2.0
        True bias: recovering it needs a bias term in the model (seed erratum 1).
    noise : float, default=0.5
        Standard deviation of the noise, >= 0.
    feature_scales : array-like of shape (n_features,), optional
        Multiply feature j (x ~ N(0, 1)) by ``feature_scales[j]``: unequal scales make the
        MSE an elongated valley (condition number ≈ (max scale / min scale)²).
    seed : int, default=0

    Returns
    -------
    X : ndarray of shape (n_samples, n_features)
    y : ndarray of shape (n_samples,)

    Examples
    --------
    >>> X, y = linear_data(5, noise=0.0)
    >>> bool(np.allclose(y, 3 * X[:, 0] + 2))
    True
    """
    n = check_int("n_samples", n_samples)
    w = np.atleast_1d(np.asarray(slope, dtype=float))
    if w.ndim != 1 or not np.all(np.isfinite(w)):
        raise ValueError(f"slope must be a finite number or 1-D array, got {slope!r}")
    scales = np.ones_like(w) if feature_scales is None else np.asarray(feature_scales, float)
    if scales.shape != w.shape or not np.all(scales > 0):
        raise ValueError(f"feature_scales must be {w.size} positive numbers (one per slope), "
                         f"got {feature_scales!r}")
    noise = check_nonnegative("noise", noise)
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, w.size)) * scales
    y = X @ w + float(intercept) + noise * rng.standard_normal(n)
    return X, y


def make_regression(n_samples: int = 100, n_features: int = 5, *, noise: float = 0.5,
                    intercept: float = 1.0, return_coef: bool = False, seed: int = 0
                    ) -> tuple[np.ndarray, ...]:
    """Linear data with several N(0, 1) features and random true weights (uniform in [−2, 2]).

    Parameters
    ----------
    n_samples : int, default=100
    n_features : int, default=5
    noise : float, default=0.5
        Standard deviation of the noise.
    intercept : float, default=1.0
    return_coef : bool, default=False
        Also return the true weights.
    seed : int, default=0

    Returns
    -------
    X : ndarray of shape (n_samples, n_features)
    y : ndarray of shape (n_samples,)
    coef : ndarray of shape (n_features,)
        Only with ``return_coef=True``.
    """
    d = check_int("n_features", n_features)
    coef = np.random.default_rng([seed, 1]).uniform(-2, 2, d)  # own stream: X stays put
    X, y = linear_data(n_samples, slope=coef, intercept=intercept, noise=noise, seed=seed)
    return (X, y, coef) if return_coef else (X, y)


def sine_data(n_samples: int = 40, *, noise: float = 0.2, seed: int = 0
              ) -> tuple[np.ndarray, np.ndarray]:
    """y = sin(πx) + noise·ε with x uniform on [−1, 1]: a curve a big MLP will overfit.

    Returns
    -------
    X : ndarray of shape (n_samples, 1)
    y : ndarray of shape (n_samples,)
    """
    n = check_int("n_samples", n_samples)
    noise = check_nonnegative("noise", noise)
    rng = np.random.default_rng(seed)
    x = rng.uniform(-1, 1, n)
    return x[:, None], np.sin(np.pi * x) + noise * rng.standard_normal(n)


def blobs(n_samples: int = 200, *, n_classes: int = 2, n_features: int = 2,
          spread: float = 1.0, distance: float = 3.0, seed: int = 0
          ) -> tuple[np.ndarray, np.ndarray]:
    """Gaussian clusters, one per class, centres evenly spaced on a circle.

    Parameters
    ----------
    n_samples : int, default=200
        Split as evenly as possible between the classes.
    n_classes : int, default=2
    n_features : int, default=2
        >= 2; centres lie in the plane of the first two features.
    spread : float, default=1.0
        Standard deviation of each cluster (> 0).
    distance : float, default=3.0
        Radius of the circle of centres: larger means easier.
    seed : int, default=0

    Returns
    -------
    X : ndarray of shape (n_samples, n_features)
    y : ndarray of int, shape (n_samples,)
        Labels 0, …, n_classes − 1.
    """
    n = check_int("n_samples", n_samples)
    k = check_int("n_classes", n_classes, low=2)
    d = check_int("n_features", n_features, low=2)
    if not spread > 0:
        raise ValueError(f"spread must be > 0, got {spread!r}")
    rng = np.random.default_rng(seed)
    y = np.arange(n) % k
    angles = 2 * np.pi * np.arange(k) / k
    centres = np.zeros((k, d))
    centres[:, 0], centres[:, 1] = distance * np.cos(angles), distance * np.sin(angles)
    X = centres[y] + spread * rng.standard_normal((n, d))
    order = rng.permutation(n)
    return X[order], y[order]


def two_moons(n_samples: int = 200, *, noise: float = 0.15, seed: int = 0
              ) -> tuple[np.ndarray, np.ndarray]:
    """Two interleaved half circles (``sklearn.datasets.make_moons``): not linearly separable.

    Returns
    -------
    X : ndarray of shape (n_samples, 2)
    y : ndarray of int, shape (n_samples,)
    """
    n = check_int("n_samples", n_samples, low=2)
    noise = check_nonnegative("noise", noise)
    # make_moons itself, in NumPy: importing scikit-learn costs ~1 s per notebook kernel.
    # Same legacy RandomState draws in the same order, so the data are bit-identical.
    rng = np.random.RandomState(seed)
    n_out, n_in = n // 2, n - n // 2
    s_out, s_in = np.linspace(0, np.pi, n_out), np.linspace(0, np.pi, n_in)
    X = np.column_stack([np.append(np.cos(s_out), 1 - np.cos(s_in)),
                         np.append(np.sin(s_out), 1 - np.sin(s_in) - 0.5)])
    y = np.repeat(np.array([0, 1], dtype=np.intp), [n_out, n_in])
    order = np.arange(n)
    rng.shuffle(order)  # sklearn.utils.shuffle draws exactly this permutation
    return X[order] + rng.normal(scale=noise, size=X.shape), y[order]


def sparse_features(n_samples: int = 500, n_features: int = 40, *, min_frequency: float = 0.01,
                    max_frequency: float = 0.5, noise: float = 0.1, return_coef: bool = False,
                    seed: int = 0) -> tuple[np.ndarray, ...]:
    """Binary features switched on with very different frequencies; y linear in them.

    Feature j is 1 with probability p_j, the p_j spaced geometrically from
    ``max_frequency`` (feature 0) down to ``min_frequency`` (the last). Every feature
    matters equally (true weights ±1), but the rare ones get a gradient only in the few
    steps where they are on: plain SGD learns them slowly, AdaGrad gives them larger steps.

    Parameters
    ----------
    n_samples : int, default=500
    n_features : int, default=40
    min_frequency, max_frequency : float, default=0.01, 0.5
        0 < min_frequency <= max_frequency <= 1.
    noise : float, default=0.1
    return_coef : bool, default=False
        Also return the true weights.
    seed : int, default=0

    Returns
    -------
    X : ndarray of shape (n_samples, n_features)
        0 / 1 entries.
    y : ndarray of shape (n_samples,)
    coef : ndarray of shape (n_features,)
        Only with ``return_coef=True``.
    """
    n = check_int("n_samples", n_samples)
    d = check_int("n_features", n_features)
    if not 0 < min_frequency <= max_frequency <= 1:
        raise ValueError("need 0 < min_frequency <= max_frequency <= 1, got "
                         f"min_frequency={min_frequency!r}, max_frequency={max_frequency!r}")
    noise = check_nonnegative("noise", noise)
    rng = np.random.default_rng(seed)
    freq = np.geomspace(max_frequency, min_frequency, d)
    X = (rng.random((n, d)) < freq).astype(float)
    coef = rng.choice([-1.0, 1.0], d)
    y = X @ coef + noise * rng.standard_normal(n)
    return (X, y, coef) if return_coef else (X, y)


@dataclass
class Dataset:
    """A split, standardised classification data set."""

    name: str
    X_train: np.ndarray
    X_test: np.ndarray
    y_train: np.ndarray
    y_test: np.ndarray
    feature_names: list[str]
    target_names: list[str]
    mean: np.ndarray
    scale: np.ndarray


_LOADERS = ("iris", "wine", "breast_cancer", "digits")


def load_classification(name: str, *, test_size: float = 0.25, standardize: bool = True,
                        seed: int = 0) -> Dataset:
    """A data set bundled with scikit-learn (no network), split and standardised.

    The mean and standard deviation come from the training part only and are then
    applied to both parts: computing them on all the data leaks the test set. Features
    with zero spread (digits' always-blank pixels) keep scale 1.

    Parameters
    ----------
    name : {"iris", "wine", "breast_cancer", "digits"}
    test_size : float, default=0.25
        Fraction held out, in (0, 1); the split is stratified.
    standardize : bool, default=True
    seed : int, default=0

    Returns
    -------
    Dataset
    """
    from sklearn import datasets
    from sklearn.model_selection import train_test_split

    if name not in _LOADERS:
        raise ValueError(f"name must be one of {_LOADERS}, got {name!r}")
    if not 0 < test_size < 1:
        raise ValueError(f"test_size must be in (0, 1), got {test_size!r}")
    bunch = getattr(datasets, f"load_{name}")()
    X_tr, X_te, y_tr, y_te = train_test_split(bunch.data.astype(float), bunch.target,
                                              test_size=test_size, random_state=seed,
                                              stratify=bunch.target)
    mean, scale = np.zeros(X_tr.shape[1]), np.ones(X_tr.shape[1])
    if standardize:
        mean, std = X_tr.mean(axis=0), X_tr.std(axis=0)
        scale = np.where(std > 0, std, 1.0)
        X_tr, X_te = (X_tr - mean) / scale, (X_te - mean) / scale
    return Dataset(name=name, X_train=X_tr, X_test=X_te, y_train=y_tr, y_test=y_te,
                   feature_names=[str(f) for f in bunch.feature_names],
                   target_names=[str(t) for t in bunch.target_names], mean=mean, scale=scale)
