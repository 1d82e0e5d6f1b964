"""The optax-style chains equal the optimizer classes (and so PyTorch) up to rounding."""

from __future__ import annotations

import numpy as np
import pytest

from course_lib.optim import SGD, Adam, AdamW, transforms


def _run_chain(tx, params, grads):
    state = tx.init(params)
    for g in grads:
        updates, state = tx.update(g, state, params)
        params = transforms.apply_updates(params, updates)
    return params


def _run_class(cls, params, grads, **kw):
    params = [p.copy() for p in params]
    opt = cls(params, **kw)
    for g in grads:
        opt.step(g)
    return params


@pytest.fixture
def problem():
    rng = np.random.default_rng(5)
    params = [rng.normal(size=3), rng.normal(size=(2, 2))]
    grads = [[rng.normal(size=3), rng.normal(size=(2, 2))] for _ in range(8)]
    return params, grads


def test_adamw_chain_equals_adamw(problem):
    params, grads = problem
    ours = _run_chain(transforms.adamw(0.05, weight_decay=0.3), params, grads)
    ref = _run_class(AdamW, params, grads, lr=0.05, weight_decay=0.3)
    for a, b in zip(ours, ref, strict=True):
        np.testing.assert_allclose(a, b, rtol=1e-12)


def test_adam_l2_chain_equals_adam_with_weight_decay(problem):
    params, grads = problem
    ours = _run_chain(transforms.adam_l2(0.05, weight_decay=0.3), params, grads)
    ref = _run_class(Adam, params, grads, lr=0.05, weight_decay=0.3)
    for a, b in zip(ours, ref, strict=True):
        np.testing.assert_allclose(a, b, rtol=1e-12)


def test_order_of_the_chain_is_the_difference(problem):
    params, grads = problem
    l2 = _run_chain(transforms.adam_l2(0.05, weight_decay=0.3), params, grads)
    decoupled = _run_chain(transforms.adamw(0.05, weight_decay=0.3), params, grads)
    assert not np.allclose(l2[0], decoupled[0], rtol=1e-3)


def test_scale_chain_is_sgd_and_optax_clip_has_no_epsilon(problem):
    params, grads = problem
    sgd = _run_chain(transforms.scale_by_learning_rate(0.1), params, grads)
    ref = _run_class(SGD, params, grads, lr=0.1)
    for a, b in zip(sgd, ref, strict=True):
        np.testing.assert_allclose(a, b, rtol=1e-14)
    # ||(3, 4)|| = 5 -> exactly (0.6, 0.8): no 1e-6 as in torch's clip_grad_norm_
    tx = transforms.clip_by_global_norm(1.0)
    out, _ = tx.update([np.array([3.0, 4.0])], tx.init([np.zeros(2)]))
    np.testing.assert_allclose(out[0], [0.6, 0.8], rtol=1e-15)
    assert abs(out[0][0] - 3 / (5 + 1e-6)) > 1e-8          # torch's value differs


def test_transform_argument_checks():
    with pytest.raises(ValueError, match="b1 must be in"):
        transforms.scale_by_adam(b1=1.0)
    with pytest.raises(ValueError, match="weight_decay must be >= 0"):
        transforms.add_decayed_weights(-1.0)
    tx = transforms.add_decayed_weights(0.1)
    with pytest.raises(ValueError, match="needs params"):
        tx.update([np.zeros(1)], tx.init([np.zeros(1)]))
