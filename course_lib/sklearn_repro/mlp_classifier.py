"""scikit-learn's ``MLPClassifier.fit`` (solvers 'sgd' and 'adam') rewritten, number for number.

The source it follows is ``sklearn/neural_network/_multilayer_perceptron.py`` (the
training loop and backpropagation), ``_stochastic_optimizers.py`` (SGD with momentum
and Adam) and ``_base.py`` (activations and losses).  Every array operation below is
the one scikit-learn performs, in the same order, so the results agree to the last bit.

Where scikit-learn's formulas differ from PyTorch's / the textbook's:

* **L2 penalty per mini-batch.**  The loss of a batch of ``n_b`` samples is
  ``mean log loss + 0.5 * alpha * sum(W**2) / n_b`` (weights only, not intercepts):
  ``alpha`` is divided by the *batch* size, so the last, shorter batch of an epoch is
  penalised more.  PyTorch's ``weight_decay`` adds ``weight_decay * W`` to the gradient.
* **SGD momentum** keeps a velocity ``v = momentum * v - lr * g`` and adds it
  (``W += v``); PyTorch keeps ``b = momentum * b + g`` and subtracts ``lr * b``.
  Equal for a constant lr, not when lr changes (see course_lib.optim.sgd); the plain
  (non-Nesterov) form is course_lib.optim's ``sgd_velocity_update``, reused here.
  Nesterov: ``W += momentum * v_new - lr * g``.
* **Learning rate 'invscaling'** changes lr once per *epoch*:
  ``lr = learning_rate_init / (t + 1) ** power_t`` with t the samples seen so far.
* **Adam** folds both bias corrections into the step size,
  ``lr_t = lr * sqrt(1 - beta_2**t) / (1 - beta_1**t)``, then steps
  ``-lr_t * m / (sqrt(v) + epsilon)``: epsilon is added to the *uncorrected*
  ``sqrt(v)``.  PyTorch adds it to ``sqrt(v / (1 - beta_2**t))``, so the same
  epsilon counts for more (by ``1 / sqrt(1 - beta_2**t)``) in scikit-learn.
* **loss_curve_** holds, per epoch, the sample-weighted mean of the batch losses, each
  computed *before* that batch's update (not the loss of the weights at epoch end).
* **Stopping.**  An epoch whose loss is not ``tol`` below the best so far counts as "no
  improvement"; training stops once the count is *greater than* ``n_iter_no_change``
  (so ``n_iter_no_change + 1`` such epochs in a row).  With ``learning_rate='adaptive'``
  (solver 'sgd') lr is divided by 5 instead, until it is at most 1e-6.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass, field
from itertools import pairwise
from typing import Any

import numpy as np
from scipy.special import expit, xlogy

from course_lib.optim.sgd import sgd_velocity_update
from course_lib.sklearn_repro import _params

#: MLPClassifier's parameters and defaults (scikit-learn 1.9); a test checks them live.
MLP_DEFAULTS: dict[str, Any] = {
    "hidden_layer_sizes": (100,), "activation": "relu", "solver": "adam", "alpha": 0.0001,
    "batch_size": "auto", "learning_rate": "constant", "learning_rate_init": 0.001,
    "power_t": 0.5, "max_iter": 200, "shuffle": True, "random_state": None, "tol": 1e-4,
    "verbose": False, "warm_start": False, "momentum": 0.9, "nesterovs_momentum": True,
    "early_stopping": False, "validation_fraction": 0.1, "beta_1": 0.9, "beta_2": 0.999,
    "epsilon": 1e-8, "n_iter_no_change": 10, "max_fun": 15000,
}


@dataclass
class MLPClassifierFit:
    """What ``fit_like_mlp_classifier`` returns: MLPClassifier's fitted attributes.

    Attributes
    ----------
    coefs_ : list of ndarray, one (fan_in, fan_out) matrix per layer
    intercepts_ : list of ndarray, one (fan_out,) vector per layer
    loss_curve_ : list of float
        The training loss of each epoch (see the module notes for how it is averaged).
    loss_ : float
        The last entry of ``loss_curve_``.
    best_loss_ : float
        The smallest entry of ``loss_curve_``.
    n_iter_ : int
        Epochs run.
    t_ : int
        Samples seen (``n_iter_ * n_samples``).
    classes_ : ndarray of shape (n_classes,)
    out_activation_ : str
        ``'logistic'`` for two classes, ``'softmax'`` for more.
    activation : str
        The hidden layers' activation.
    """

    coefs_: list[np.ndarray]
    intercepts_: list[np.ndarray]
    loss_curve_: list[float]
    loss_: float
    best_loss_: float
    n_iter_: int
    t_: int
    classes_: np.ndarray
    out_activation_: str
    activation: str = field(default="relu")

    def predict_proba(self, X: Any) -> np.ndarray:
        """Class probabilities, as ``MLPClassifier.predict_proba``."""
        out = forward(np.asarray(X, dtype=np.float64), self.coefs_, self.intercepts_,
                      self.activation, self.out_activation_)[-1]
        return np.hstack([1 - out, out]) if out.shape[1] == 1 else out

    def predict(self, X: Any) -> np.ndarray:
        """Predicted class labels."""
        return self.classes_[self.predict_proba(X).argmax(axis=1)]


# ---------------------------------------------------------------------------
# activations, in place (as scikit-learn applies them), and their derivatives
# ---------------------------------------------------------------------------

def _relu(Z: np.ndarray) -> None:
    np.maximum(Z, 0, out=Z)


def _softmax(Z: np.ndarray) -> None:
    shifted = Z - Z.max(axis=1)[:, np.newaxis]  # exp of values <= 0 cannot overflow
    np.exp(shifted, out=Z)
    Z /= Z.sum(axis=1)[:, np.newaxis]


ACTIVATIONS = {
    "identity": lambda Z: None,
    "relu": _relu,
    "tanh": lambda Z: np.tanh(Z, out=Z),
    "logistic": lambda Z: expit(Z, out=Z),  # scipy's expit, bit-identical to sklearn's
    "softmax": _softmax,
}


def _relu_derivative(A: np.ndarray, delta: np.ndarray) -> None:
    delta[A == 0] = 0


def _tanh_derivative(A: np.ndarray, delta: np.ndarray) -> None:
    delta *= 1 - A**2  # tanh' = 1 - tanh**2, written with the layer's output A


def _logistic_derivative(A: np.ndarray, delta: np.ndarray) -> None:
    delta *= A  # sigma' = sigma (1 - sigma), two in-place products as sklearn does
    delta *= 1 - A


DERIVATIVES = {
    "identity": lambda A, delta: None,
    "relu": _relu_derivative,
    "tanh": _tanh_derivative,
    "logistic": _logistic_derivative,
}


# ---------------------------------------------------------------------------
# forward pass, loss, backpropagation
# ---------------------------------------------------------------------------

def forward(X: np.ndarray, coefs: list[np.ndarray], intercepts: list[np.ndarray],
            activation: str, out_activation: str) -> list[np.ndarray]:
    """Return every layer's output ``[X, A_1, ..., A_out]``."""
    layers = [X]
    for i, (W, b) in enumerate(zip(coefs, intercepts, strict=True)):
        Z = layers[-1] @ W
        Z += b
        is_last = i == len(coefs) - 1
        ACTIVATIONS[out_activation if is_last else activation](Z)
        layers.append(Z)
    return layers


