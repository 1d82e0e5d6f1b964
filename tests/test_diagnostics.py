"""Per-layer gradient norms, initial-weight schemes and the cost of backpropagation.

The numbers exam sheets 11 and 12 quote come from :mod:`course_lib.diagnostics`; here they
are checked independently: against a plain-loop backward pass written below (its own
activations, its own softmax), against central finite differences, against the closed forms
of He et al. (2015) for the per-layer factor, and against the matrix products the MLP really
executes (counted by an ndarray subclass).  The qualitative claims the sheet makes are
asserted as written there.
"""

from __future__ import annotations

import numpy as np
import pytest
from scipy.optimize import approx_fprime
from scipy.special import expit

from course_lib.diagnostics import backprop_flops, gradient_norm_profile, layer_gradient_norms
from course_lib.models import MLP


# ------------------------------------------------------------------ an independent backprop
def _plain_backprop(weights, biases, X, y, activation):
    """Backpropagation written as a plain loop, sharing nothing with course_lib."""
    f = {"relu": lambda z: np.maximum(z, 0), "tanh": np.tanh, "logistic": expit}[activation]
    outs, zs = [X], []
    for i, (W, b) in enumerate(zip(weights, biases, strict=True)):
        z = outs[-1] @ W + b
        zs.append(z)
        outs.append(z if i == len(weights) - 1 else f(z))
    z = outs[-1]
    p = np.exp(z - z.max(axis=1, keepdims=True))
    p /= p.sum(axis=1, keepdims=True)
    n = len(y)
    delta = p.copy()
    delta[np.arange(n), y] -= 1
    delta /= n
    grad_norms, delta_norms = [], []
    for i in reversed(range(len(weights))):
        grad_norms.append(np.linalg.norm(outs[i].T @ delta))
        delta_norms.append(np.linalg.norm(delta))
        if i > 0:   # derivative from the pre-activation, not from the output as course_lib does
            z = zs[i - 1]
            d = {"relu": (z > 0).astype(float), "tanh": 1 - np.tanh(z) ** 2,
                 "logistic": expit(z) * (1 - expit(z))}[activation]
            delta = (delta @ weights[i].T) * d
    return np.array(grad_norms[::-1]), np.array(delta_norms[::-1])


def _profile_inputs(activation, init, gain=1.0, depth=10, width=64, n=256, seed=0):
    """The network and data gradient_norm_profile documents, rebuilt by hand."""
    net = MLP([width] * depth + [10], activation=activation, init=init, init_gain=gain,
              seed=seed)
    data = np.random.default_rng(seed + 1)
    X = data.normal(size=(n, width))
    y = data.integers(0, 10, n)
    return net, X, y


CASES = [("logistic", "glorot", 1.0), ("relu", "small", 1.0), ("relu", "glorot", 1.0),
         ("relu", "he", 1.0), ("relu", "he", 2.0), ("tanh", "glorot", 1.0)]


@pytest.mark.parametrize("activation,init,gain", CASES)
def test_profile_matches_a_plain_loop(activation, init, gain):
    norms = gradient_norm_profile(activation, init, init_gain=gain)
    net, X, y = _profile_inputs(activation, init, gain)
    weight, delta = _plain_backprop(net.params[::2], net.params[1::2], X, y, activation)
    np.testing.assert_allclose(norms.weight, weight, rtol=1e-9)
    np.testing.assert_allclose(norms.delta, delta, rtol=1e-9)


def test_weight_gradient_norms_match_finite_differences():
    # SciPy's finite-difference gradient of the loss in each weight matrix, one layer at a time
    rng = np.random.default_rng(3)
    net = MLP([4, 5, 5, 5, 3], activation="logistic", init="glorot", l2=0.1, seed=4)
    X, y = rng.normal(size=(6, 4)), rng.integers(0, 3, 6)
    norms = layer_gradient_norms(net, X, y)
    for layer, W in enumerate(net.params[::2]):
        start = W.copy()

        def loss_at(flat, W=W, start=start):
            W[...] = flat.reshape(W.shape)
            value = net.loss(X, y)
            W[...] = start
            return value

        fd = approx_fprime(start.ravel(), loss_at, 1e-7)
        assert norms.weight[layer] == pytest.approx(np.linalg.norm(fd), rel=1e-5)


def test_delta_norm_of_the_output_layer_is_the_softmax_residual():
    # δ_L = (softmax(z) − onehot(y)) / n exactly: the first link of the chain
    net, X, y = _profile_inputs("relu", "he", depth=3, n=32)
    z = net.forward(X)[-1]
    p = np.exp(z - z.max(axis=1, keepdims=True))
    p /= p.sum(axis=1, keepdims=True)
    p[np.arange(len(y)), y] -= 1
    assert layer_gradient_norms(net, X, y).delta[-1] == pytest.approx(
        np.linalg.norm(p / len(y)), rel=1e-12)


# ------------------------------------------------------------------ closed forms
def _per_layer_factor(delta: np.ndarray) -> float:
    """Geometric mean of ‖δ_{l−1}‖/‖δ_l‖ over the layers (input layer first in ``delta``)."""
    return float((delta[0] / delta[-1]) ** (1 / (len(delta) - 1)))


@pytest.mark.parametrize("init,gain,sigma2", [
    ("he", 1.0, lambda n: 2 / n),
    ("he", 2.0, lambda n: 4 * 2 / n),
    ("glorot", 1.0, lambda n: 2 / (n + n)),   # uniform(−s, s): variance s²/3
    ("small", 1.0, lambda n: 0.01**2),
])
def test_relu_per_layer_factor_is_sqrt_of_n_sigma2_over_2(init, gain, sigma2):
    # He et al. (2015), eq. 13: Var δ_{l−1} = ½ n Var W · Var δ_l for ReLU layers of width n
    width = 256
    norms = gradient_norm_profile("relu", init, init_gain=gain, width=width, n_samples=512)
    predicted = np.sqrt(width * sigma2(width) / 2)
    assert _per_layer_factor(norms.delta) == pytest.approx(predicted, rel=0.06)


