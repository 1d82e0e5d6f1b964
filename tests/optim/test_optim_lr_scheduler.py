"""Scheduler behaviour beyond the recorded sequences: construction, order, errors, resume."""

from __future__ import annotations

import math
import warnings

import numpy as np
import pytest

from course_lib.optim import SGD, Adam
from course_lib.optim.lr_scheduler import (
    ChainedScheduler,
    CosineAnnealingLR,
    ExponentialLR,
    LambdaLR,
    LinearLR,
    MultiStepLR,
    OneCycleLR,
    SequentialLR,
    StepLR,
)


def _opt(lr=0.1, cls=SGD, **kw):
    return cls([np.zeros(2)], lr=lr, **kw)


def _run(opt, sched, n):
    out = []
    for _ in range(n):
        opt.step([np.zeros(2)])
        sched.step()
        out.append(sched.get_last_lr()[0])
    return out


def test_construction_takes_the_initial_step_and_stores_initial_lr():
    opt = _opt(0.1)
    sched = LinearLR(opt, start_factor=0.5, total_iters=2)
    assert sched.last_epoch == 0
    assert opt.param_groups[0]["initial_lr"] == 0.1
    assert opt.param_groups[0]["lr"] == 0.05 == sched.get_last_lr()[0]
    # 0.05 -> 0.075 -> 0.1 (hand: factor 0.5, 0.75, 1.0)
    assert _run(opt, sched, 3) == pytest.approx([0.075, 0.1, 0.1], rel=1e-15)


def test_recursive_form_carries_a_hand_change_forward():
    # ExponentialLR multiplies the CURRENT lr: after setting lr = 1.0 it continues from 1.0
    opt = _opt(0.1)
    sched = ExponentialLR(opt, gamma=0.5)
    _run(opt, sched, 2)                                    # 0.05, 0.025
    opt.param_groups[0]["lr"] = 1.0
    assert _run(opt, sched, 2) == [0.5, 0.25]
    assert sched._get_closed_form_lr() == [0.1 * 0.5**4]  # the closed form ignores the change


def test_scheduler_before_optimizer_warns():
    opt = _opt()
    sched = StepLR(opt, step_size=1)
    with pytest.warns(UserWarning, match="before `optimizer.step\\(\\)`"):
        sched.step()
    opt2 = _opt()
    sched2 = StepLR(opt2, step_size=1)
    opt2.step([np.zeros(2)])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        sched2.step()