def batch_log_loss(Y: np.ndarray, prob: np.ndarray) -> float:
    """Mean log loss of a batch; ``Y`` is the 0/1 label matrix (bool)."""
    eps = np.finfo(prob.dtype).eps
    prob = np.clip(prob, eps, 1 - eps)  # log(0) never happens
    if prob.shape[1] == 1:  # two classes: one logistic output
        terms = xlogy(Y, prob) + xlogy(1 - Y, 1 - prob)
    else:
        terms = xlogy(Y, prob)
    return -np.average(terms, axis=0).sum()


def backprop(X: np.ndarray, Y: np.ndarray, coefs: list[np.ndarray],
             intercepts: list[np.ndarray], alpha: float, activation: str,
             out_activation: str) -> tuple[float, list[np.ndarray], list[np.ndarray]]:
    """Loss of one batch and its gradients ``(loss, coef_grads, intercept_grads)``."""
    n = X.shape[0]
    layers = forward(X, coefs, intercepts, activation, out_activation)
    loss = batch_log_loss(Y, layers[-1])
    sum_sq = 0  # ||W||^2 over all weight matrices (not the intercepts), one dot per matrix
    for W in coefs:
        flat = W.ravel()
        sum_sq += np.dot(flat, flat)
    loss += (0.5 * alpha) * sum_sq / n  # L2 term divided by the *batch* size

    coef_grads, intercept_grads = [None] * len(coefs), [None] * len(coefs)
    # delta = dLoss/dZ of a layer (times n).  At the output, softmax + log loss (and
    # logistic + binary log loss) give the simple A_out - Y.
    delta = layers[-1] - Y
    for i in range(len(coefs) - 1, -1, -1):
        grad = layers[i].T @ delta
        grad += alpha * coefs[i]  # gradient of the L2 term, then both divided by n
        grad /= n
        coef_grads[i] = grad
        intercept_grads[i] = np.sum(delta, axis=0) / n
        if i > 0:  # chain rule back through W_i, then through the activation
            delta = delta @ coefs[i].T
            DERIVATIVES[activation](layers[i], delta)
    return loss, coef_grads, intercept_grads


