"""Per-layer gradient norms and the cost of backpropagation, measured on the course's MLP.

The exam sheets on vanishing / exploding gradients (11) and backpropagation (12) quote these
numbers; ``tests/test_diagnostics.py`` checks them against finite differences, a plain loop
and the closed forms below.

Why the norm changes from layer to layer (He et al. 2015, eq. 13): backpropagation multiplies
δ by Wᵀ and by act'(·) once per layer, so with n units per layer and weights of variance σ²,

    E‖δ_{l−1}‖² ≈ n σ² · E[act'(z)²] · E‖δ_l‖²

For ReLU E[act'²] = 1/2, so the per-layer factor of ‖δ‖ is √(n σ² / 2): 1 with He's σ² = 2/n,
√(1/2) with Glorot's σ² = 1/n (equal fan-in and fan-out), far below 1 for a fixed std 0.01, and
g for He's weights times a gain g.  The logistic sigmoid has act' ≤ 1/4, so ‖δ‖ shrinks by a
large factor every layer whatever the initial weights.

The cost: a dense layer's forward pass is one matrix product X·W (2·n·fan_in·fan_out
floating-point operations); its backward pass is two, aᵀ·δ for ∇W and δ·Wᵀ for the layer
below (none below the first layer).  Forward + backward is therefore about 3 forward passes,
whatever the number of parameters d, where finite differences need 2d loss evaluations.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from course_lib._checks import check_int, check_positive
from course_lib.models.mlp import ACTIVATIONS, INITS, MLP

__all__ = ["LayerNorms", "backprop_flops", "gradient_norm_profile", "layer_gradient_norms"]


class LayerNorms(NamedTuple):
    """Norms per weight layer, input layer first (index 0 is layer 1)."""

    weight: np.ndarray   # ‖∂loss/∂W_l‖_F, what the optimizer sees
    delta: np.ndarray    # ‖δ_l‖_F = ‖∂(mean loss)/∂z_l‖_F, the backpropagated signal


def layer_gradient_norms(model: MLP, X, y) -> LayerNorms:
    """Frobenius norms of ∇W_l and δ_l for every layer of ``model`` on the batch ``(X, y)``.

    Parameters
    ----------
    model : MLP
    X, y : array-like
        A batch, as for :meth:`MLP.loss_and_grads`.

    Returns
    -------
    LayerNorms
        ``weight[l − 1] = ‖∂loss/∂W_l‖`` (including the L2 term if ``model.l2 > 0``) and
        ``delta[l − 1] = ‖δ_l‖``, for l = 1 … L.

    Examples
    --------
    >>> import numpy as np
    >>> net = MLP([3, 4, 2], seed=0)
    >>> norms = layer_gradient_norms(net, np.ones((5, 3)), [0, 1, 0, 1, 0])
    >>> norms.weight.shape, norms.delta.shape
    ((2,), (2,))
    """
    if not isinstance(model, MLP):
        raise TypeError(f"model must be a course_lib.models.MLP, got {type(model).__name__}")
    _, grads, deltas = model.backprop(X, y)
    return LayerNorms(np.array([np.linalg.norm(g) for g in grads[::2]]),
                      np.array([np.linalg.norm(d) for d in deltas]))


def gradient_norm_profile(activation: str = "relu", init: str = "he", *, depth: int = 10,
                          width: int = 64, n_classes: int = 10, n_samples: int = 256,
                          init_gain: float = 1.0, seed: int = 0) -> LayerNorms:
    """Per-layer gradient norms of a freshly initialised deep MLP on random data.

    The network has ``depth`` weight layers (``depth − 1`` hidden layers of ``width`` units)
    and a softmax output; the inputs are standard normal with ``width`` features and the labels
    uniform over ``n_classes``, both drawn from ``np.random.default_rng(seed + 1)``.  Nothing is
    trained: this is the gradient of the very first step, the one initialisation decides.

    Parameters
    ----------
    activation : {"relu", "tanh", "logistic"}, default="relu"
    init : {"sklearn", "glorot", "he", "small"}, default="he"
        See :class:`course_lib.models.MLP`.
    depth : int, default=10
        Number of weight layers (>= 2).
    width, n_classes, n_samples : int
        Units per hidden layer (also the number of input features), classes, batch size.
    init_gain : float, default=1.0
        Multiplies the initial weights (2 with ``"he"`` and ReLU: exploding gradients).
    seed : int, default=0
        Seed of the weights; the data use ``seed + 1``.

    Returns
    -------
    LayerNorms

    Examples
    --------
    >>> norms = gradient_norm_profile("logistic", "glorot")
    >>> bool(norms.weight[0] < 1e-4 * norms.weight[-1])     # vanishing towards the input
    True
    """
    if activation not in ACTIVATIONS:
        raise ValueError(f"activation must be one of {sorted(ACTIVATIONS)}, got {activation!r}")
    if init not in INITS:
        raise ValueError(f"init must be one of {INITS}, got {init!r}")
    depth = check_int("depth", depth, low=2)
    width, n_samples = check_int("width", width), check_int("n_samples", n_samples)
    n_classes = check_int("n_classes", n_classes, low=2)
    check_positive("init_gain", init_gain)
    model = MLP([width] * depth + [n_classes], activation=activation, init=init,
                init_gain=init_gain, seed=seed)
    data = np.random.default_rng(seed + 1)
    X = data.normal(size=(n_samples, width))
    y = data.integers(0, n_classes, n_samples)
    return layer_gradient_norms(model, X, y)


def backprop_flops(layer_sizes, n_samples: int) -> tuple[int, int]:
    """Floating-point operations of the matrix products in one forward and one backward pass.

    Counts 2·m·k·n per (m×k)·(k×n) product, as the MLP computes them: forward X·W per layer;
    backward aᵀ·δ per layer and δ·Wᵀ for every layer but the first.  Element-wise work
    (activations, biases, the loss) is left out; it grows with the number of units, not of
    weights.

    Parameters
    ----------
    layer_sizes : sequence of int
        ``[n_in, hidden_1, ..., n_out]`` as for :class:`MLP`.
    n_samples : int
        Batch size.

    Returns
    -------
    (forward, backward) : tuple of int

    Examples
    --------
    >>> backprop_flops([4, 3, 2], 10)       # forward 2·10·(4·3 + 3·2); backward 2·fwd − 2·10·4·3
    (360, 480)
    """
    sizes = [check_int(f"layer_sizes[{i}]", s) for i, s in enumerate(layer_sizes)]
    if len(sizes) < 2:
        raise ValueError(f"layer_sizes must have at least 2 entries, got {layer_sizes!r}")
    n = check_int("n_samples", n_samples)
    layers = zip(sizes[:-1], sizes[1:], strict=True)
    products = [2 * n * fan_in * fan_out for fan_in, fan_out in layers]
    forward = sum(products)
    backward = 2 * forward - products[0]
    return forward, backward