def test_two_schedulers_compose_and_chained_scheduler_equals_calling_both():
    opt_a, opt_b = _opt(1.0), _opt(1.0)
    s1, s2 = StepLR(opt_a, 2, gamma=0.5), ExponentialLR(opt_a, gamma=0.9)
    chained = ChainedScheduler([StepLR(opt_b, 2, gamma=0.5), ExponentialLR(opt_b, gamma=0.9)])
    for t in range(1, 7):
        for opt in (opt_a, opt_b):
            opt.step([np.zeros(2)])
        s1.step()
        s2.step()
        chained.step()
        # hand: 0.5^floor(t/2) * 0.9^t
        assert opt_a.param_groups[0]["lr"] == pytest.approx(0.5 ** (t // 2) * 0.9**t, rel=1e-14)
        assert chained.get_last_lr() == [opt_a.param_groups[0]["lr"]]


def test_cosine_recursive_equals_closed_form_without_interference():
    opt = _opt(0.1)
    sched = CosineAnnealingLR(opt, T_max=10, eta_min=0.001)
    lrs = _run(opt, sched, 10)
    closed = [0.001 + 0.099 * (1 + math.cos(math.pi * t / 10)) / 2 for t in range(1, 11)]
    np.testing.assert_allclose(lrs, closed, rtol=1e-12)


def test_onecycle_overrides_lr_and_momentum():
    opt = _opt(123.0, momentum=0.0)                        # both get overridden
    sched = OneCycleLR(opt, max_lr=1.0, total_steps=10)
    # (the cos anneal at pct 0 rounds: 0.040000000000000036, exactly as torch)
    assert opt.param_groups[0]["lr"] == pytest.approx(1.0 / 25, rel=1e-14)
    assert opt.param_groups[0]["momentum"] == pytest.approx(0.95, rel=1e-14)
    lrs = _run(opt, sched, 9)
    # end of the warmup phase (step pct_start*10 - 1 = 2): max_lr, base momentum
    assert lrs[1] == pytest.approx(1.0) and opt.param_groups[0]["lr"] == lrs[-1]
    assert lrs[-1] == pytest.approx(1.0 / 25 / 1e4)          # the very end: initial/final_div
    assert opt.param_groups[0]["momentum"] == pytest.approx(0.95)
    with pytest.raises(ValueError, match="Tried to step 11 times"):
        _run(opt, sched, 2)


def test_onecycle_uses_beta1_for_adam():
    opt = _opt(0.1, cls=Adam, betas=(0.5, 0.99))
    OneCycleLR(opt, max_lr=0.01, total_steps=5)
    assert opt.param_groups[0]["betas"] == (0.95, 0.99)


@pytest.mark.parametrize(("factory", "message"), [
    (lambda o: StepLR(o, step_size=0), "step_size must be a positive integer"),
    (lambda o: CosineAnnealingLR(o, T_max=0), "T_max must be a positive integer"),
    (lambda o: LinearLR(o, start_factor=0.0), "Starting multiplicative factor"),
    (lambda o: LinearLR(o, end_factor=1.5), "Ending multiplicative factor"),
    (lambda o: OneCycleLR(o, max_lr=1.0), "either total_steps OR"),
    (lambda o: OneCycleLR(o, max_lr=1.0, total_steps=-3), "total_steps must be a positive"),
    (lambda o: OneCycleLR(o, max_lr=1.0, total_steps=5, pct_start=1.5), "pct_start"),
    (lambda o: OneCycleLR(o, max_lr=1.0, total_steps=5, anneal_strategy="exp"),
     "anneal_strategy"),
    (lambda o: OneCycleLR(o, max_lr=[1.0, 2.0], total_steps=5), "same length"),
    (lambda o: LambdaLR(o, [lambda e: 1.0, lambda e: 1.0]), "Expected 1 lr_lambdas"),
    (lambda o: SequentialLR(o, [StepLR(o, 2)], milestones=[3]), "one more than the number"),
    (lambda o: SequentialLR(o, [StepLR(_opt(), 2), StepLR(o, 2)], milestones=[3]),
     "same optimizer"),
    (lambda o: ExponentialLR(o, gamma=float("nan")), "gamma must be a real number"),
])
def test_invalid_scheduler_arguments(factory, message):
    with pytest.raises(ValueError, match=message):
        factory(_opt())


def test_onecycle_needs_momentum_or_betas():
    from course_lib.optim import Adadelta
    with pytest.raises(ValueError, match="momentum or beta1"):
        OneCycleLR(Adadelta([np.zeros(1)]), max_lr=1.0, total_steps=5)


def test_not_an_optimizer():
    with pytest.raises(TypeError, match="is not an Optimizer"):
        StepLR(object(), step_size=2)


@pytest.mark.parametrize("make", [
    lambda o: StepLR(o, 3, gamma=0.5),
    lambda o: MultiStepLR(o, [2, 4], gamma=0.5),
    lambda o: CosineAnnealingLR(o, T_max=4, eta_min=0.01),
    lambda o: OneCycleLR(o, max_lr=1.0, total_steps=12),
    lambda o: SequentialLR(o, [LinearLR(o, 0.5, total_iters=2), ExponentialLR(o, 0.9)], [2]),
], ids=["step", "multistep", "cosine", "onecycle", "sequential"])
def test_scheduler_resume_from_state_dicts(make):
    ref_opt = _opt(0.1, momentum=0.9)
    ref = _run(ref_opt, make(ref_opt), 10)
    opt = _opt(0.1, momentum=0.9)
    sched = make(opt)
    first = _run(opt, sched, 4)
    opt_sd, sched_sd = opt.state_dict(), sched.state_dict()
    opt2 = _opt(0.1, momentum=0.9)
    sched2 = make(opt2)
    opt2.load_state_dict(opt_sd)
    sched2.load_state_dict(sched_sd)
    assert first + _run(opt2, sched2, 6) == ref
