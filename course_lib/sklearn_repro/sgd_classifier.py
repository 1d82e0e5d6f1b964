"""scikit-learn's ``SGDClassifier.fit`` rewritten in plain Python, number for number.

scikit-learn runs the per-sample loop in Cython (``sklearn/linear_model/_sgd_fast.pyx.tp``,
function ``_plain_sgd``).  This file is that loop for dense data, written to be read:
a student can put it side by side with :class:`sklearn.linear_model.SGDClassifier`
and get the same ``coef_``, ``intercept_`` and ``n_iter_``, to the last bit.

Where scikit-learn differs from the textbook's SGD, the comments say so:

* **Per-sample updates.**  One sample at a time, in the order of ``X``
  (``shuffle=True``, the default, permutes it each epoch with scikit-learn's own RNG).
* **Learning rate 'optimal'** (the default) is Bottou's schedule
  ``eta_t = 1 / (alpha * (t0 + t - 1))``, with ``t0`` chosen by a heuristic so that the
  first step has size ``typw = sqrt(1 / sqrt(alpha))`` (an estimate of a typical weight).
* **The weight-scale trick.**  The L2 penalty shrinks every weight by the same factor
  ``(1 - eta * alpha)`` each step; instead of touching every weight, scikit-learn keeps
  ``w = wscale * v`` and multiplies the single number ``wscale``.
* **Labels.**  log_loss is written for y in {0, 1} (``log(1 + e^p) - y p``), hinge for
  y in {-1, +1}; both are the textbook losses, only the label coding differs.
* **Hinge at the margin.**  The hinge gradient is taken as ``-y`` when ``y * p <= 1``:
  a sample exactly on the margin still pushes the weights.
* **Stopping.**  Not the gradient norm: the training objective (mean loss plus the L2
  term, summed sample by sample *during* the epoch) must fail to improve by ``tol`` for
  ``n_iter_no_change`` epochs in a row.
* **Sequential sums.**  The dot products are added one term after another, as the
  Cython loop adds them (NumPy's ``dot`` adds in blocks and rounds differently).
* **One-vs-rest.**  With more than two classes, one binary problem per class (that class
  +1, the rest -1 or 0), each started from zero with its own step counter ``t = 1``.
"""

from __future__ import annotations

import math
import warnings
from dataclasses import dataclass
from typing import Any

import numpy as np

from course_lib.sklearn_repro import _params

#: SGDClassifier's parameters and defaults (scikit-learn 1.9); a test checks them live.
SGD_DEFAULTS: dict[str, Any] = {
    "loss": "hinge", "penalty": "l2", "alpha": 0.0001, "l1_ratio": 0.15,
    "fit_intercept": True, "max_iter": 1000, "tol": 1e-3, "shuffle": True, "verbose": 0,
    "epsilon": 0.1, "n_jobs": None, "random_state": None, "learning_rate": "optimal",
    "eta0": 0.01, "power_t": 0.5, "early_stopping": False, "validation_fraction": 0.1,
    "n_iter_no_change": 5, "class_weight": None, "warm_start": False, "average": False,
}

MAX_DLOSS = 1e12  # scikit-learn clips the loss derivative to +-1e12
WSCALE_RESET = 1e-9  # below this, wscale is folded back into the weights
MAX_INT = np.iinfo(np.int32).max


@dataclass
class SGDClassifierFit:
    """What ``fit_like_sgd_classifier`` returns: SGDClassifier's fitted attributes.

    Attributes
    ----------
    coef_ : ndarray of shape (1, n_features) or (n_classes, n_features)
    intercept_ : ndarray of shape (1,) or (n_classes,)
    n_iter_ : int
        Epochs run (for one-vs-rest, the largest over the classes).
    classes_ : ndarray of shape (n_classes,)
    t_ : float
        ``1 + n_iter_ * n_samples``, as scikit-learn records it.
    """

    coef_: np.ndarray
    intercept_: np.ndarray
    n_iter_: int
    classes_: np.ndarray
    t_: float

    def decision_function(self, X: Any) -> np.ndarray:
        """Signed distance to the hyperplane(s), as ``SGDClassifier.decision_function``."""
        scores = np.asarray(X, dtype=np.float64) @ self.coef_.T + self.intercept_
        return scores.ravel() if scores.shape[1] == 1 else scores

    def predict(self, X: Any) -> np.ndarray:
        """Predicted class labels."""
        scores = self.decision_function(X)
        index = (scores > 0).astype(int) if scores.ndim == 1 else scores.argmax(axis=1)
        return self.classes_[index]


