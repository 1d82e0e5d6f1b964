"""fit_like_mlp_classifier against scikit-learn's MLPClassifier, run live on the same data.

Reference values come from scikit-learn itself (fitted here, never stored).  The
contract is agreement within 1e-8 relative; in practice the numbers are bit-identical.
"""

import warnings

import numpy as np
import pytest
from sklearn.datasets import (
    load_breast_cancer,
    load_digits,
    load_iris,
    load_wine,
    make_classification,
)
from sklearn.exceptions import ConvergenceWarning
from sklearn.neural_network import MLPClassifier
from sklearn.preprocessing import StandardScaler

from course_lib.sklearn_repro import fit_like_mlp_classifier
from course_lib.sklearn_repro.mlp_classifier import MLP_DEFAULTS

RTOL, ATOL = 1e-8, 1e-14


def _standardised(loader, n_rows, n_cols=None):
    X, y = loader(return_X_y=True)
    rows = np.random.RandomState(0).permutation(X.shape[0])[:n_rows]
    X = StandardScaler().fit_transform(X[rows][:, :n_cols])
    return X, y[rows]


DATA = {
    "iris": _standardised(load_iris, 150),  # 3 classes: softmax output
    "wine": _standardised(load_wine, 120),
    "breast_cancer": _standardised(load_breast_cancer, 200, 15),  # binary: logistic output
    "digits": _standardised(load_digits, 250),  # 10 classes, 64 features
    "generated": make_classification(150, 6, n_informative=4, random_state=1),
}

# Each setting is run on several data sets; together they cover every supported option.
SETTINGS = {
    "adam_defaults": dict(hidden_layer_sizes=(16,), max_iter=15),
    "adam_tuned": dict(hidden_layer_sizes=(10, 10, 10), beta_1=0.8, beta_2=0.99,
                       epsilon=1e-6, alpha=1.0, batch_size=64, learning_rate_init=0.01,
                       max_iter=12),
    "adam_stops": dict(hidden_layer_sizes=(8,), learning_rate_init=0.05, tol=1e-2,
                       n_iter_no_change=2, max_iter=60),
    "sgd_nesterov_tanh": dict(solver="sgd", hidden_layer_sizes=(8, 5), activation="tanh",
                              batch_size=32, learning_rate_init=0.05, max_iter=12),
    "sgd_plain_momentum_logistic": dict(solver="sgd", activation="logistic",
                                        nesterovs_momentum=False, momentum=0.5,
                                        hidden_layer_sizes=(12,), learning_rate_init=0.2,
                                        max_iter=12),
    "sgd_invscaling": dict(solver="sgd", learning_rate="invscaling", power_t=0.3,
                           learning_rate_init=0.1, hidden_layer_sizes=(10,), batch_size=40,
                           max_iter=12),
    "sgd_adaptive": dict(solver="sgd", learning_rate="adaptive", learning_rate_init=0.05,
                         nesterovs_momentum=False,
                         tol=1e-2, n_iter_no_change=2, batch_size=50, alpha=0.01,
                         hidden_layer_sizes=(6,), max_iter=40),
    "sgd_no_momentum_identity": dict(solver="sgd", momentum=0.0, activation="identity",
                                     hidden_layer_sizes=(4,), batch_size=25, max_iter=10),
    "shuffled_adam": dict(shuffle=True, hidden_layer_sizes=(6,), batch_size=20, max_iter=10),
    "shuffled_sgd": dict(shuffle=True, solver="sgd", hidden_layer_sizes=(6, 6), batch_size=40,
                         learning_rate_init=0.05, max_iter=10),
    "one_batch_no_alpha": dict(solver="sgd", batch_size=100_000, alpha=0.0,
                               hidden_layer_sizes=(5,), learning_rate_init=0.5, max_iter=10,
                               n_iter_no_change=np.inf),
}
CASES = [
    ("iris", "adam_defaults"), ("iris", "sgd_nesterov_tanh"), ("iris", "sgd_adaptive"),
    ("iris", "shuffled_adam"), ("iris", "one_batch_no_alpha"), ("iris", "adam_stops"),
    ("wine", "sgd_plain_momentum_logistic"), ("wine", "sgd_invscaling"),
    ("wine", "adam_tuned"),
    ("breast_cancer", "adam_defaults"), ("breast_cancer", "adam_tuned"),
    ("breast_cancer", "sgd_nesterov_tanh"), ("breast_cancer", "sgd_plain_momentum_logistic"),
    ("breast_cancer", "sgd_adaptive"), ("breast_cancer", "shuffled_sgd"),
    ("digits", "adam_defaults"), ("digits", "sgd_invscaling"),
    ("digits", "sgd_no_momentum_identity"),
    ("generated", "adam_stops"), ("generated", "sgd_no_momentum_identity"),
    ("generated", "shuffled_adam"), ("generated", "one_batch_no_alpha"),
]


