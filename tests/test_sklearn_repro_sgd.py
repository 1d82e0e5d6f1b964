"""fit_like_sgd_classifier against scikit-learn's SGDClassifier, run live on the same data.

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
from sklearn.linear_model import SGDClassifier
from sklearn.preprocessing import StandardScaler

from course_lib.sklearn_repro import fit_like_sgd_classifier
from course_lib.sklearn_repro.sgd_classifier import SGD_DEFAULTS

RTOL, ATOL = 1e-8, 1e-14


def _standardised(loader, n_rows, n_cols=None):
    X, y = loader(return_X_y=True)
    rows = np.random.RandomState(0).permutation(X.shape[0])[:n_rows]
    X = StandardScaler().fit_transform(X[rows][:, :n_cols])
    return X, y[rows]


DATA = {
    "iris": _standardised(load_iris, 150),  # 3 classes: one-vs-rest
    "wine": _standardised(load_wine, 120),
    "breast_cancer": _standardised(load_breast_cancer, 150, 12),  # binary
    "digits": _standardised(load_digits, 120, 40),  # 10 classes
    "generated": make_classification(120, 6, n_informative=4, random_state=1),
}
STRING_LABELS = (DATA["iris"][0], np.array(["setosa", "versicolor", "virginica"])[DATA["iris"][1]])

# Each setting is run on several data sets; together they cover every supported option.
SETTINGS = {
    "defaults_in_order": dict(shuffle=False),
    "log_loss": dict(shuffle=False, loss="log_loss", max_iter=40),
    "constant": dict(shuffle=False, learning_rate="constant", eta0=0.05, max_iter=25),
    "invscaling": dict(shuffle=False, loss="log_loss", learning_rate="invscaling", eta0=0.5,
                       power_t=0.3, max_iter=25),
    "adaptive": dict(shuffle=False, learning_rate="adaptive", eta0=0.1, tol=1e-2,
                     n_iter_no_change=2, max_iter=40),
    "no_penalty_no_tol": dict(shuffle=False, penalty=None, learning_rate="constant",
                              eta0=0.01, tol=None, max_iter=6),
    "no_intercept": dict(shuffle=False, fit_intercept=False, alpha=0.01, n_iter_no_change=2),
    # eta * alpha = 0.5: the weight scale halves each step and is folded back below 1e-9
    "wscale_reset": dict(shuffle=False, learning_rate="constant", eta0=0.05, alpha=10.0,
                         max_iter=5, tol=None),
    # eta * alpha > 1: the shrink factor is clipped to 0 (weights reset to zero)
    "shrink_clipped": dict(shuffle=False, learning_rate="constant", eta0=0.5, alpha=3.0,
                           max_iter=3, tol=None),
    "shuffled": dict(shuffle=True, random_state=3, max_iter=30),
    "shuffled_log_loss": dict(shuffle=True, random_state=0, loss="log_loss", alpha=1e-3,
                              max_iter=30),
}
CASES = [
    ("iris", "defaults_in_order"), ("iris", "log_loss"), ("iris", "constant"),
    ("iris", "invscaling"), ("iris", "adaptive"), ("iris", "shuffled"),
    ("iris", "wscale_reset"), ("iris", "shrink_clipped"),
    ("wine", "no_penalty_no_tol"), ("wine", "no_intercept"), ("wine", "shuffled_log_loss"),
    ("breast_cancer", "defaults_in_order"), ("breast_cancer", "log_loss"),
    ("breast_cancer", "invscaling"), ("breast_cancer", "adaptive"),
    ("breast_cancer", "wscale_reset"), ("breast_cancer", "shuffled"),
    ("digits", "constant"), ("digits", "shuffled_log_loss"),
    ("generated", "defaults_in_order"), ("generated", "no_intercept"),
    ("generated", "no_penalty_no_tol"), ("generated", "shrink_clipped"),
]


def _fit_both(X, y, params):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)  # short runs are deliberate
        ours = fit_like_sgd_classifier(X, y, **params)
        ref = SGDClassifier(**params).fit(X, y)
    return ours, ref


@pytest.mark.parametrize(("data", "setting"), CASES)
def test_matches_sklearn(data, setting):
    X, y = DATA[data]
    ours, ref = _fit_both(X, y, SETTINGS[setting])
    assert ours.n_iter_ == ref.n_iter_
    assert ours.t_ == ref.t_
    np.testing.assert_array_equal(ours.classes_, ref.classes_)
    assert ours.coef_.shape == ref.coef_.shape and ours.intercept_.shape == ref.intercept_.shape
    np.testing.assert_allclose(ours.coef_, ref.coef_, rtol=RTOL, atol=ATOL)
    np.testing.assert_allclose(ours.intercept_, ref.intercept_, rtol=RTOL, atol=ATOL)
    np.testing.assert_array_equal(ours.predict(X), ref.predict(X))
    np.testing.assert_allclose(ours.decision_function(X), ref.decision_function(X),
                               rtol=1e-8, atol=1e-10)


def test_settings_exercise_what_they_claim():
    """The stopping rule and the adaptive schedule really fire in the cases above."""
    X, y = DATA["iris"]
    _, stopped = _fit_both(X, y, SETTINGS["defaults_in_order"])
    assert stopped.n_iter_ < SGD_DEFAULTS["max_iter"]
    _, adaptive = _fit_both(X, y, SETTINGS["adaptive"])
    _, constant = _fit_both(X, y, {**SETTINGS["adaptive"], "learning_rate": "constant"})
    assert adaptive.n_iter_ > constant.n_iter_  # eta / 5 instead of stopping


def test_string_labels_and_binary_positive_class():
    X, y = STRING_LABELS
    ours, ref = _fit_both(X, y, dict(shuffle=False, max_iter=10, tol=None))
    np.testing.assert_allclose(ours.coef_, ref.coef_, rtol=RTOL, atol=ATOL)
    binary = y != "setosa"
    ours, ref = _fit_both(X[binary], y[binary], dict(shuffle=False, max_iter=10, tol=None))
    np.testing.assert_allclose(ours.coef_, ref.coef_, rtol=RTOL, atol=ATOL)
    np.testing.assert_array_equal(ours.predict(X[binary]), ref.predict(X[binary]))


def test_defaults_are_sklearns():
    assert SGD_DEFAULTS == SGDClassifier().get_params()


def test_convergence_warning_like_sklearn():
    X, y = DATA["iris"]
    with pytest.warns(ConvergenceWarning):
        SGDClassifier(shuffle=False, max_iter=2).fit(X, y)
    with pytest.warns(ConvergenceWarning, match="max_iter"):
        fit_like_sgd_classifier(X, y, shuffle=False, max_iter=2)
    with warnings.catch_warnings():
        warnings.simplefilter("error", ConvergenceWarning)
        fit_like_sgd_classifier(X, y, shuffle=False, max_iter=2, tol=None)  # tol=None: no warning


def test_overflow_raises_like_sklearn():
    X, y = load_breast_cancer(return_X_y=True)  # unscaled: features up to ~4000
    params = dict(shuffle=False, learning_rate="constant", eta0=1e306, penalty=None, max_iter=3)
    with pytest.raises(ValueError, match="overflow occurred at epoch #1"):
        SGDClassifier(**params).fit(X[:60], y[:60])
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # one clear error, no NumPy overflow warnings first
        with pytest.raises(ValueError, match="overflow occurred at epoch #1"):
            fit_like_sgd_classifier(X[:60], y[:60], **params)


@pytest.mark.parametrize(("params", "name"), [
    (dict(loss="modified_huber"), "loss"),
    (dict(penalty="l1"), "penalty"),
    (dict(penalty="elasticnet"), "penalty"),
    (dict(learning_rate="pa1"), "learning_rate"),
    (dict(average=True), "average"),
    (dict(average=10), "average"),
    (dict(early_stopping=True), "early_stopping"),
    (dict(class_weight="balanced"), "class_weight"),
    (dict(warm_start=True), "warm_start"),
    (dict(shuffle=True), "random_state"),  # shuffling needs a reproducible seed
    (dict(alpha=-1.0), "alpha"),
    (dict(alpha=0.0), "alpha"),  # 'optimal' divides by alpha
    (dict(eta0=0.0), "eta0"),
    (dict(power_t=-0.5), "power_t"),
    (dict(max_iter=0), "max_iter"),
    (dict(max_iter=2.5), "max_iter"),
    (dict(tol=-1e-3), "tol"),
    (dict(n_iter_no_change=0), "n_iter_no_change"),
    (dict(fit_intercept="yes"), "fit_intercept"),
])
def test_unsupported_or_invalid_values_name_the_parameter(params, name):
    X, y = DATA["iris"]
    with pytest.raises(ValueError, match=name):
        fit_like_sgd_classifier(X, y, **{"shuffle": False, **params})


def test_unknown_parameter_is_a_type_error():
    X, y = DATA["iris"]
    with pytest.raises(TypeError, match="learning_rate_init"):
        fit_like_sgd_classifier(X, y, learning_rate_init=0.1)


@pytest.mark.parametrize(("X", "y", "message"), [
    (np.zeros((4, 2), dtype=np.float32), [0, 1, 0, 1], "float32"),
    (np.zeros(4), [0, 1, 0, 1], "2-D"),
    (np.zeros((4, 2)), [0, 1, 0], "samples"),
    (np.zeros((4, 2)), [1, 1, 1, 1], "two classes"),
    (np.array([[0.0, np.nan], [1.0, 1.0]]), [0, 1], "NaN"),
])
def test_bad_data(X, y, message):
    with pytest.raises(ValueError, match=message):
        fit_like_sgd_classifier(X, y, shuffle=False)