# ---------------------------------------------------------------------------
# the two losses: value and derivative with respect to the prediction p
# ---------------------------------------------------------------------------

def hinge_loss(y: float, p: float) -> float:
    """``max(0, 1 - y p)`` for y in {-1, +1}."""
    z = p * y
    return 1.0 - z if z <= 1.0 else 0.0


def hinge_dloss(y: float, p: float) -> float:
    """Derivative of the hinge loss in p; ``-y`` on the margin too (``<=``, not ``<``)."""
    return -y if p * y <= 1.0 else 0.0


def _log1pexp(x: float) -> float:
    # log(1 + e^x) in four ranges, each accurate and overflow-free (sklearn/_loss/_loss.pyx.tp)
    if x <= -37:
        return math.exp(x)
    if x <= -2:
        return math.log1p(math.exp(x))
    if x <= 18:
        return math.log(1.0 + math.exp(x))
    if x <= 33.3:
        return x + math.exp(-x)
    return x


def log_loss(y: float, p: float) -> float:
    """Logistic loss ``log(1 + e^p) - y p`` for y in {0, 1}."""
    return _log1pexp(p) - y * p


def log_dloss(y: float, p: float) -> float:
    """Derivative of the logistic loss in p: ``expit(p) - y``, written as scikit-learn does."""
    if p > -37:
        e = math.exp(-p)
        return ((1 - y) - y * e) / (1 + e)
    return math.exp(p) - y


LOSSES = {"hinge": (hinge_loss, hinge_dloss), "log_loss": (log_loss, log_dloss)}


def c_pow(x: float, y: float) -> float:
    """C's ``pow``: ``math.pow`` calls it, but raises OverflowError where C returns inf."""
    try:
        return math.pow(x, y)
    except OverflowError:
        return math.inf


def sequential_dot(a: np.ndarray, b: np.ndarray) -> float:
    """``sum(a * b)`` added left to right, as the Cython loop adds it.

    ``np.dot`` would use BLAS, which adds in blocks (a different rounding); the running
    sum of ``np.add.accumulate`` is strictly sequential.
    """
    return float(np.add.accumulate(a * b)[-1])


# ---------------------------------------------------------------------------
# the per-sample loop: one binary problem
# ---------------------------------------------------------------------------

def eta_schedule(learning_rate: str, eta0: float, power_t: float, alpha: float,
                 dloss) -> Any:
    """Return ``eta(t)``, the step size at sample count t (t = 1 for the first sample)."""
    if learning_rate == "optimal":
        # Bottou's schedule for an alpha-strongly-convex objective, 1 / (alpha (t0 + t)),
        # shifted so that t counts from 1.  Heuristic for t0: a typical weight has size
        # typw, and the first step should be about that large: eta(1) = initial_eta0 =
        # typw / max(1, dloss(1, -typw)), which is typw for hinge and log_loss (their
        # derivative there is negative).  The textbook's eta0 / t has no such t0.
        typw = math.sqrt(1.0 / math.sqrt(alpha))
        initial_eta0 = typw / max(1.0, dloss(1.0, -typw))
        optimal_init = 1.0 / (initial_eta0 * alpha)
        return lambda t: 1.0 / (alpha * (optimal_init + t - 1))
    if learning_rate == "invscaling":
        return lambda t: eta0 / c_pow(t, power_t)
    return None  # constant and adaptive: eta is a number, changed only between epochs


