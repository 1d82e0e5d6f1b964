"""A multi-layer perceptron of any depth with backpropagation written out.

Layers ``layer_sizes = [n_in, h1, ..., n_out]``; hidden activation relu / tanh / logistic;
output ``"softmax"`` (multiclass, cross-entropy), ``"logistic"`` (binary, log loss) or
``"identity"`` (regression, mean squared error as in :mod:`course_lib.models.linear`).

Forward, for layer l = 1 … L (a₀ = X)::

    z_l = a_{l−1} W_l + b_l          a_l = act(z_l)   (the last layer keeps z_L, the logits)

Backward (backpropagation): with δ_L = ∂loss/∂z_L, which for all three outputs is
(prediction − target)/n (times 2 for the squared error)::

    ∇W_l = a_{l−1}ᵀ δ_l + λ W_l      ∇b_l = Σ_rows δ_l      δ_{l−1} = (δ_l W_lᵀ) ⊙ act'(a_{l−1})

Each activation's derivative is written in terms of its output a (relu: a > 0, tanh:
1 − a², logistic: a(1 − a)), so the forward pass only keeps the activations.

Initial weights (``init``): scikit-learn's scheme by default, or the schemes the exam sheet
on vanishing and exploding gradients compares (Glorot & Bengio 2010, He et al. 2015, and
the fixed small Gaussian those papers improved on); :mod:`course_lib.diagnostics` measures
the per-layer gradient norms they give.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np
from scipy.special import expit, log_softmax, logsumexp

from course_lib._checks import check_int, check_nonnegative, check_positive
from course_lib.models._base import Model, check_target

#: name -> (activation, its derivative written as a function of the activation's output)
ACTIVATIONS = {
    "relu": (lambda z: np.maximum(z, 0.0), lambda a: (a > 0).astype(a.dtype)),
    "tanh": (np.tanh, lambda a: 1.0 - a * a),
    "logistic": (expit, lambda a: a * (1.0 - a)),
}
OUTPUTS = ("softmax", "logistic", "identity")
#: initial-weight schemes, see :class:`MLP` (``init``)
INITS = ("sklearn", "glorot", "he", "small")
SMALL_INIT_STD = 0.01


class Backprop(NamedTuple):
    """What one backward pass computes (see :meth:`MLP.backprop`)."""

    loss: float                 # mean loss plus the L2 term
    grads: list[np.ndarray]     # in the order of MLP.params
    deltas: list[np.ndarray]    # δ_l = ∂(mean data loss)/∂z_l, l = 1 … L, shape (n, fan_out)


class MLP(Model):
    """Fully connected network, trained with :mod:`course_lib.optim` optimizers.

    Parameters
    ----------
    layer_sizes : sequence of int
        ``[n_in, hidden_1, ..., n_out]``, at least two entries. ``n_out`` is the number of
        classes for ``"softmax"``, 1 for ``"logistic"``.
    activation : {"relu", "tanh", "logistic"}, default="relu"
        Hidden-layer activation.
    output : {"softmax", "logistic", "identity"}, default="softmax"
    l2 : float, default=0.0
        L2 penalty λ on the weight matrices (not the biases): loss + λ/2 · Σ‖W‖².
    init : {"sklearn", "glorot", "he", "small"}, default="sklearn"
        How the initial weights are drawn, layer by layer from ``np.random.default_rng(seed)``:

        - ``"sklearn"``: weights and biases uniform in [−s, s], s = √(6 / (fan_in + fan_out))
          (√(2 / …) with logistic hidden units), as scikit-learn's MLPClassifier draws them;
        - ``"glorot"``: weights uniform in [−s, s], s = √(6 / (fan_in + fan_out)), for every
          activation: Var W = 2 / (fan_in + fan_out) (Glorot & Bengio 2010, "normalized
          initialization"); biases 0;
        - ``"he"``: weights normal with std √(2 / fan_in), Var W = 2 / fan_in (He et al. 2015,
          for ReLU); biases 0;
        - ``"small"``: weights normal with a fixed std 0.01, whatever the layer size (the
          scheme He et al. 2015 report as failing to train deep plain networks); biases 0.
    init_gain : float, default=1.0
        Multiplies every initial weight (not the biases). With ReLU and ``"he"``, a gain g
        multiplies the backpropagated gradient by about g per layer: 2 makes it explode.
    seed : int, default=0
        Seed of the generator that draws the initial weights.

    Attributes
    ----------
    params : list of ndarray
        ``[W1, b1, W2, b2, ...]``, ``W_l`` of shape ``(fan_in, fan_out)``.

    Examples
    --------
    >>> import numpy as np
    >>> net = MLP([2, 8, 3], activation="tanh", seed=0)
    >>> [p.shape for p in net.params]
    [(2, 8), (8,), (8, 3), (3,)]
    >>> loss, grads = net.loss_and_grads(np.ones((4, 2)), [0, 1, 2, 0])
    >>> [g.shape for g in grads] == [p.shape for p in net.params]
    True
    """

    def __init__(self, layer_sizes, *, activation: str = "relu", output: str = "softmax",
                 l2: float = 0.0, init: str = "sklearn", init_gain: float = 1.0,
                 seed: int = 0):
        sizes = [check_int(f"layer_sizes[{i}]", s) for i, s in enumerate(layer_sizes)]
        if len(sizes) < 2:
            raise ValueError(f"layer_sizes must have at least 2 entries, got {layer_sizes!r}")
        if activation not in ACTIVATIONS:
            raise ValueError(f"activation must be one of {sorted(ACTIVATIONS)}, got {activation!r}")
        if output not in OUTPUTS:
            raise ValueError(f"output must be one of {OUTPUTS}, got {output!r}")
        if init not in INITS:
            raise ValueError(f"init must be one of {INITS}, got {init!r}")
        if output == "logistic" and sizes[-1] != 1:
            raise ValueError(f"output='logistic' needs layer_sizes[-1] == 1, got {sizes[-1]}")
        if output == "softmax" and sizes[-1] < 2:
            raise ValueError(f"output='softmax' needs layer_sizes[-1] >= 2, got {sizes[-1]}")
        self.layer_sizes, self.activation, self.output = sizes, activation, output
        self.n_features = sizes[0]
        self.l2 = check_nonnegative("l2", l2)
        self.init, self.init_gain = init, check_positive("init_gain", init_gain)
        self.params = self._init_params(np.random.default_rng(seed))

    def __repr__(self) -> str:
        init = "" if self.init == "sklearn" else f", init={self.init!r}"
        gain = "" if self.init_gain == 1.0 else f", init_gain={self.init_gain}"
        return (f"MLP({self.layer_sizes}, activation={self.activation!r}, "
                f"output={self.output!r}, l2={self.l2}{init}{gain})")

    def _init_params(self, rng) -> list[np.ndarray]:
        params = []
        for fan_in, fan_out in zip(self.layer_sizes[:-1], self.layer_sizes[1:], strict=True):
            shape = (fan_in, fan_out)
            if self.init == "sklearn":   # draw order W, b as MLPClassifier's
                factor = 2.0 if self.activation == "logistic" else 6.0
                s = np.sqrt(factor / (fan_in + fan_out))
                W, b = rng.uniform(-s, s, shape), rng.uniform(-s, s, fan_out)
            else:
                if self.init == "glorot":
                    s = np.sqrt(6.0 / (fan_in + fan_out))
                    W = rng.uniform(-s, s, shape)
                else:
                    std = np.sqrt(2.0 / fan_in) if self.init == "he" else SMALL_INIT_STD
                    W = rng.normal(0.0, std, shape)
                b = np.zeros(fan_out)
            params += [W * self.init_gain, b]
        return params

    @property
    def n_layers(self) -> int:
        """Number of weight layers (hidden layers + 1)."""
        return len(self.layer_sizes) - 1

    def forward(self, X) -> list[np.ndarray]:
        """Activations ``[X, a1, ..., a_{L−1}, z_L]``: the input, hidden outputs, logits."""
        act = ACTIVATIONS[self.activation][0]
        a = self._check_X(X)
        activations = [a]
        for layer in range(self.n_layers):
            W, b = self.params[2 * layer], self.params[2 * layer + 1]
            z = a @ W + b
            a = z if layer == self.n_layers - 1 else act(z)
            activations.append(a)
        return activations

    # ------------------------------------------------------------------ outputs and losses

    def _target(self, y, n):
        if self.output == "softmax":
            return check_target(y, n, n_classes=self.layer_sizes[-1])
        if self.output == "logistic":
            return check_target(y, n, n_classes=2)[:, None].astype(float)
        y = np.asarray(y, dtype=float)
        y = y[:, None] if y.ndim == 1 else y
        if y.shape != (n, self.layer_sizes[-1]) or not np.all(np.isfinite(y)):
            raise ValueError(f"y must be finite with shape ({n}, {self.layer_sizes[-1]}) "
                             f"(or ({n},) for one output), got shape {np.shape(y)}")
        return y

    def _data_loss_and_delta(self, z, y) -> tuple[float, np.ndarray]:
        # δ_L = ∂(mean loss)/∂z: "prediction − target" for each output's matching loss
        n = z.shape[0]
        if self.output == "softmax":
            log_p = log_softmax(z, axis=1)
            loss = -np.mean(log_p[np.arange(n), y])
            delta = np.exp(log_p)
            delta[np.arange(n), y] -= 1.0
            return float(loss), delta / n
        if self.output == "logistic":
            loss = np.mean(np.logaddexp(0.0, z) - y * z)
            return float(loss), (expit(z) - y) / n
        r = z - y
        return float(np.sum(r * r) / n), 2.0 * r / n

    def _penalty(self) -> float:
        return 0.5 * self.l2 * sum(float(np.sum(W * W)) for W in self.params[::2])

    def loss(self, X, y) -> float:
        """Mean loss plus the L2 term (as :meth:`loss_and_grads`, without the gradients)."""
        z = self.forward(X)[-1]
        return self._data_loss_and_delta(z, self._target(y, z.shape[0]))[0] + self._penalty()

    def loss_and_grads(self, X, y) -> tuple[float, list[np.ndarray]]:
        """Mean loss (plus the L2 term) and gradients in the order of :attr:`params`."""
        loss, grads, _ = self.backprop(X, y)
        return loss, grads

    def backprop(self, X, y) -> Backprop:
        """One forward and backward pass: the loss, the gradients and every layer's δ.

        ``deltas[l − 1]`` is δ_l = ∂(mean data loss)/∂z_l for layer l = 1 … L (the L2 term
        does not enter δ), the quantity whose size Glorot & Bengio (2010) and He et al.
        (2015) follow from layer to layer.
        """
        activations = self.forward(X)
        z = activations[-1]
        loss, delta = self._data_loss_and_delta(z, self._target(y, z.shape[0]))
        d_act = ACTIVATIONS[self.activation][1]
        grads: list[np.ndarray] = [np.empty(0)] * len(self.params)
        deltas: list[np.ndarray] = [np.empty(0)] * self.n_layers
        for layer in reversed(range(self.n_layers)):
            W, a_in = self.params[2 * layer], activations[layer]
            deltas[layer] = delta
            grads[2 * layer] = a_in.T @ delta + self.l2 * W
            grads[2 * layer + 1] = delta.sum(axis=0)
            if layer > 0:
                delta = (delta @ W.T) * d_act(a_in)
        return Backprop(loss + self._penalty(), grads, deltas)

    # ------------------------------------------------------------------ predictions

    def predict_proba(self, X) -> np.ndarray:
        """Class probabilities: ``(n, n_classes)`` for softmax, P(y = 1) ``(n,)`` for logistic."""
        z = self.forward(X)[-1]
        if self.output == "softmax":
            return np.exp(z - logsumexp(z, axis=1, keepdims=True))
        if self.output == "logistic":
            return expit(z[:, 0])
        raise ValueError("predict_proba needs output='softmax' or 'logistic'")

    def predict(self, X) -> np.ndarray:
        """Class labels (softmax / logistic) or predicted values (identity)."""
        z = self.forward(X)[-1]
        if self.output == "softmax":
            return np.argmax(z, axis=1)
        if self.output == "logistic":
            return (z[:, 0] > 0).astype(np.intp)
        return z[:, 0] if z.shape[1] == 1 else z
