"""Models: every gradient against central finite differences, losses against scikit-learn."""

import warnings

import numpy as np
import pytest
from scipy.optimize import minimize
from sklearn import linear_model
from sklearn.exceptions import ConvergenceWarning
from sklearn.metrics import log_loss
from sklearn.neural_network import MLPClassifier, MLPRegressor

from course_lib.models import (
    MLP,
    LinearRegression,
    LogisticRegression,
    SoftmaxRegression,
    closed_form,
    mse_smoothness,
)


def fd_grads(model, X, y, h=1e-6):
    """Central differences of model.loss, one parameter entry at a time."""
    grads = []
    for p in model.params:
        g = np.zeros_like(p)
        for i in np.ndindex(p.shape):
            old = p[i]
            p[i] = old + h
            up = model.loss(X, y)
            p[i] = old - h
            down = model.loss(X, y)
            p[i] = old
            g[i] = (up - down) / (2 * h)
        grads.append(g)
    return grads


def assert_grads_match(model, X, y):
    loss, grads = model.loss_and_grads(X, y)
    assert loss == pytest.approx(model.loss(X, y), rel=1e-12)
    num = fd_grads(model, X, y)
    assert [g.shape for g in grads] == [p.shape for p in model.params]
    for g, n in zip(grads, num, strict=True):
        np.testing.assert_allclose(g, n, rtol=1e-5, atol=1e-7)


def randomise(model, seed=1, scale=0.5):
    rng = np.random.default_rng(seed)
    model.load_params([scale * rng.standard_normal(p.shape) for p in model.params])


@pytest.fixture
def data():
    rng = np.random.default_rng(0)
    X = rng.standard_normal((12, 3))
    return X, rng


# --------------------------------------------------------------------------- gradients


@pytest.mark.parametrize("l2", [0.0, 0.3])
def test_linear_gradient(data, l2):
    X, rng = data
    model = LinearRegression(3, l2=l2)
    randomise(model)
    assert_grads_match(model, X, rng.standard_normal(12))


@pytest.mark.parametrize("l2", [0.0, 0.3])
def test_logistic_gradient(data, l2):
    X, rng = data
    model = LogisticRegression(3, l2=l2)
    randomise(model)
    assert_grads_match(model, X, rng.integers(0, 2, 12))


@pytest.mark.parametrize("l2", [0.0, 0.3])
def test_softmax_gradient(data, l2):
    X, rng = data
    model = SoftmaxRegression(3, 4, l2=l2)
    randomise(model)
    assert_grads_match(model, X, rng.integers(0, 4, 12))


@pytest.mark.parametrize("activation", ["relu", "tanh", "logistic"])
@pytest.mark.parametrize("output", ["softmax", "logistic", "identity"])
def test_mlp_gradient(data, activation, output):
    X, rng = data
    n_out = {"softmax": 3, "logistic": 1, "identity": 2}[output]
    model = MLP([3, 5, 4, n_out], activation=activation, output=output, l2=0.1, seed=2)
    if output == "identity":
        y = rng.standard_normal((12, 2))
    else:
        y = rng.integers(0, max(n_out, 2), 12)
    assert_grads_match(model, X, y)


def test_mlp_gradient_deep_and_no_hidden_layer(data):
    X, rng = data
    y = rng.integers(0, 2, 12)
    assert_grads_match(MLP([3, 4, 4, 4, 4, 2], activation="tanh", seed=3), X, y)
    assert_grads_match(MLP([3, 1], output="logistic", seed=3), X, y)


# --------------------------------------------------------------------------- losses vs references


def test_linear_loss_by_hand():
    X = np.array([[0.0], [1.0], [2.0]])
    model = LinearRegression(1)
    model.load_params([[1.0], [0.5]])
    # predictions 0.5, 1.5, 2.5 vs targets 2, 5, 8: residuals -1.5, -3.5, -5.5
    assert model.loss(X, [2.0, 5.0, 8.0]) == pytest.approx((1.5**2 + 3.5**2 + 5.5**2) / 3)