class WeightVector:
    """The weights as ``wscale * v`` (scikit-learn's ``WeightVector``), for cheap L2 decay.

    Shrinking every weight by ``(1 - eta * alpha)`` each step would touch all features;
    multiplying the one number ``wscale`` does the same.  ``sq_norm`` (``||w||**2``) is
    kept up to date the way scikit-learn keeps it, because the stopping rule uses it.
    """

    def __init__(self, n_features: int):
        self.v = np.zeros(n_features)
        self.wscale = 1.0
        self.sq_norm = 0.0

    def dot(self, x: np.ndarray) -> float:
        return sequential_dot(self.v, x) * self.wscale

    def scale(self, c: float) -> None:
        self.wscale *= c
        self.sq_norm *= c * c
        if self.wscale < WSCALE_RESET:  # fold the scale into v before it underflows
            self.v *= self.wscale
            self.wscale = 1.0

    def add(self, x: np.ndarray, c: float) -> None:
        """``w += c * x``."""
        self.v += x * (c / self.wscale)  # v is stored unscaled: divide the step by wscale
        self.sq_norm = sequential_dot(self.v, self.v) * (self.wscale * self.wscale)

    def weights(self) -> np.ndarray:
        return self.v * self.wscale


def plain_sgd(X: np.ndarray, y: list[float], p: dict[str, Any],
              order_seed: int | None = None) -> tuple[np.ndarray, float, int]:
    """Fit one binary linear model by per-sample SGD; return ``(w, b, n_epochs)``.

    ``y`` holds +1 / -1 (hinge) or 1 / 0 (log_loss).  ``order_seed`` is the seed of
    scikit-learn's per-epoch shuffle (``None``: samples in the order given).
    """
    state = {"w": WeightVector(X.shape[1]), "b": 0.0, "t": 1.0, "eta": p["eta0"]}
    eta_at = eta_schedule(p["learning_rate"], p["eta0"], p["power_t"], p["alpha"],
                          LOSSES[p["loss"]][1])
    tol = -math.inf if p["tol"] is None else p["tol"]
    best_objective, no_improvement_count = math.inf, 0
    order = np.arange(X.shape[0])
    # overflow shows up as inf / NaN weights, reported once after the epoch (as in C)
    with np.errstate(over="ignore", invalid="ignore"):
        for epoch in range(p["max_iter"]):
            if order_seed is not None:
                shuffle_in_place(order, order_seed)
            objective = sgd_epoch(X, y, order, state, eta_at, p) / X.shape[0]
            if not (math.isfinite(state["b"]) and np.isfinite(state["w"].v).all()):
                raise ValueError(
                    f"Floating-point under-/overflow occurred at epoch #{epoch + 1}. "
                    "Scaling input data with StandardScaler or MinMaxScaler might help."
                )
            # stopping rule: epochs whose objective is not tol below the best so far
            no_improvement_count = no_improvement_count + 1 if (
                tol > -math.inf and objective > best_objective - tol) else 0
            best_objective = min(best_objective, objective)
            if no_improvement_count >= p["n_iter_no_change"]:
                if p["learning_rate"] == "adaptive" and state["eta"] > 1e-6:
                    state["eta"], no_improvement_count = state["eta"] / 5, 0
                else:
                    break
    return state["w"].weights(), state["b"], epoch + 1


def sgd_epoch(X: np.ndarray, y: list[float], order: np.ndarray, state: dict[str, Any],
              eta_at, p: dict[str, Any]) -> float:
    """One pass over the samples in ``order``; updates ``state``, returns the objective sum."""
    loss, dloss = LOSSES[p["loss"]]
    alpha, l2, fit_intercept = p["alpha"], p["penalty"] == "l2", p["fit_intercept"]
    w, b, t, eta = state["w"], state["b"], state["t"], state["eta"]
    objective_sum = 0.0
    for i in order:
        x, yi = X[i], y[i]
        pred = w.dot(x) + b  # predict with the old weights
        if eta_at is not None:
            eta = eta_at(t)
        # the epoch objective is summed with the weights *before* this sample's step
        objective_sum += loss(yi, pred)
        if l2:  # the L2 term 0.5 alpha ||w||^2, whose gradient alpha w is the decay below;
            # sklearn squares the norm, pow(sqrt(sq_norm), 2), which can differ from sq_norm
            objective_sum += alpha * (0.5 * c_pow(math.sqrt(w.sq_norm), 2))
        # the step along x: -eta times the loss derivative, clipped to +-1e12 for safety
        update = -eta * min(max(dloss(yi, pred), -MAX_DLOSS), MAX_DLOSS)
        if l2:  # weight decay, clipped at 0: a too-large eta * alpha zeroes w, never flips it
            w.scale(max(0.0, 1.0 - eta * alpha))
        if update != 0.0:
            w.add(x, update)
            if fit_intercept:
                b += update  # the intercept is never penalised
        t += 1
    state["b"], state["t"] = b, t
    if eta_at is not None:
        state["eta"] = eta
    return objective_sum


