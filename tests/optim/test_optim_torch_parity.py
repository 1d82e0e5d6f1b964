"""course_lib.optim against PyTorch 2.13 trajectories recorded by tools/record_torch_references.py.

The fixtures hold the gradients fed to torch and the parameters after every step; these
tests replay the gradients without importing torch.  Agreement is to 1e-10 relative (in
practice within a few ulps: torch fuses ``a + alpha*b`` into one FMA rounding, NumPy
rounds twice).
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from _optim_replay import load, replay_optim, replay_schedulers

from course_lib.optim import clip_grad_norm_, clip_grad_value_, schedules

OPTIM_CASES = load("optim")
SCHED_CASES = load("lr_scheduler")
CLIP_CASES = load("clip")


def test_fixtures_cover_every_optimizer_and_scheduler():
    assert {c["optimizer"] for c in OPTIM_CASES} == {
        "SGD", "Adam", "AdamW", "Adagrad", "RMSprop", "NAdam", "Adadelta"}
    used = {s[0] for c in SCHED_CASES for s in c["schedulers"]}
    used |= {sub[0] for c in SCHED_CASES for s in c["schedulers"] if s[0] == "SequentialLR"
             for sub in s[1]["schedulers"]}
    assert used >= {"StepLR", "MultiStepLR", "ExponentialLR", "CosineAnnealingLR", "LinearLR",
                    "OneCycleLR", "SequentialLR", "LambdaLR"}


@pytest.mark.parametrize("case", OPTIM_CASES, ids=[c["name"] for c in OPTIM_CASES])
def test_optimizer_trajectory_matches_torch(case):
    ours = replay_optim(case)
    for t, (step_ours, step_torch) in enumerate(zip(ours, case["trajectory"], strict=True)):
        for i, (a, b) in enumerate(zip(step_ours, step_torch, strict=True)):
            np.testing.assert_allclose(a, np.array(b), rtol=1e-10, atol=1e-14,
                                       err_msg=f"{case['name']}: param {i} after step {t + 1}")


@pytest.mark.parametrize("case", SCHED_CASES, ids=[c["name"] for c in SCHED_CASES])
def test_scheduler_sequence_matches_torch(case):
    lrs, last, moms = replay_schedulers(case)
    # The schedulers do the same float operations in the same order as torch: exact.
    assert lrs == case["lrs"]
    assert last == case["last_lr"]
    assert moms == case["momenta"]


@pytest.mark.parametrize("case", [c for c in CLIP_CASES if c["kind"] == "norm"],
                         ids=lambda c: f"max{c['max_norm']}-p{c['norm_type']}")
def test_clip_grad_norm_matches_torch(case):
    grads = [np.array(g) for g in case["grads"]]
    p = math.inf if case["norm_type"] == "inf" else case["norm_type"]
    total = clip_grad_norm_(grads, case["max_norm"], norm_type=p)
    assert total == pytest.approx(case["total_norm"], rel=1e-12)
    for a, b in zip(grads, case["clipped"], strict=True):
        np.testing.assert_allclose(a, np.array(b), rtol=1e-12)


@pytest.mark.parametrize("case", [c for c in CLIP_CASES if c["kind"] == "value"],
                         ids=lambda c: f"value{c['clip_value']}")
def test_clip_grad_value_matches_torch(case):
    grads = [np.array(g) for g in case["grads"]]
    clip_grad_value_(grads, case["clip_value"])
    for a, b in zip(grads, case["clipped"], strict=True):
        np.testing.assert_array_equal(a, np.array(b))


def _sched_case(name):
    return next(c for c in SCHED_CASES if c["name"] == name)


def test_plain_schedules_equal_torch_schedulers():
    step = _sched_case("step")              # StepLR(step_size=3, gamma=0.5), lr 0.1
    assert [schedules.step_decay(e, 0.1, 0.5, 3) for e in range(13)] == \
        [lrs[0] for lrs in step["lrs"]]
    expo = _sched_case("exponential")       # gamma 0.8: torch multiplies step by step
    np.testing.assert_allclose([schedules.exponential_decay(e, 0.1, 0.8) for e in range(13)],
                               [lrs[0] for lrs in expo["lrs"]], rtol=1e-13)
    cos = _sched_case("cosine")             # T_max=5, eta_min=0.001, first half-period only
    np.testing.assert_allclose([schedules.cosine_decay(e, 0.1, 5, 0.001) for e in range(6)],
                               [lrs[0] for lrs in cos["lrs"][:6]], rtol=1e-13)
