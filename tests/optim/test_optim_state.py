"""state_dict round trips, param groups, in-place updates and allocation-free steps."""

from __future__ import annotations

import tracemalloc

import numpy as np
import pytest

from course_lib.optim import (
    LAMB,
    SGD,
    Adadelta,
    Adagrad,
    Adam,
    AdamW,
    NAdam,
    RMSprop,
    VelocitySGD,
)

CONFIGS = [
    (SGD, {"lr": 0.05, "momentum": 0.9, "nesterov": True}),
    (Adam, {"lr": 0.05, "amsgrad": True, "weight_decay": 0.1}),
    (AdamW, {"lr": 0.05}),
    (Adagrad, {"lr": 0.1, "lr_decay": 0.05, "initial_accumulator_value": 0.1}),
    (RMSprop, {"lr": 0.01, "momentum": 0.5, "centered": True}),
    (NAdam, {"lr": 0.05}),
    (Adadelta, {"rho": 0.8}),
    (LAMB, {"lr": 0.05, "weight_decay": 0.01}),
    (VelocitySGD, {"lr": 0.05}),
]
IDS = [c.__name__ for c, _ in CONFIGS]


def _grads(n, seed=0):
    rng = np.random.default_rng(seed)
    return [[rng.normal(size=3), rng.normal(size=(2, 2))] for _ in range(n)]


def _init():
    return [np.array([1.0, -2.0, 0.5]), np.array([[0.3, -0.1], [2.0, 1.0]])]


@pytest.mark.parametrize(("cls", "kw"), CONFIGS, ids=IDS)
def test_resume_from_state_dict_equals_uninterrupted_run(cls, kw):
    grads = _grads(10)
    ref = _init()
    opt = cls(ref, **kw)
    for g in grads:
        opt.step(g)

    first = _init()
    opt1 = cls(first, **kw)
    for g in grads[:5]:
        opt1.step(g)
    saved, saved_params = opt1.state_dict(), [p.copy() for p in first]
    opt1.step(grads[5])                       # must not leak into the saved dict (deep copy)

    resumed = [p.copy() for p in saved_params]
    opt2 = cls(resumed, **kw)
    opt2.load_state_dict(saved)
    for g in grads[5:]:
        opt2.step(g)
    for a, b in zip(resumed, ref, strict=True):
        np.testing.assert_array_equal(a, b)


def test_state_dict_layout_is_torch_like_and_restores_hyper_parameters():
    a, b = np.zeros(2), np.zeros(3)
    opt = Adam([{"params": [a]}, {"params": [b], "lr": 0.5}], lr=0.1)
    opt.step([np.ones(2), np.ones(3)])
    sd = opt.state_dict()
    assert [g["params"] for g in sd["param_groups"]] == [[0], [1]]
    assert sd["state"][1]["step"] == 1.0 and sd["state"][1]["exp_avg"].shape == (3,)
    opt2 = Adam([{"params": [a.copy()]}, {"params": [b.copy()]}], lr=0.1)
    opt2.load_state_dict(sd)
    assert opt2.param_groups[1]["lr"] == 0.5
    sd["state"][0]["exp_avg"][:] = 99.0       # loading copied, did not alias
    assert opt2.state[0]["exp_avg"][0] != 99.0


def test_load_state_dict_rejects_mismatch():
    opt = SGD([np.zeros(2)], lr=0.1, momentum=0.9)
    opt.step([np.ones(2)])
    sd = opt.state_dict()
    with pytest.raises(ValueError, match="different number of parameter groups"):
        SGD([{"params": [np.zeros(2)]}, {"params": [np.zeros(2)]}], lr=0.1).load_state_dict(sd)
    with pytest.raises(ValueError, match="doesn't match the size"):
        SGD([np.zeros(2), np.zeros(2)], lr=0.1).load_state_dict(sd)
    with pytest.raises(ValueError, match="has shape"):
        SGD([np.zeros(5)], lr=0.1).load_state_dict(sd)


@pytest.mark.parametrize(("cls", "kw"), CONFIGS, ids=IDS)
def test_update_is_in_place_and_grads_are_untouched(cls, kw):
    params = _init()
    views = [p.reshape(-1) for p in params]         # a "model" holding views sees the change
    g = _grads(1)[0]
    g_copy = [x.copy() for x in g]
    cls(params, **kw).step(g)
    assert not np.array_equal(views[0], _init()[0].reshape(-1))
    for a, b in zip(g, g_copy, strict=True):
        np.testing.assert_array_equal(a, b)


@pytest.mark.parametrize(("cls", "kw"), CONFIGS, ids=IDS)
def test_step_allocates_no_parameter_sized_array(cls, kw):
    n = 20_000                                      # 160 kB per float64 array
    w = np.random.default_rng(0).normal(size=n)
    g = np.random.default_rng(1).normal(size=n)
    opt = cls([w], **kw)
    opt.step([g])                                   # first step creates state and scratch
    opt.step([g])
    tracemalloc.start()
    opt.step([g])
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert peak < n * 8 // 4, f"{cls.__name__}.step allocated {peak} bytes"


def test_param_group_lr_change_takes_effect_and_groups_keep_defaults():
    a, b = np.ones(1), np.ones(1)
    opt = SGD([{"params": [a]}, {"params": [b], "momentum": 0.5}], lr=0.1)
    assert opt.param_groups[0]["momentum"] == 0 and opt.param_groups[1]["lr"] == 0.1
    opt.param_groups[0]["lr"] = 0.5
    opt.step([np.ones(1), np.ones(1)])
    assert a[0] == 0.5 and b[0] == pytest.approx(0.9)