def test_closed_form_recovers_slope_and_intercept():
    rng = np.random.default_rng(0)
    x = rng.uniform(0, 2, (100, 1))
    y = 3 * x[:, 0] + 2  # noiseless: exact recovery
    w, b = closed_form(x, y)
    np.testing.assert_allclose([w[0], b], [3.0, 2.0], atol=1e-12)


@pytest.mark.parametrize("l2", [0.0, 0.5])
def test_closed_form_matches_sklearn(l2):
    rng = np.random.default_rng(1)
    X = rng.standard_normal((40, 3))
    y = X @ [1.0, -2.0, 0.5] + 0.7 + 0.1 * rng.standard_normal(40)
    w, b = closed_form(X, y, l2=l2)
    # ours: mean(r²) + l2/2 ‖w‖²  ==  (‖r‖² + n·l2/2 ‖w‖²)/n: Ridge's alpha = n·l2/2
    ref = linear_model.Ridge(alpha=40 * l2 / 2).fit(X, y)
    np.testing.assert_allclose(w, ref.coef_, rtol=1e-10)
    assert b == pytest.approx(ref.intercept_, rel=1e-10)


def test_mse_smoothness_is_hessian_eigenvalue_and_gd_threshold():
    rng = np.random.default_rng(2)
    X = rng.standard_normal((30, 2)) * [1.0, 3.0]
    y = rng.standard_normal(30)
    L, mu = mse_smoothness(X)
    # Hessian of the MSE by finite differences of the analytic gradient
    model = LinearRegression(2)
    theta0 = np.zeros(3)
    H = np.zeros((3, 3))
    for i in range(3):
        e = np.zeros(3)
        e[i] = 1e-4
        model.load_params([(theta0 + e)[:2], (theta0 + e)[2:]])
        up = np.concatenate(model.loss_and_grads(X, y)[1])
        model.load_params([(theta0 - e)[:2], (theta0 - e)[2:]])
        down = np.concatenate(model.loss_and_grads(X, y)[1])
        H[:, i] = (up - down) / 2e-4
    eig = np.linalg.eigvalsh(H)
    assert (L, mu) == pytest.approx((eig[-1], eig[0]), rel=1e-7)
    # full-batch GD: lr just below 2/L converges to the closed form, just above diverges
    w_star, b_star = closed_form(X, y)
    for factor, converges in [(0.95, True), (1.05, False)]:
        model = LinearRegression(2)
        for _ in range(3000):
            _, grads = model.loss_and_grads(X, y)
            for p, g in zip(model.params, grads, strict=True):
                p -= factor * 2 / L * g
            if not np.all(np.isfinite(model.params[0])) or np.abs(model.params[0]).max() > 1e6:
                break
        close = np.allclose(np.r_[model.params[0], model.params[1]], np.r_[w_star, b_star])
        assert close == converges


@pytest.mark.parametrize("l2", [0.05, 0.5])
def test_logistic_minimiser_matches_sklearn(l2):
    rng = np.random.default_rng(3)
    X = rng.standard_normal((60, 2))
    y = (X @ [1.5, -1.0] + 0.3 + 0.8 * rng.standard_normal(60) > 0).astype(int)
    model = LogisticRegression(2, l2=l2)
    theta = _minimise(model, X, y)
    # mean log loss + l2/2 ‖w‖²  ∝  C Σ log loss + ½‖w‖² with C = 1/(n·l2); sklearn's
    # lbfgs does not penalise the intercept either
    ref = linear_model.LogisticRegression(C=1 / (60 * l2), tol=1e-12, max_iter=10_000).fit(X, y)
    np.testing.assert_allclose(theta[:2], ref.coef_[0], rtol=1e-5)
    assert theta[2] == pytest.approx(ref.intercept_[0], rel=1e-5)
    np.testing.assert_allclose(model.predict_proba(X), ref.predict_proba(X)[:, 1], atol=1e-6)
    np.testing.assert_array_equal(model.predict(X), ref.predict(X))