def _fit_both(X, y, params):
    params = {"shuffle": False, "random_state": 0, **params}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)  # short runs are deliberate
        warnings.filterwarnings("ignore", message="Got `batch_size`")  # one_batch_no_alpha
        ours = fit_like_mlp_classifier(X, y, **params)
        ref = MLPClassifier(**params).fit(X, y)
    return ours, ref


def _assert_lists_close(ours, ref):
    assert len(ours) == len(ref)
    for a, b in zip(ours, ref, strict=True):
        assert a.shape == b.shape
        np.testing.assert_allclose(a, b, rtol=RTOL, atol=ATOL)


@pytest.mark.parametrize(("data", "setting"), CASES)
def test_matches_sklearn(data, setting):
    X, y = DATA[data]
    ours, ref = _fit_both(X, y, SETTINGS[setting])
    assert ours.n_iter_ == ref.n_iter_
    assert ours.t_ == ref.t_
    np.testing.assert_array_equal(ours.classes_, ref.classes_)
    assert ours.out_activation_ == ref.out_activation_
    _assert_lists_close(ours.coefs_, ref.coefs_)
    _assert_lists_close(ours.intercepts_, ref.intercepts_)
    np.testing.assert_allclose(ours.loss_curve_, ref.loss_curve_, rtol=RTOL, atol=ATOL)
    np.testing.assert_allclose([ours.loss_, ours.best_loss_], [ref.loss_, ref.best_loss_],
                               rtol=RTOL, atol=ATOL)
    np.testing.assert_allclose(ours.predict_proba(X), ref.predict_proba(X), rtol=1e-8,
                               atol=1e-12)
    np.testing.assert_array_equal(ours.predict(X), ref.predict(X))


def test_initial_weights_are_sklearns():
    """max_iter=1 with a tiny learning rate: the weights are (almost) the initial draw."""
    X, y = DATA["wine"]
    for activation in ("relu", "logistic"):  # logistic uses sqrt(2 / ...) instead of sqrt(6 / ...)
        ours, ref = _fit_both(X, y, dict(activation=activation, hidden_layer_sizes=(7, 3),
                                         max_iter=1, random_state=42))
        _assert_lists_close(ours.coefs_, ref.coefs_)
        _assert_lists_close(ours.intercepts_, ref.intercepts_)


def test_settings_exercise_what_they_claim():
    """The stopping rule and the adaptive schedule really fire in the cases above."""
    X, y = DATA["iris"]
    _, stopped = _fit_both(X, y, SETTINGS["adam_stops"])
    assert stopped.n_iter_ < SETTINGS["adam_stops"]["max_iter"]
    _, adaptive = _fit_both(X, y, SETTINGS["sgd_adaptive"])
    _, constant = _fit_both(X, y, {**SETTINGS["sgd_adaptive"], "learning_rate": "constant"})
    assert adaptive.n_iter_ > constant.n_iter_  # lr / 5 instead of stopping