# ---------------------------------------------------------------------------
# the two optimizers, as scikit-learn writes them
# ---------------------------------------------------------------------------

class SklearnSGD:
    """scikit-learn's ``SGDOptimizer``: velocity form of momentum, optional Nesterov.

    Without Nesterov this is exactly ``course_lib.optim.sgd_velocity_update``
    (``v = momentum * v - lr * g; W += v``, the same operations in the same order), so
    that function does the work.  ``course_lib.optim.SGD`` is PyTorch's form (buffer
    ``b = momentum * b + g``, step ``-lr * b``): mathematically equal for a constant lr,
    not bit-equal, and different once lr changes ('invscaling', 'adaptive').
    """

    def __init__(self, params: list[np.ndarray], p: dict[str, Any]):
        self.lr = float(p["learning_rate_init"])
        self.lr_init, self.schedule = p["learning_rate_init"], p["learning_rate"]
        self.momentum, self.nesterov = p["momentum"], p["nesterovs_momentum"]
        self.power_t = p["power_t"]
        self.velocities = [np.zeros_like(param) for param in params]

    def step(self, params: list[np.ndarray], grads: list[np.ndarray]) -> None:
        if not self.nesterov:
            for param, grad, velocity in zip(params, grads, self.velocities, strict=True):
                sgd_velocity_update(param, grad, velocity, lr=self.lr, momentum=self.momentum)
            return
        self.velocities = [self.momentum * v - self.lr * g
                           for v, g in zip(self.velocities, grads, strict=True)]
        # Nesterov: step with one more momentum move from the new velocity (look-ahead)
        for param, v, g in zip(params, self.velocities, grads, strict=True):
            param += self.momentum * v - self.lr * g

    def epoch_end(self, samples_seen: int) -> None:
        if self.schedule == "invscaling":
            self.lr = float(self.lr_init) / (samples_seen + 1) ** self.power_t

    def should_stop(self) -> bool:
        """Called when the loss stalls: stop, or (adaptive) divide lr by 5 and go on."""
        if self.schedule != "adaptive" or self.lr <= 1e-6:
            return True
        self.lr /= 5.0
        return False