def test_softmax_minimiser_matches_sklearn():
    rng = np.random.default_rng(4)
    X = rng.standard_normal((90, 2))
    y = np.argmax(X @ [[1.0, -1.0, 0.0], [0.0, 1.0, -1.0]] + rng.standard_normal((90, 3)), 1)
    model = SoftmaxRegression(2, 3, l2=0.1)
    _minimise(model, X, y)
    ref = linear_model.LogisticRegression(C=1 / (90 * 0.1), tol=1e-12, max_iter=10_000).fit(X, y)
    np.testing.assert_allclose(model.params[0], ref.coef_.T, atol=1e-5)
    # the intercepts are unpenalised, so only their differences are identified
    np.testing.assert_allclose(np.diff(model.params[1]), np.diff(ref.intercept_), atol=1e-5)
    np.testing.assert_allclose(model.predict_proba(X), ref.predict_proba(X), atol=1e-6)


def _minimise(model, X, y):
    shapes = [p.shape for p in model.params]
    sizes = [p.size for p in model.params]

    def unflatten(theta):
        parts = np.split(theta, np.cumsum(sizes)[:-1])
        return [t.reshape(s) for t, s in zip(parts, shapes, strict=True)]

    def fun(theta):
        model.load_params(unflatten(theta))
        loss, grads = model.loss_and_grads(X, y)
        return loss, np.concatenate([g.ravel() for g in grads])

    theta0 = np.concatenate([p.ravel() for p in model.params])
    res = minimize(fun, theta0, jac=True, method="BFGS", options={"gtol": 1e-12, "maxiter": 5000})
    model.load_params(unflatten(res.x))
    return res.x


@pytest.mark.parametrize("activation", ["relu", "tanh", "logistic"])
@pytest.mark.parametrize("n_classes", [2, 3])
def test_mlp_forward_matches_sklearn(activation, n_classes):
    rng = np.random.default_rng(5)
    X = rng.standard_normal((30, 4))
    y = rng.integers(0, n_classes, 30)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        ref = MLPClassifier(hidden_layer_sizes=(6, 5), activation=activation, max_iter=3,
                            random_state=0).fit(X, y)
    output = "logistic" if n_classes == 2 else "softmax"
    n_out = 1 if n_classes == 2 else n_classes
    model = MLP([4, 6, 5, n_out], activation=activation, output=output)
    model.load_params([a for W, b in zip(ref.coefs_, ref.intercepts_, strict=True) for a in (W, b)])
    proba = model.predict_proba(X)
    ref_proba = ref.predict_proba(X)
    np.testing.assert_allclose(proba, ref_proba[:, 1] if n_classes == 2 else ref_proba, rtol=1e-12)
    np.testing.assert_array_equal(model.predict(X), ref.predict(X))
    # the loss is the mean log loss / cross-entropy, as scikit-learn's metric computes it
    assert model.loss(X, y) == pytest.approx(log_loss(y, ref_proba), rel=1e-10)


def test_mlp_identity_output_matches_sklearn_regressor():
    rng = np.random.default_rng(6)
    X = rng.standard_normal((20, 3))
    y = rng.standard_normal(20)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        ref = MLPRegressor(hidden_layer_sizes=(4,), activation="tanh", max_iter=2,
                           random_state=0).fit(X, y)
    model = MLP([3, 4, 1], activation="tanh", output="identity")
    model.load_params([a for W, b in zip(ref.coefs_, ref.intercepts_, strict=True) for a in (W, b)])
    np.testing.assert_allclose(model.predict(X), ref.predict(X), rtol=1e-12)
    assert model.loss(X, y) == pytest.approx(np.mean((ref.predict(X) - y) ** 2), rel=1e-12)