def shuffle_in_place(order: np.ndarray, seed: int) -> None:
    """scikit-learn's per-epoch Fisher-Yates shuffle (``SequentialDataset.shuffle``).

    Its random numbers come from a 32-bit xorshift (``our_rand_r`` in
    ``sklearn/utils/_random.pxd``), restarted from the same ``seed`` every epoch: each
    epoch applies the same permutation again to the previous order.
    """
    state = seed if seed != 0 else 1  # the xorshift never starts from 0
    n = order.shape[0]
    for i in range(n - 1):
        state ^= (state << 13) & 0xFFFFFFFF
        state ^= state >> 17
        state ^= (state << 5) & 0xFFFFFFFF
        j = i + (state % (MAX_INT + 1)) % (n - i)
        order[i], order[j] = order[j], order[i]


# ---------------------------------------------------------------------------
# the public function: arguments, one-vs-rest, scikit-learn's attributes
# ---------------------------------------------------------------------------

def fit_like_sgd_classifier(X: Any, y: Any, **params: Any) -> SGDClassifierFit:
    """Fit a linear classifier exactly as ``SGDClassifier(**params).fit(X, y)`` does.

    Parameters
    ----------
    X : array-like of shape (n_samples, n_features)
        Training data (dense, float64; float32 is refused, see below).
    y : array-like of shape (n_samples,)
        Class labels, two or more classes.
    **params
        SGDClassifier's keyword arguments, same names and defaults.  Supported values:

        - ``loss``: ``'hinge'`` or ``'log_loss'``;
        - ``penalty``: ``'l2'`` or ``None``; ``alpha`` >= 0 (> 0 for ``'optimal'``);
        - ``learning_rate``: ``'optimal'``, ``'constant'``, ``'invscaling'`` or
          ``'adaptive'``, with ``eta0`` > 0 and ``power_t`` >= 0;
        - ``max_iter``, ``tol`` (``None`` runs all ``max_iter`` epochs),
          ``n_iter_no_change``, ``fit_intercept``;
        - ``shuffle``: ``False``, or ``True`` with an integer ``random_state``;
        - ``early_stopping=False``, ``class_weight=None``, ``warm_start=False``,
          ``average=False`` only;
        - ``verbose``, ``n_jobs``, ``epsilon``, ``l1_ratio`` and
          ``validation_fraction`` are accepted and do not change the result.

    Returns
    -------
    SGDClassifierFit
        With ``coef_``, ``intercept_``, ``n_iter_``, ``classes_`` and ``t_`` equal to
        the fitted ``SGDClassifier``'s.

    Raises
    ------
    ValueError
        For a value outside the supported set (the message names the parameter), bad
        data, or a fit that overflows.
    TypeError
        For a name SGDClassifier does not have.

    Examples
    --------
    >>> import numpy as np
    >>> from course_lib.sklearn_repro import fit_like_sgd_classifier
    >>> X = np.array([[-2.0, 1.0], [-1.0, 0.5], [1.0, -0.5], [2.0, -1.0]])
    >>> fit = fit_like_sgd_classifier(X, [0, 0, 1, 1], shuffle=False, max_iter=5, tol=None)
    >>> fit.predict(X).tolist(), fit.n_iter_
    ([0, 0, 1, 1], 5)
    """
    p = check_sgd_params(params)
    X, y = _params.check_X_y(X, y)
    classes = _params.check_classes(y)
    n_samples = X.shape[0]
    positive, negative = (1.0, 0.0) if p["loss"] == "log_loss" else (1.0, -1.0)
    # binary: one problem, classes_[1] is the positive class; else one per class (OvR)
    problems = [1] if classes.shape[0] == 2 else list(range(classes.shape[0]))
    seeds = _order_seeds(p, len(problems))
    coefs, intercepts, epochs = [], [], []
    for k, seed in zip(problems, seeds, strict=True):
        y_k = np.where(y == classes[k], positive, negative).tolist()
        w, b, n_epochs = plain_sgd(X, y_k, p, order_seed=seed)
        coefs.append(w)
        intercepts.append(b)
        epochs.append(n_epochs)
    n_iter = max(epochs)
    if p["tol"] is not None and n_iter == p["max_iter"]:
        warnings.warn(
            "Maximum number of iteration reached before convergence. "
            "Consider increasing max_iter to improve the fit.",
            _convergence_warning(), stacklevel=2,
        )
    return SGDClassifierFit(
        coef_=np.array(coefs), intercept_=np.array(intercepts), n_iter_=n_iter,
        classes_=classes, t_=1.0 + n_iter * n_samples,
    )