class SklearnAdam:
    """scikit-learn's ``AdamOptimizer`` (bias corrections folded into the step size).

    Not ``course_lib.optim.adam_update``, which computes PyTorch's step
    ``-lr / (1 - beta_1**t) * m / (sqrt(v) / sqrt(1 - beta_2**t) + eps)``: here epsilon
    is added to the uncorrected ``sqrt(v)`` (see the module notes), and ``m`` is updated
    as ``beta_1 * m + (1 - beta_1) * g`` rather than PyTorch's ``lerp``.
    """

    def __init__(self, params: list[np.ndarray], p: dict[str, Any]):
        self.lr_init = p["learning_rate_init"]
        self.beta_1, self.beta_2, self.epsilon = p["beta_1"], p["beta_2"], p["epsilon"]
        self.t = 0
        self.ms = [np.zeros_like(param) for param in params]
        self.vs = [np.zeros_like(param) for param in params]

    def step(self, params: list[np.ndarray], grads: list[np.ndarray]) -> None:
        self.t += 1
        b1, b2 = self.beta_1, self.beta_2
        # both bias corrections in the step size: lr_t = lr sqrt(1 - b2^t) / (1 - b1^t)
        lr_t = self.lr_init * np.sqrt(1 - b2**self.t) / (1 - b1**self.t)
        for param, m, v, g in zip(params, self.ms, self.vs, grads, strict=True):
            m *= b1
            m += (1 - b1) * g  # m = b1 m + (1 - b1) g, in place (same rounding)
            v *= b2
            v += (1 - b2) * (g**2)  # v = b2 v + (1 - b2) g^2
            param += -lr_t * m / (np.sqrt(v) + self.epsilon)  # eps on the uncorrected sqrt(v)

    def epoch_end(self, samples_seen: int) -> None:
        pass  # Adam ignores learning_rate='invscaling' / 'adaptive'

    def should_stop(self) -> bool:
        return True


# ---------------------------------------------------------------------------
# the public function: initial weights, the epoch loop, stopping
# ---------------------------------------------------------------------------