def test_initial_weights_have_the_documented_variance():
    fan_in, fan_out = 400, 300
    for init, var in [("glorot", 2 / (fan_in + fan_out)), ("he", 2 / fan_in),
                      ("small", 1e-4)]:
        W, b = MLP([fan_in, fan_out, 2], init=init, seed=1).params[:2]
        assert W.var() == pytest.approx(var, rel=0.02), init
        assert not b.any(), f"{init}: biases start at 0"
    W = MLP([fan_in, fan_out, 2], init="glorot").params[0]
    assert np.abs(W).max() <= np.sqrt(6 / (fan_in + fan_out))
    # the default stays scikit-learn's draw; a gain g scales the weights only
    default, named = MLP([5, 4, 2]), MLP([5, 4, 2], init="sklearn")
    np.testing.assert_array_equal(default.params[0], named.params[0])
    base = MLP([5, 4, 2], init="he", seed=2)
    scaled = MLP([5, 4, 2], init="he", init_gain=3, seed=2)
    np.testing.assert_allclose(scaled.params[0], 3 * base.params[0])
    np.testing.assert_array_equal(scaled.params[1], base.params[1])


# ------------------------------------------------------------------ the sheet's claims
def test_sheet_claims_vanishing_and_exploding():
    sig = gradient_norm_profile("logistic", "glorot")
    small = gradient_norm_profile("relu", "small")
    glorot = gradient_norm_profile("relu", "glorot")
    he = gradient_norm_profile("relu", "he")
    he2 = gradient_norm_profile("relu", "he", init_gain=2.0)
    # sigmoid: the first layer's gradient is a millionth of the last's, whatever careful init
    assert sig.weight[0] < 1e-5 * sig.weight[-1]
    assert np.all(np.diff(np.log(sig.delta)) > 0)            # shrinks at every layer down
    # ReLU + fixed std 0.01: every layer's weight gradient is tiny (signal dies both ways)
    assert small.weight.max() < 1e-10
    # ReLU + Glorot: ‖δ‖ loses about 1/√2 per layer; ReLU + He keeps it (max/min < 1.25)
    assert 0.65 < _per_layer_factor(glorot.delta) < 0.78
    assert he.delta.max() / he.delta.min() < 1.25
    # ReLU + He × 2: ‖δ‖ grows about 2× per layer going down: exploding
    assert he2.delta[0] > 100 * he2.delta[-1]


def test_sheet_claim_fails_on_planted_bad_input():
    # the vanishing check above must not pass for a network that does not vanish
    he = gradient_norm_profile("relu", "he")
    assert not he.weight[0] < 1e-5 * he.weight[-1]


# ------------------------------------------------------------------ the cost of backprop
class _Counted(np.ndarray):
    """An array that counts the floating-point operations of the matrix products it enters."""

    flops = {"n": 0}

    def __array_ufunc__(self, ufunc, method, *inputs, **kwargs):
        plain = [x.view(np.ndarray) if isinstance(x, _Counted) else x for x in inputs]
        if ufunc is np.matmul and method == "__call__":
            a, b = plain
            _Counted.flops["n"] += 2 * a.shape[0] * a.shape[1] * b.shape[1]
        out = getattr(ufunc, method)(*plain, **kwargs)
        return out.view(_Counted) if isinstance(out, np.ndarray) else out


def _count(call) -> int:
    _Counted.flops["n"] = 0
    call()
    return _Counted.flops["n"]


@pytest.mark.parametrize("sizes", [[4, 3, 2], [64] * 10 + [10], [7, 1]])
def test_backprop_flops_are_what_the_mlp_executes(sizes):
    n = 16
    net = MLP(sizes, output="softmax" if sizes[-1] > 1 else "identity", seed=0)
    for i, p in enumerate(net.params):
        net.params[i] = p.view(_Counted)
    X = np.random.default_rng(0).normal(size=(n, sizes[0]))
    y = np.arange(n) % sizes[-1] if sizes[-1] > 1 else np.zeros(n)
    forward = _count(lambda: net.forward(X))
    both = _count(lambda: net.loss_and_grads(X, y))
    assert forward > 0
    assert backprop_flops(sizes, n) == (forward, both - forward)


def test_gradient_costs_about_three_forward_passes_not_2d():
    sizes = [64] * 10 + [10]
    forward, backward = backprop_flops(sizes, 256)
    assert 2.8 < (forward + backward) / forward < 3.0
    d = MLP(sizes).n_params
    assert d == 38090     # finite differences would need 2d = 76,180 loss evaluations


def test_bad_arguments_name_themselves():
    with pytest.raises(ValueError, match="init must be one of"):
        MLP([2, 2], init="xavier")
    with pytest.raises(ValueError, match="init_gain must be a finite number > 0"):
        MLP([2, 2], init="he", init_gain=0)
    with pytest.raises(ValueError, match="depth must be an integer >= 2"):
        gradient_norm_profile(depth=1)
    with pytest.raises(ValueError, match="activation must be one of"):
        gradient_norm_profile("gelu")
    with pytest.raises(ValueError, match=r"layer_sizes\[1\]"):
        backprop_flops([3, 0, 2], 4)
    with pytest.raises(TypeError, match="model must be a course_lib.models.MLP"):
        layer_gradient_norms(object(), np.ones((1, 1)), [0])
