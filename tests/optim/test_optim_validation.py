"""Invalid arguments are rejected as PyTorch rejects them; bad grads and NaN get clear errors."""

from __future__ import annotations

import re

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

ALL = [SGD, Adam, AdamW, Adagrad, RMSprop, NAdam, Adadelta, LAMB, VelocitySGD]

# (class, kwargs, start of PyTorch's message) -- the values torch.optim 2.13 rejects
INVALID = [
    (SGD, {"lr": -0.1}, "Invalid learning rate: -0.1"),
    (SGD, {"momentum": -0.5}, "Invalid momentum value: -0.5"),
    (SGD, {"weight_decay": -1e-4}, "Invalid weight_decay value: -0.0001"),
    (SGD, {"lr": 0.1, "nesterov": True}, "Nesterov momentum requires a momentum and zero"),
    (SGD, {"lr": 0.1, "momentum": 0.9, "dampening": 0.1, "nesterov": True},
     "Nesterov momentum requires"),
    (Adam, {"lr": -1e-3}, "Invalid learning rate: -0.001"),
    (Adam, {"eps": -1e-8}, "Invalid epsilon value: -1e-08"),
    (Adam, {"betas": (1.0, 0.999)}, "Invalid beta parameter at index 0: 1.0"),
    (Adam, {"betas": (-0.1, 0.999)}, "Invalid beta parameter at index 0: -0.1"),
    (Adam, {"betas": (0.9, 1.5)}, "Invalid beta parameter at index 1: 1.5"),
    (Adam, {"weight_decay": -0.1}, "Invalid weight_decay value: -0.1"),
    (AdamW, {"betas": (0.9, 1.0)}, "Invalid beta parameter at index 1: 1.0"),
    (AdamW, {"weight_decay": -0.01}, "Invalid weight_decay value: -0.01"),
    (Adagrad, {"lr": -0.01}, "Invalid learning rate: -0.01"),
    (Adagrad, {"lr_decay": -1.0}, "Invalid lr_decay value: -1.0"),
    (Adagrad, {"weight_decay": -1.0}, "Invalid weight_decay value: -1.0"),
    (Adagrad, {"initial_accumulator_value": -0.1},
     "Invalid initial_accumulator_value value: -0.1"),
    (Adagrad, {"eps": -1.0}, "Invalid epsilon value: -1.0"),
    (RMSprop, {"lr": -0.01}, "Invalid learning rate: -0.01"),
    (RMSprop, {"eps": -1.0}, "Invalid epsilon value: -1.0"),
    (RMSprop, {"momentum": -0.9}, "Invalid momentum value: -0.9"),
    (RMSprop, {"weight_decay": -1.0}, "Invalid weight_decay value: -1.0"),
    (RMSprop, {"alpha": -0.99}, "Invalid alpha value: -0.99"),
    (NAdam, {"lr": -1.0}, "Invalid learning rate: -1.0"),
    (NAdam, {"eps": -1.0}, "Invalid epsilon value: -1.0"),
    (NAdam, {"betas": (0.9, -0.1)}, "Invalid beta parameter at index 1: -0.1"),
    (NAdam, {"weight_decay": -1.0}, "Invalid weight_decay value: -1.0"),
    (NAdam, {"momentum_decay": -1.0}, "Invalid momentum_decay value: -1.0"),
    (Adadelta, {"lr": -1.0}, "Invalid learning rate: -1.0"),
    (Adadelta, {"rho": 1.1}, "Invalid rho value: 1.1"),
    (Adadelta, {"rho": -0.1}, "Invalid rho value: -0.1"),
    (Adadelta, {"eps": -1.0}, "Invalid epsilon value: -1.0"),
    (Adadelta, {"weight_decay": -1.0}, "Invalid weight_decay value: -1.0"),
    (LAMB, {"lr": -1.0}, "Invalid learning rate: -1.0"),
    (LAMB, {"betas": (0.9, 1.0)}, "Invalid beta parameter at index 1: 1.0"),
    (LAMB, {"weight_decay": -1.0}, "Invalid weight_decay value: -1.0"),
    (VelocitySGD, {"momentum": -1.0}, "Invalid momentum value: -1.0"),
]


@pytest.mark.parametrize(("cls", "kwargs", "message"), INVALID,
                         ids=[f"{c.__name__}-{next(iter(k))}" for c, k, _ in INVALID])
def test_invalid_hyper_parameter_raises_like_torch(cls, kwargs, message):
    with pytest.raises(ValueError, match=re.escape(message)):
        cls([np.zeros(3)], **kwargs)