def test_mlp_without_hidden_layer_is_logistic_regression(data):
    X, rng = data
    y = rng.integers(0, 2, 12)
    mlp = MLP([3, 1], output="logistic", l2=0.2, seed=4)
    logreg = LogisticRegression(3, l2=0.2)
    logreg.load_params([mlp.params[0][:, 0], mlp.params[1]])
    assert mlp.loss(X, y) == pytest.approx(logreg.loss(X, y), rel=1e-13)


def test_losses_stay_finite_for_huge_logits():
    X = np.array([[1e3], [-1e3]])
    model = LogisticRegression(1)
    model.load_params([[10.0], [0.0]])  # z = ±1e4: naive log(sigmoid) gives log(0)
    with np.errstate(all="raise", under="ignore"):  # underflow to 0 is harmless
        # each sample: log(1 + e^z) - y z = 1e4 exactly in real arithmetic
        assert model.loss(X, [0, 1]) == pytest.approx(1e4)
        assert np.isfinite(model.loss_and_grads(X, [0, 1])[1][0]).all()
        net = MLP([1, 2], seed=0)
        net.load_params([[[1e4, -1e4]], [0.0, 0.0]])
        assert net.loss(X, [1, 1]) == pytest.approx((2e7 + 0) / 2)


# --------------------------------------------------------------------------- interface


def test_mlp_init_is_seeded_and_glorot_bounded():
    a, b, c = MLP([5, 7, 3], seed=1), MLP([5, 7, 3], seed=1), MLP([5, 7, 3], seed=2)
    for pa, pb in zip(a.params, b.params, strict=True):
        np.testing.assert_array_equal(pa, pb)
    assert not np.array_equal(a.params[0], c.params[0])
    assert np.abs(a.params[0]).max() <= np.sqrt(6 / 12)
    assert np.abs(MLP([5, 7, 3], activation="logistic").params[0]).max() <= np.sqrt(2 / 12)
    assert a.n_params == 5 * 7 + 7 + 7 * 3 + 3


def test_load_params_writes_in_place():
    model = MLP([2, 3, 2])
    arrays = list(model.params)
    snapshot = model.copy_params()
    model.params[0] += 1.0
    model.load_params(snapshot)
    assert all(a is p for a, p in zip(arrays, model.params, strict=True))
    np.testing.assert_array_equal(model.params[0], snapshot[0])
    with pytest.raises(ValueError, match=r"values\[0\] must have shape"):
        model.load_params([np.zeros(3)] + snapshot[1:])


def test_bad_input_raises_naming_the_argument():
    with pytest.raises(ValueError, match=r"X must have shape \(n_samples, 3\)"):
        LinearRegression(3).loss(np.ones((4, 2)), np.ones(4))
    with pytest.raises(ValueError, match=r"y must have shape \(4,\)"):
        LinearRegression(3).loss(np.ones((4, 3)), np.ones(5))
    with pytest.raises(ValueError, match="X contains NaN"):
        LinearRegression(1).loss([[np.nan]], [1.0])
    with pytest.raises(ValueError, match="class labels"):
        LogisticRegression(1).loss([[1.0]], [2])
    with pytest.raises(ValueError, match="l2"):
        SoftmaxRegression(2, 3, l2=-1)
    with pytest.raises(ValueError, match="activation"):
        MLP([2, 2], activation="gelu")
    with pytest.raises(ValueError, match="output='logistic'"):
        MLP([2, 3], output="logistic")
    with pytest.raises(ValueError, match=r"layer_sizes\[1\]"):
        MLP([2, 0, 2])
    with pytest.raises(ValueError, match="n_classes"):
        SoftmaxRegression(2, 1)


def test_from_params_holds_the_given_weights():
    model = LinearRegression.from_params([1.0, -2.0], 0.5)
    np.testing.assert_allclose(model.predict([[1.0, 1.0]]), [-0.5])
    logreg = LogisticRegression.from_params([2.0], -1.0)
    np.testing.assert_allclose(logreg.predict_proba([[0.5]]), [0.5])