def fit_like_mlp_classifier(X: Any, y: Any, **params: Any) -> MLPClassifierFit:
    """Train a network exactly as ``MLPClassifier(**params).fit(X, y)`` does.

    Parameters
    ----------
    X : array-like of shape (n_samples, n_features)
        Training data (dense, float64; float32 is refused).
    y : array-like of shape (n_samples,)
        Class labels, two or more classes (multilabel targets are not supported).
    **params
        MLPClassifier's keyword arguments, same names and defaults.  Supported values:

        - ``solver``: ``'sgd'`` or ``'adam'``; ``random_state``: an integer (required);
        - ``hidden_layer_sizes`` (one or more layers), ``activation``: ``'relu'``,
          ``'tanh'``, ``'logistic'`` or ``'identity'``;
        - ``alpha``, ``batch_size`` (``'auto'`` or an integer), ``learning_rate_init``,
          ``max_iter``, ``tol``, ``n_iter_no_change``;
        - solver 'sgd': ``learning_rate`` (``'constant'``, ``'invscaling'``,
          ``'adaptive'``), ``power_t``, ``momentum``, ``nesterovs_momentum``;
        - solver 'adam': ``beta_1``, ``beta_2``, ``epsilon``;
        - ``shuffle``: ``False`` or ``True``; ``early_stopping=False`` and
          ``warm_start=False`` only;
        - ``verbose``, ``validation_fraction`` and ``max_fun`` are accepted and do not
          change the result.

    Returns
    -------
    MLPClassifierFit
        With ``coefs_``, ``intercepts_``, ``loss_curve_``, ``loss_``, ``best_loss_``,
        ``n_iter_``, ``t_`` and ``classes_`` equal to the fitted ``MLPClassifier``'s.

    Raises
    ------
    ValueError
        For a value outside the supported set (the message names the parameter), bad
        data, or a fit that produces non-finite weights.
    TypeError
        For a name MLPClassifier does not have.

    Examples
    --------
    >>> import numpy as np
    >>> from course_lib.sklearn_repro import fit_like_mlp_classifier
    >>> X = np.array([[-2.0, 1.0], [-1.0, 0.5], [1.0, -0.5], [2.0, -1.0]])
    >>> fit = fit_like_mlp_classifier(X, [0, 0, 1, 1], hidden_layer_sizes=(3,),
    ...                               solver="sgd", learning_rate_init=0.1,
    ...                               shuffle=False, random_state=0)
    >>> fit.predict(X).tolist(), [W.shape for W in fit.coefs_]
    ([0, 0, 1, 1], [(2, 3), (3, 1)])
    >>> fit.n_iter_, len(fit.loss_curve_)  # stopped by the tol / n_iter_no_change rule
    (45, 45)
    """
    p = check_mlp_params(params)
    X, y = _params.check_X_y(X, y)
    classes = _params.check_classes(y)
    Y = label_matrix(y, classes)
    n_samples, n_features = X.shape
    rng = np.random.RandomState(p["random_state"])  # weights first, then shuffling
    layer_units = [n_features, *p["hidden_layer_sizes"], Y.shape[1]]
    coefs, intercepts = init_weights(layer_units, p["activation"], rng)
    out_activation = "logistic" if Y.shape[1] == 1 else "softmax"
    params_list = coefs + intercepts  # updated in place: the optimizer sees the same arrays
    optimizer = (SklearnSGD if p["solver"] == "sgd" else SklearnAdam)(params_list, p)
    batch_size = _batch_size(p["batch_size"], n_samples)
    order = np.arange(n_samples, dtype=int)
    loss_curve: list[float] = []
    best_loss, no_improvement_count = np.inf, 0
    for epoch in range(1, p["max_iter"] + 1):
        if p["shuffle"]:  # sklearn.utils.shuffle: a fresh permutation of the current order
            permutation = np.arange(n_samples)
            rng.shuffle(permutation)
            order = order[permutation]
        with np.errstate(over="ignore", invalid="ignore"):  # divergence is reported below
            loss_curve.append(run_epoch(X, Y, order if p["shuffle"] else None, batch_size,
                                        coefs, intercepts, optimizer, p, out_activation))
        if not all(np.isfinite(a).all() for a in params_list):
            raise ValueError(f"Solver produced non-finite parameter weights at epoch {epoch} "
                             f"(loss {loss_curve[-1]}): the training diverged. Scale the "
                             "input data or lower the learning rate.")
        no_improvement_count = no_improvement_count + 1 if (
            loss_curve[-1] > best_loss - p["tol"]) else 0
        best_loss = min(best_loss, loss_curve[-1])
        optimizer.epoch_end(epoch * n_samples)
        if no_improvement_count > p["n_iter_no_change"]:  # strictly greater
            if optimizer.should_stop():
                break
            no_improvement_count = 0
        if epoch == p["max_iter"]:
            warnings.warn(
                f"Stochastic Optimizer: Maximum iterations ({p['max_iter']}) reached and "
                "the optimization hasn't converged yet.", _convergence_warning(), stacklevel=2)
    n_iter = len(loss_curve)
    return MLPClassifierFit(
        coefs_=coefs, intercepts_=intercepts, loss_curve_=loss_curve, loss_=loss_curve[-1],
        best_loss_=best_loss, n_iter_=n_iter, t_=n_iter * n_samples, classes_=classes,
        out_activation_=out_activation, activation=p["activation"],
    )


def run_epoch(X: np.ndarray, Y: np.ndarray, order: np.ndarray | None, batch_size: int,
              coefs: list[np.ndarray], intercepts: list[np.ndarray], optimizer,
              p: dict[str, Any], out_activation: str) -> float:
    """One pass over the mini-batches; returns the epoch's entry of ``loss_curve_``."""
    n_samples = X.shape[0]
    accumulated_loss = 0.0
    for start in range(0, n_samples, batch_size):
        stop = min(start + batch_size, n_samples)
        rows = slice(start, stop) if order is None else order[start:stop]
        batch_loss, coef_grads, intercept_grads = backprop(
            X[rows], Y[rows], coefs, intercepts, p["alpha"], p["activation"], out_activation)
        accumulated_loss += batch_loss * (stop - start)  # weighted by the batch size
        optimizer.step(coefs + intercepts, coef_grads + intercept_grads)
    return accumulated_loss / n_samples