def test_message_names_the_argument_and_the_range():
    with pytest.raises(ValueError, match=r"lr must be >= 0"):
        Adam([np.zeros(1)], lr=-1.0)
    with pytest.raises(ValueError, match=r"betas\[0\] must be >= 0.0 and < 1.0"):
        Adam([np.zeros(1)], betas=(1.0, 0.9))


@pytest.mark.parametrize("cls", [SGD, Adam, RMSprop])
def test_nan_learning_rate_is_rejected(cls):
    # stricter than torch's SGD, which accepts lr=nan and turns every weight into NaN
    with pytest.raises(ValueError, match="Invalid learning rate: nan"):
        cls([np.zeros(1)], lr=float("nan"))


def test_invalid_value_in_a_param_group_is_rejected():
    with pytest.raises(ValueError, match="Invalid learning rate: -1"):
        SGD([{"params": [np.zeros(2)]}, {"params": [np.zeros(2)], "lr": -1}], lr=0.1)


@pytest.mark.parametrize("cls", ALL)
def test_bad_params(cls):
    with pytest.raises(ValueError, match="empty parameter list"):
        cls([])
    with pytest.raises(TypeError, match="single ndarray"):
        cls(np.zeros(3))
    with pytest.raises(TypeError, match="floating dtype"):
        cls([np.zeros(3, dtype=int)])
    with pytest.raises(TypeError, match="NumPy arrays"):
        cls([[1.0, 2.0]])
    w = np.zeros(2)
    with pytest.raises(ValueError, match="more than once"):
        cls([w, w])


@pytest.mark.parametrize("cls", ALL)
def test_bad_grads(cls):
    opt = cls([np.zeros(3), np.zeros((2, 2))])
    with pytest.raises(ValueError, match="grads has 1 arrays but the optimizer holds 2"):
        opt.step([np.zeros(3)])
    with pytest.raises(ValueError, match=r"grads\[1\] has shape \(4,\) but parameter 1 has "
                                         r"shape \(2, 2\)"):
        opt.step([np.zeros(3), np.zeros(4)])
    with pytest.raises(TypeError, match=r"grads\[0\] must be a float ndarray"):
        opt.step([[0.0, 0.0, 0.0], np.zeros((2, 2))])
    with pytest.raises(TypeError, match="list of arrays"):
        opt.step(np.zeros(3))


@pytest.mark.parametrize("cls", ALL)
def test_nan_gradient_raises_before_touching_anything(cls):
    w0, w1 = np.ones(3), np.ones(2)
    opt = cls([w0, w1], lr=0.1)
    opt.step([np.ones(3), np.ones(2)])
    before = (w0.copy(), w1.copy())
    state_before = opt.state_dict()
    with pytest.raises(FloatingPointError, match=r"grads\[1\] holds NaN or inf at step 2"):
        opt.step([np.ones(3), np.array([1.0, np.nan])])
    np.testing.assert_array_equal(w0, before[0])     # the finite parameter was not updated
    np.testing.assert_array_equal(w1, before[1])
    for k, st in state_before["state"].items():
        for name, v in st.items():
            if isinstance(v, np.ndarray):
                np.testing.assert_array_equal(opt.state[k][name], v)


@pytest.mark.parametrize("bad", [np.inf, -np.inf, np.nan])
def test_nonfinite_modes(bad):
    w = np.ones(2)
    opt = Adam([w], lr=0.1, nonfinite="skip")
    opt.step([np.array([1.0, bad])])
    np.testing.assert_array_equal(w, [1.0, 1.0])
    assert opt.skipped_steps == 1 and opt.state == {}
    w = np.ones(2)
    opt = SGD([w], lr=0.1, nonfinite="ignore")       # torch's behaviour: it propagates
    opt.step([np.array([1.0, bad])])
    assert w[0] == 0.9 and not np.isfinite(w[1])


def test_huge_finite_gradient_is_not_mistaken_for_inf():
    # the fast check sums the gradient; 1e308 + 1e308 overflows but nothing is non-finite
    w = np.zeros(2)
    SGD([w], lr=1e-308).step([np.array([1e308, 1e308])])
    np.testing.assert_allclose(w, [-1.0, -1.0])


def test_unknown_nonfinite_mode():
    with pytest.raises(ValueError, match="nonfinite must be one of"):
        SGD([np.zeros(1)], nonfinite="warn")


def test_none_gradient_skips_that_parameter():
    a, b = np.ones(2), np.ones(2)
    SGD([a, b], lr=0.5).step([None, np.ones(2)])
    np.testing.assert_array_equal(a, [1.0, 1.0])
    np.testing.assert_array_equal(b, [0.5, 0.5])