def test_string_labels_and_int_hidden_layer_sizes():
    X, y = DATA["iris"]
    names = np.array(["setosa", "versicolor", "virginica"])[y]
    for rows in (slice(None), names != "setosa"):  # multiclass and binary
        ours, ref = _fit_both(X[rows], names[rows], dict(hidden_layer_sizes=5, max_iter=5))
        _assert_lists_close(ours.coefs_, ref.coefs_)
        np.testing.assert_array_equal(ours.predict(X[rows]), ref.predict(X[rows]))


def test_defaults_are_sklearns():
    assert MLP_DEFAULTS == MLPClassifier().get_params()


def test_warnings_like_sklearn():
    X, y = DATA["iris"]
    with pytest.warns(ConvergenceWarning, match="Maximum iterations"):
        fit_like_mlp_classifier(X, y, shuffle=False, random_state=0, max_iter=2)
    with pytest.warns(UserWarning, match="batch_size"):
        fit_like_mlp_classifier(X, y, shuffle=False, random_state=0, max_iter=20,
                                batch_size=1000, tol=10.0, n_iter_no_change=1)


def test_divergence_is_one_clear_error():
    X, y = DATA["breast_cancer"]
    params = dict(solver="sgd", learning_rate_init=1e200, momentum=0.0, shuffle=False,
                  random_state=0, max_iter=5)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no wall of NumPy overflow warnings
        with pytest.raises(ValueError, match=r"non-finite parameter weights at epoch \d"):
            fit_like_mlp_classifier(X, y, **params)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # scikit-learn runs on through NaN, warning as it goes
        with pytest.raises(ValueError, match="non-finite parameter weights"):
            MLPClassifier(**params).fit(X, y)


@pytest.mark.parametrize(("params", "name"), [
    (dict(solver="lbfgs"), "solver"),
    (dict(activation="softmax"), "activation"),
    (dict(early_stopping=True), "early_stopping"),
    (dict(warm_start=True), "warm_start"),
    (dict(learning_rate="optimal"), "learning_rate"),
    (dict(random_state=None), "random_state"),
    (dict(random_state=np.random.RandomState(0)), "random_state"),
    (dict(hidden_layer_sizes=(5, 0)), "hidden_layer_sizes"),
    (dict(hidden_layer_sizes=()), "hidden_layer_sizes"),
    (dict(alpha=-0.1), "alpha"),
    (dict(learning_rate_init=0.0), "learning_rate_init"),
    (dict(momentum=1.5), "momentum"),
    (dict(beta_1=1.0), "beta_1"),
    (dict(beta_2=-0.1), "beta_2"),
    (dict(epsilon=0.0), "epsilon"),
    (dict(batch_size=0), "batch_size"),
    (dict(batch_size="all"), "batch_size"),
    (dict(max_iter=0), "max_iter"),
    (dict(tol=-1.0), "tol"),
    (dict(n_iter_no_change=0), "n_iter_no_change"),
    (dict(nesterovs_momentum="yes"), "nesterovs_momentum"),
])
def test_unsupported_or_invalid_values_name_the_parameter(params, name):
    X, y = DATA["iris"]
    with pytest.raises(ValueError, match=name):
        fit_like_mlp_classifier(X, y, **{"shuffle": False, "random_state": 0, **params})


def test_unknown_parameter_is_a_type_error():
    X, y = DATA["iris"]
    with pytest.raises(TypeError, match="eta0"):
        fit_like_mlp_classifier(X, y, random_state=0, eta0=0.1)


@pytest.mark.parametrize(("X", "y", "message"), [
    (np.zeros((4, 2), dtype=np.float32), [0, 1, 0, 1], "float32"),
    (np.zeros((4, 2)), [[0, 1], [1, 0], [0, 1], [1, 0]], "multilabel"),
    (np.zeros((4, 2)), [1, 1, 1, 1], "two classes"),
    (np.array([[0.0, np.inf], [1.0, 1.0]]), [0, 1], "infinity"),
])
def test_bad_data(X, y, message):
    with pytest.raises(ValueError, match=message):
        fit_like_mlp_classifier(X, y, random_state=0)