def init_weights(layer_units: list[int], activation: str,
                 rng: np.random.RandomState) -> tuple[list[np.ndarray], list[np.ndarray]]:
    """Glorot-uniform weights drawn as scikit-learn draws them, layer by layer.

    ``U(-b, b)`` with ``b = sqrt(6 / (fan_in + fan_out))``; for the logistic activation
    ``sqrt(2 / ...)`` in every layer.  The matrix is drawn first, then the intercepts.
    """
    factor = 2.0 if activation == "logistic" else 6.0
    coefs, intercepts = [], []
    for fan_in, fan_out in pairwise(layer_units):
        bound = np.sqrt(factor / (fan_in + fan_out))
        coefs.append(rng.uniform(-bound, bound, (fan_in, fan_out)))
        intercepts.append(rng.uniform(-bound, bound, fan_out))
    return coefs, intercepts


def label_matrix(y: np.ndarray, classes: np.ndarray) -> np.ndarray:
    """0/1 targets as ``LabelBinarizer`` makes them: one column for two classes, else one-hot."""
    if classes.shape[0] == 2:
        return (y == classes[1])[:, np.newaxis]
    return y[:, np.newaxis] == classes[np.newaxis, :]


def _batch_size(batch_size: Any, n_samples: int) -> int:
    if batch_size == "auto":
        return min(200, n_samples)
    if batch_size > n_samples:
        warnings.warn("Got `batch_size` less than 1 or larger than sample size. "
                      "It is going to be clipped", stacklevel=3)
    return int(np.clip(batch_size, 1, n_samples))


def check_mlp_params(params: dict[str, Any]) -> dict[str, Any]:
    """Merge ``params`` into MLPClassifier's defaults and check the supported set."""
    p = _params.merge_params("MLPClassifier", MLP_DEFAULTS, params)
    _params.require_choice("solver", p["solver"], ("sgd", "adam"))
    _params.require_choice("activation", p["activation"],
                           ("relu", "tanh", "logistic", "identity"))
    _params.require_choice("learning_rate", p["learning_rate"],
                           ("constant", "invscaling", "adaptive"))
    for name in ("early_stopping", "warm_start"):
        _params.require_choice(name, p[name], (False,))
    if not _params.is_int(p["random_state"]):
        raise ValueError(f"random_state={p['random_state']!r} is not supported here; "
                         "supported: an integer (the initial weights must be reproducible).")
    p["hidden_layer_sizes"] = _hidden_layer_sizes(p["hidden_layer_sizes"])
    p["alpha"] = _params.require_real("alpha", p["alpha"], 0.0)
    p["learning_rate_init"] = _params.require_real(
        "learning_rate_init", p["learning_rate_init"], 0.0, low_open=True)
    p["power_t"] = _params.require_real("power_t", p["power_t"], 0.0)
    p["momentum"] = _params.require_real("momentum", p["momentum"], 0.0, 1.0, high_open=False)
    p["beta_1"] = _params.require_real("beta_1", p["beta_1"], 0.0, 1.0)
    p["beta_2"] = _params.require_real("beta_2", p["beta_2"], 0.0, 1.0)
    p["epsilon"] = _params.require_real("epsilon", p["epsilon"], 0.0, low_open=True)
    p["tol"] = _params.require_real("tol", p["tol"], 0.0)
    p["max_iter"] = _params.require_int("max_iter", p["max_iter"], 1)
    if p["n_iter_no_change"] != np.inf:
        p["n_iter_no_change"] = _params.require_int("n_iter_no_change", p["n_iter_no_change"], 1)
    if p["batch_size"] != "auto":
        p["batch_size"] = _params.require_int("batch_size", p["batch_size"], 1)
    p["shuffle"] = _params.require_bool("shuffle", p["shuffle"])
    p["nesterovs_momentum"] = _params.require_bool("nesterovs_momentum", p["nesterovs_momentum"])
    return p


def _hidden_layer_sizes(sizes: Any) -> list[int]:
    sizes = list(sizes) if hasattr(sizes, "__iter__") else [sizes]
    if not sizes or not all(_params.is_int(s) and s >= 1 for s in sizes):
        raise ValueError(f"hidden_layer_sizes must be one or more integers >= 1, got {sizes!r}.")
    return [int(s) for s in sizes]


def _convergence_warning() -> type[Warning]:
    from sklearn.exceptions import ConvergenceWarning  # scikit-learn's class, so filters work

    return ConvergenceWarning
