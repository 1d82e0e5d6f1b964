"""Data generators: shapes, seeding, and the properties the lessons rely on."""

import numpy as np
import pytest

from course_lib import data
from course_lib.models import closed_form, mse_smoothness


def test_linear_data_recovers_slope_and_intercept():
    X, y = data.linear_data(2000, noise=0.5, seed=1)
    assert X.shape == (2000, 1) and y.shape == (2000,)
    w, b = closed_form(X, y)
    # least-squares standard error ~ 0.5 / sqrt(2000) ≈ 0.011
    assert w[0] == pytest.approx(3.0, abs=0.05) and b == pytest.approx(2.0, abs=0.05)
    residual = y - 3 * X[:, 0] - 2
    assert residual.std() == pytest.approx(0.5, rel=0.1)


def test_linear_data_seeded():
    a, b, c = data.linear_data(seed=3), data.linear_data(seed=3), data.linear_data(seed=4)
    np.testing.assert_array_equal(a[1], b[1])
    assert not np.array_equal(a[1], c[1])


def test_feature_scales_set_the_condition_number():
    X, _ = data.linear_data(5000, slope=[1.0, 1.0], feature_scales=[1.0, 10.0], seed=0)
    X = X - X.mean(axis=0)  # centred: the bias direction decouples
    L, mu = mse_smoothness(X)
    # Hessian ≈ 2 diag(1, 100) plus the bias entry 2: κ ≈ 100
    assert L / mu == pytest.approx(100, rel=0.1)


def test_blobs_balanced_and_separated():
    X, y = data.blobs(300, n_classes=3, spread=0.3, seed=0)
    assert X.shape == (300, 2) and np.bincount(y).tolist() == [100, 100, 100]
    centres = np.array([X[y == k].mean(axis=0) for k in range(3)])
    np.testing.assert_allclose(np.linalg.norm(centres, axis=1), 3.0, atol=0.1)


def test_two_moons_is_sklearns():
    from sklearn.datasets import make_moons

    X, y = data.two_moons(100, noise=0.2, seed=5)
    Xs, ys = make_moons(100, noise=0.2, random_state=5)
    np.testing.assert_array_equal(X, Xs)
    np.testing.assert_array_equal(y, ys)


def test_sparse_feature_frequencies():
    X, y, coef = data.sparse_features(20000, 5, min_frequency=0.01, max_frequency=0.5,
                                      return_coef=True, seed=0)
    np.testing.assert_allclose(X.mean(axis=0), np.geomspace(0.5, 0.01, 5), rtol=0.1)
    assert set(np.unique(X)) == {0.0, 1.0} and set(np.abs(coef)) == {1.0}
    np.testing.assert_allclose(np.std(y - X @ coef), 0.1, rtol=0.05)


def test_sine_data_shape():
    X, y = data.sine_data(30, noise=0.0)
    np.testing.assert_allclose(y, np.sin(np.pi * X[:, 0]))


@pytest.mark.parametrize("name", ["iris", "wine", "breast_cancer", "digits"])
def test_load_classification_standardises_with_training_statistics(name):
    ds = data.load_classification(name, seed=0)
    n = len(ds.y_train) + len(ds.y_test)
    assert len(ds.y_test) == pytest.approx(0.25 * n, abs=1)
    np.testing.assert_allclose(ds.X_train.mean(axis=0), 0, atol=1e-10)
    spread = ds.X_train.std(axis=0)
    assert np.all((np.abs(spread - 1) < 1e-10) | (spread == 0))
    assert not np.allclose(ds.X_test.mean(axis=0), 0, atol=1e-10)  # test stats not used
    assert np.all(np.isfinite(ds.X_test)) and np.all(ds.scale > 0)


def test_bad_arguments():
    with pytest.raises(ValueError, match="n_samples"):
        data.linear_data(0)
    with pytest.raises(ValueError, match="feature_scales"):
        data.linear_data(slope=[1.0, 2.0], feature_scales=[1.0])
    with pytest.raises(ValueError, match="noise"):
        data.sine_data(noise=-1)
    with pytest.raises(ValueError, match="n_classes"):
        data.blobs(n_classes=1)
    with pytest.raises(ValueError, match="min_frequency"):
        data.sparse_features(min_frequency=0.6, max_frequency=0.5)
    with pytest.raises(ValueError, match="name must be one of"):
        data.load_classification("mnist")


def test_make_regression_true_weights_recovered():
    X, y, coef = data.make_regression(3000, 4, noise=0.5, intercept=1.0, return_coef=True,
                                      seed=2)
    assert X.shape == (3000, 4) and np.all(np.abs(coef) <= 2)
    w, b = closed_form(X, y)
    np.testing.assert_allclose(w, coef, atol=0.05)
    assert b == pytest.approx(1.0, abs=0.05)
    np.testing.assert_array_equal(data.make_regression(seed=2)[0], data.make_regression(seed=2)[0])