def test_add_param_group_later():
    a, b = np.ones(2), np.ones(3)
    opt = Adam([a], lr=0.1)
    opt.step([np.ones(2)])
    opt.add_param_group({"params": [b], "lr": 0.2})
    opt.step([np.ones(2), np.ones(3)])
    assert opt.state[1]["step"] == 1.0 and opt.state[0]["step"] == 2.0
    with pytest.raises(ValueError, match="more than once"):
        opt.add_param_group({"params": [a]})


@pytest.mark.parametrize(("cls", "kw"), CONFIGS, ids=IDS)
def test_non_contiguous_and_float32_params_follow_the_same_path(cls, kw):
    # C-contiguous float64 arrays take the one-pass BLAS route; strided views (a slice of a
    # bigger weight matrix) and float32 take the NumPy / saxpy routes: same numbers.
    rng = np.random.default_rng(3)
    big = rng.normal(size=(4, 6))
    grads = [rng.normal(size=(4, 3)) for _ in range(6)]
    dense = big[:, ::2].copy()
    strided = big[:, ::2]                                  # a view, not contiguous
    assert not strided.flags.c_contiguous
    single = dense.astype(np.float32)
    opt_d, opt_s, opt_f = cls([dense], **kw), cls([strided], **kw), cls([single], **kw)
    for g in grads:
        opt_d.step([g])
        opt_s.step([np.asfortranarray(g)])
        opt_f.step([g.astype(np.float32)])
    np.testing.assert_allclose(strided, dense, rtol=1e-12, atol=1e-15)
    np.testing.assert_allclose(big[:, ::2], dense, rtol=1e-12, atol=1e-15)   # model sees it
    assert single.dtype == np.float32
    np.testing.assert_allclose(single, dense, rtol=2e-4, atol=1e-5)


def test_zero_dimensional_parameter_accepts_a_scalar_gradient():
    # 1-D lessons use w = np.array(2.0); 2 * w is then a NumPy scalar, not an array.
    # SGD momentum by hand on f(w) = w^2: b = 4 -> 1.6; b = 3.6 + 3.2 = 6.8 -> 0.92
    w = np.array(2.0)
    opt = SGD([w], lr=0.1, momentum=0.9)
    opt.step([2 * w])
    opt.step([2 * w])
    assert w.shape == () and float(w) == pytest.approx(0.92, rel=1e-14)
    with pytest.raises(TypeError, match=r"grads\[0\] must be a float ndarray"):
        opt.step(["1.0"])


def test_gradient_that_is_the_parameter_itself():
    # f(w) = w^2 / 2 has gradient w: passing the parameter array as its own gradient must
    # behave like passing a copy (the overlap takes the NumPy route, not BLAS).
    a, b = np.array([1.0, -2.0]), np.array([1.0, -2.0])
    opt_a, opt_b = SGD([a], lr=0.1, momentum=0.9), SGD([b], lr=0.1, momentum=0.9)
    for _ in range(3):
        opt_a.step([a])
        opt_b.step([b.copy()])
    np.testing.assert_allclose(a, b, rtol=1e-15)
    # by hand, first two steps: b1 = w0 -> w1 = 0.9 w0; b2 = 0.9 w0 + 0.9 w0 -> w2 = 0.72 w0
    w = np.array([1.0, -2.0])
    opt = SGD([w], lr=0.1, momentum=0.9)
    opt.step([w])
    opt.step([w])
    np.testing.assert_allclose(w, [0.72, -1.44], rtol=1e-15)


def _run_all(cls, kw, shapes, n_steps=4):
    rng = np.random.default_rng(11)
    params = [rng.normal(size=s) for s in shapes]
    opt = cls(params, **kw)
    for _ in range(n_steps):
        opt.step([rng.normal(size=s) for s in shapes])
    return params


@pytest.mark.parametrize(("cls", "kw"), CONFIGS, ids=IDS)
def test_chunked_update_equals_whole_array_update(cls, kw, monkeypatch):
    import course_lib.optim.optimizer as base
    shapes = [(53,), (4, 13)]                              # not multiples of the chunk
    monkeypatch.setattr(base, "CHUNK_ELEMENTS", 10**9)     # one call per array
    whole = _run_all(cls, kw, shapes)
    monkeypatch.setattr(base, "CHUNK_ELEMENTS", 5)         # 11 slices per array
    pieces = _run_all(cls, kw, shapes)
    for a, b in zip(pieces, whole, strict=True):
        # BLAS may round the last (short) slice without FMA: a few ulps at most
        np.testing.assert_allclose(a, b, rtol=1e-14, atol=1e-15)


@pytest.mark.parametrize(("cls", "kw"), CONFIGS, ids=IDS)
def test_chunked_step_allocates_no_parameter_sized_array(cls, kw, monkeypatch):
    import course_lib.optim.optimizer as base
    monkeypatch.setattr(base, "CHUNK_ELEMENTS", 2048)
    n = 20_000
    w = np.random.default_rng(0).normal(size=n)
    g = np.random.default_rng(1).normal(size=n)
    opt = cls([w], **kw)
    opt.step([g])
    opt.step([g])
    tracemalloc.start()
    opt.step([g])
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert peak < n * 8 // 4, f"{cls.__name__}.step allocated {peak} bytes"