def _order_seeds(p: dict[str, Any], n_problems: int) -> list[int | None]:
    """Each binary problem's shuffle seed, drawn as scikit-learn draws it."""
    if not p["shuffle"]:
        return [None] * n_problems
    if n_problems == 1:
        problem_states = [p["random_state"]]
    else:  # one seed per class first, then each class's problem seeds its own RNG
        problem_states = np.random.RandomState(p["random_state"]).randint(
            MAX_INT, size=n_problems).tolist()
    seeds = []
    for state in problem_states:
        rng = np.random.RandomState(state)
        rng.randint(1, MAX_INT)  # the data set's own seed, unused for in-order passes
        seeds.append(int(rng.randint(MAX_INT)))
    return seeds


def check_sgd_params(params: dict[str, Any]) -> dict[str, Any]:
    """Merge ``params`` into SGDClassifier's defaults and check the supported set."""
    p = _params.merge_params("SGDClassifier", SGD_DEFAULTS, params)
    _params.require_choice("loss", p["loss"], ("hinge", "log_loss"))
    _params.require_choice("penalty", p["penalty"], ("l2", None))
    _params.require_choice("learning_rate", p["learning_rate"],
                           ("optimal", "constant", "invscaling", "adaptive"))
    for name in ("early_stopping", "warm_start"):
        _params.require_choice(name, p[name], (False,))
    _params.require_choice("class_weight", p["class_weight"], (None,))
    _params.require_choice("average", p["average"], (False,))
    p["alpha"] = _params.require_real("alpha", p["alpha"], 0.0)
    if p["learning_rate"] == "optimal" and p["alpha"] == 0:
        raise ValueError("alpha must be > 0 with learning_rate='optimal' (eta depends on it).")
    p["eta0"] = _params.require_real("eta0", p["eta0"], 0.0, low_open=True)
    p["power_t"] = _params.require_real("power_t", p["power_t"], 0.0)
    p["max_iter"] = _params.require_int("max_iter", p["max_iter"], 1)
    p["n_iter_no_change"] = _params.require_int("n_iter_no_change", p["n_iter_no_change"], 1)
    if p["tol"] is not None:
        p["tol"] = _params.require_real("tol", p["tol"], 0.0)
    p["fit_intercept"] = _params.require_bool("fit_intercept", p["fit_intercept"])
    p["shuffle"] = _params.require_bool("shuffle", p["shuffle"])
    if p["shuffle"] and not _params.is_int(p["random_state"]):
        raise ValueError(
            f"random_state={p['random_state']!r} is not supported with shuffle=True; "
            "supported: an integer random_state (or shuffle=False)."
        )
    return p


def _convergence_warning() -> type[Warning]:
    from sklearn.exceptions import ConvergenceWarning  # scikit-learn's class, so filters work

    return ConvergenceWarning
