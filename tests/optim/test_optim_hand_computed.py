"""Two-step cases worked out by hand (CS231n style); no fixtures, no torch.

Each test states the arithmetic in comments; the expected numbers are written from it,
never taken from course_lib.
"""

from __future__ import annotations

import math

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
    schedules,
)

G1, G2 = 2.0, -1.0          # the two gradients used below, on w0 = 1.0


def run(opt_cls, grads=(G1, G2), w0=1.0, **kw):
    w = np.array([w0])
    opt = opt_cls([w], **kw)
    out = []
    for g in grads:
        opt.step([np.array([g])])
        out.append(float(w[0]))
    return out


def test_sgd_plain():
    # w1 = 1 - 0.1*2 = 0.8 ; w2 = 0.8 - 0.1*(-1) = 0.9
    assert run(SGD, lr=0.1) == pytest.approx([0.8, 0.9], rel=1e-15)


def test_sgd_momentum_buffer_starts_at_first_gradient():
    # b1 = g1 = 2 (not 0.1*2: no dampening, no zero start) -> w1 = 1 - 0.1*2 = 0.8
    # b2 = 0.9*2 + (-1) = 0.8 -> w2 = 0.8 - 0.1*0.8 = 0.72
    assert run(SGD, lr=0.1, momentum=0.9) == pytest.approx([0.8, 0.72], rel=1e-15)


def test_sgd_dampening_skips_first_step():
    # b1 = g1 = 2 -> w1 = 0.8 ; b2 = 0.9*2 + (1-0.5)*(-1) = 1.3 -> w2 = 0.8 - 0.13 = 0.67
    assert run(SGD, lr=0.1, momentum=0.9, dampening=0.5) == pytest.approx([0.8, 0.67], rel=1e-14)


def test_sgd_nesterov():
    # b1 = 2 ; step uses g + mu*b = 2 + 1.8 = 3.8 -> w1 = 1 - 0.38 = 0.62
    # b2 = 0.9*2 - 1 = 0.8 ; g + mu*b = -1 + 0.72 = -0.28 -> w2 = 0.62 + 0.028 = 0.648
    assert run(SGD, lr=0.1, momentum=0.9, nesterov=True) == pytest.approx([0.62, 0.648],
                                                                          rel=1e-14)


def test_sgd_weight_decay_adds_to_gradient():
    # g1' = 2 + 0.1*1 = 2.1 -> w1 = 0.79 ; g2' = -1 + 0.1*0.79 = -0.921 -> w2 = 0.8821
    assert run(SGD, lr=0.1, weight_decay=0.1) == pytest.approx([0.79, 0.8821], rel=1e-14)


def test_sgd_maximize_climbs():
    # w1 = 1 + 0.1*2 = 1.2 ; w2 = 1.2 + 0.1*(-1) = 1.1
    assert run(SGD, lr=0.1, maximize=True) == pytest.approx([1.2, 1.1], rel=1e-15)


def test_adam_two_steps():
    # step 1: m = 0.1*2 = 0.2, v = 0.001*4 = 0.004; m_hat = 0.2/0.1 = 2, v_hat = 0.004/0.001 = 4
    #         w1 = 1 - 0.1 * 2 / (sqrt(4) + 1e-8)
    w1 = 1 - 0.1 * 2 / (2 + 1e-8)
    # step 2: m = 0.9*0.2 + 0.1*(-1) = 0.08, v = 0.999*0.004 + 0.001*1 = 0.004996
    #         1-0.9^2 = 0.19, 1-0.999^2 = 0.001999
    w2 = w1 - 0.1 * (0.08 / 0.19) / (math.sqrt(0.004996 / 0.001999) + 1e-8)
    assert run(Adam, lr=0.1) == pytest.approx([w1, w2], rel=1e-13)


def test_adam_l2_is_normalised_away_but_adamw_decay_is_not():
    # Adam + L2: g' = 2 + 0.5*1 = 2.5, the first step is still ~lr: w1 = 1 - 0.1*2.5/(2.5+1e-8)
    assert run(Adam, grads=[G1], lr=0.1, weight_decay=0.5)[0] == pytest.approx(
        1 - 0.1 * 2.5 / (2.5 + 1e-8), rel=1e-14)
    # AdamW: w <- 1*(1 - 0.1*0.5) = 0.95 first, then the Adam step on g = 2
    assert run(AdamW, grads=[G1], lr=0.1, weight_decay=0.5)[0] == pytest.approx(
        0.95 - 0.1 * 2 / (2 + 1e-8), rel=1e-14)
    # zero gradient: only the decay acts, 0.95 then 0.95^2 = 0.9025
    assert run(AdamW, grads=[0.0, 0.0], lr=0.1, weight_decay=0.5) == pytest.approx(
        [0.95, 0.9025], rel=1e-15)


def test_adamw_decays_with_the_current_lr():
    # lr changed to 0.01 before step 2: decay factor is 1 - 0.01*0.5, not 1 - 0.1*0.5
    w = np.array([1.0])
    opt = AdamW([w], lr=0.1, weight_decay=0.5)
    opt.step([np.array([0.0])])                       # w = 0.95
    opt.param_groups[0]["lr"] = 0.01
    opt.step([np.array([0.0])])
    assert w[0] == pytest.approx(0.95 * (1 - 0.005), rel=1e-15)


def test_amsgrad_uses_max_of_raw_second_moment():
    # betas (0, 0.5): m = g. step1 g=2: v = 0.5*4 = 2, vmax = 2, v_hat = 2/0.5 = 4
    #   -> w1 = 1 - 0.1*2/2
    # step2 g=0.1: v = 0.5*2 + 0.5*0.01 = 1.005 < vmax = 2 ; 1-0.5^2 = 0.75
    #   amsgrad: w2 = w1 - 0.1 * 0.1 / sqrt(2/0.75)   (plain Adam would use 1.005/0.75)
    w1 = 1 - 0.1 * 2 / 2
    out = run(Adam, grads=[2.0, 0.1], lr=0.1, betas=(0.0, 0.5), eps=0.0, amsgrad=True)
    assert out == pytest.approx([w1, w1 - 0.01 / math.sqrt(2 / 0.75)], rel=1e-14)
    plain = run(Adam, grads=[2.0, 0.1], lr=0.1, betas=(0.0, 0.5), eps=0.0)
    assert plain[1] == pytest.approx(w1 - 0.01 / math.sqrt(1.005 / 0.75), rel=1e-14)


def test_adagrad_eps_outside_the_root():
    # eps = 1 makes the placement visible: torch form 1 - 0.5*2/(sqrt(4)+1) = 2/3,
    # the seed's sqrt(G + eps) would give 1 - 0.5*2/sqrt(5) = 0.5528
    assert run(Adagrad, grads=[G1], lr=0.5, eps=1.0)[0] == pytest.approx(2 / 3, rel=1e-15)


def test_adagrad_two_steps_and_lr_decay():
    # G1 = 4 -> w1 = 1 - 0.5*2/2 = 0.5 ; G2 = 5 -> w2 = 0.5 + 0.5/sqrt(5)
    assert run(Adagrad, lr=0.5, eps=0.0) == pytest.approx([0.5, 0.5 + 0.5 / math.sqrt(5)],
                                                          rel=1e-15)
    # lr_decay 1: step 2 uses lr/(1 + 1*1) = 0.25
    assert run(Adagrad, lr=0.5, eps=0.0, lr_decay=1.0)[1] == pytest.approx(
        0.5 + 0.25 / math.sqrt(5), rel=1e-15)


def test_rmsprop_plain_momentum_centered():
    # alpha 0.9: v1 = 0.1*4 = 0.4, v2 = 0.9*0.4 + 0.1*1 = 0.46
    w1 = 1 - 0.01 * 2 / math.sqrt(0.4)
    assert run(RMSprop, lr=0.01, alpha=0.9, eps=0.0) == pytest.approx(
        [w1, w1 + 0.01 / math.sqrt(0.46)], rel=1e-14)
    # momentum 0.5, buffer from ZERO: b1 = 2/sqrt(.4), b2 = 0.5*b1 - 1/sqrt(.46)
    b1 = 2 / math.sqrt(0.4)
    b2 = 0.5 * b1 - 1 / math.sqrt(0.46)
    assert run(RMSprop, lr=0.01, alpha=0.9, eps=0.0, momentum=0.5) == pytest.approx(
        [1 - 0.01 * b1, 1 - 0.01 * b1 - 0.01 * b2], rel=1e-14)
    # centered: g_avg1 = 0.2, 0.4 - 0.04 = 0.36 -> w1 = 1 - 0.01*2/0.6
    #           g_avg2 = 0.18 - 0.1 = 0.08, 0.46 - 0.0064 = 0.4536
    c1 = 1 - 0.01 * 2 / 0.6
    assert run(RMSprop, lr=0.01, alpha=0.9, eps=0.0, centered=True) == pytest.approx(
        [c1, c1 + 0.01 / math.sqrt(0.4536)], rel=1e-13)


def test_nadam_first_step():
    # mu_t = 0.9*(1 - 0.5*0.96^(0.004 t)); m1 = 0.2, v1 = 0.004, sqrt(v1/0.001) = 2
    # w1 = 1 - 0.1*(1-mu1)/(1-mu1) * 2/2 - 0.1*mu2/(1-mu1*mu2) * 0.2/2
    mu1 = 0.9 * (1 - 0.5 * 0.96**0.004)
    mu2 = 0.9 * (1 - 0.5 * 0.96**0.008)
    expected = 1 - 0.1 - 0.1 * mu2 / (1 - mu1 * mu2) * 0.1
    assert run(NAdam, grads=[G1], lr=0.1, eps=0.0)[0] == pytest.approx(expected, rel=1e-14)


def test_adadelta_two_steps():
    # rho 0.5, eps 1, g = 1 twice.  v1 = 0.5; dx1 = sqrt(0+1)/sqrt(1.5) ; u1 = 0.5*dx1^2 = 1/3
    # v2 = 0.25 + 0.5 = 0.75; dx2 = sqrt(1/3 + 1)/sqrt(1.75) = sqrt(16/21)
    dx1, dx2 = 1 / math.sqrt(1.5), math.sqrt(16 / 21)
    assert run(Adadelta, grads=[1.0, 1.0], rho=0.5, eps=1.0) == pytest.approx(
        [1 - dx1, 1 - dx1 - dx2], rel=1e-14)


def test_lamb_two_steps():
    # w0 = (3, 4), ||w0|| = 5.  step 1, g = (1, -1): m_hat = (1, -1), v_hat = (1, 1), r = (1, -1)
    #   trust = 5/sqrt(2) -> w1 = w0 - 0.1 * 5/sqrt(2) * (1, -1)
    w1 = np.array([3.0, 4.0]) - 0.1 * 5 / math.sqrt(2) * np.array([1.0, -1.0])
    # step 2, g = (0.5, 0.5): m = (0.09+0.05, -0.09+0.05) = (0.14, -0.04); v = 0.000999 + 0.00025
    #   m_hat = m/0.19, v_hat = 0.001249/0.001999, r = m_hat/sqrt(v_hat)
    r = np.array([0.14, -0.04]) / 0.19 / math.sqrt(0.001249 / 0.001999)
    w2 = w1 - 0.1 * (math.hypot(*w1) / math.hypot(*r)) * r
    w = np.array([3.0, 4.0])
    opt = LAMB([w], lr=0.1, eps=0.0)
    opt.step([np.array([1.0, -1.0])])
    np.testing.assert_allclose(w, w1, rtol=1e-14)
    opt.step([np.array([0.5, 0.5])])
    np.testing.assert_allclose(w, w2, rtol=1e-13)


def test_lamb_weight_decay_and_zero_norm_cases():
    # wd 0.1: u = (1 + 0.3, -1 + 0.4) = (1.3, -0.6); trust = 5/sqrt(2.05)
    w = np.array([3.0, 4.0])
    LAMB([w], lr=0.1, eps=0.0, weight_decay=0.1).step([np.array([1.0, -1.0])])
    np.testing.assert_allclose(w, [3 - 0.1 * 5 / math.sqrt(2.05) * 1.3,
                                   4 + 0.1 * 5 / math.sqrt(2.05) * 0.6], rtol=1e-14)
    # ||w|| = 0 -> trust 1: a plain Adam-direction step of size lr
    w = np.zeros(2)
    opt = LAMB([w], lr=0.1, eps=0.0)
    opt.step([np.array([1.0, -1.0])])
    np.testing.assert_allclose(w, [-0.1, 0.1], rtol=1e-15)
    assert opt.state[0]["trust_ratio"] == 1.0
    # zero gradient, no decay: ||u|| = 0 -> trust 1 and w unchanged (no 0/0)
    w = np.array([3.0, 4.0])
    LAMB([w], lr=0.1).step([np.zeros(2)])
    np.testing.assert_array_equal(w, [3.0, 4.0])


def test_velocity_form_equals_torch_form_while_lr_is_constant():
    rng = np.random.default_rng(0)
    grads = rng.normal(size=(20, 4))
    a, b = np.ones(4), np.ones(4)
    torch_form, seed_form = SGD([a], lr=0.05, momentum=0.9), VelocitySGD([b], lr=0.05,
                                                                         momentum=0.9)
    for g in grads:
        torch_form.step([g])
        seed_form.step([g])
    np.testing.assert_allclose(a, b, rtol=1e-13)


def test_velocity_form_differs_once_lr_changes():
    # w0 = 0, g = 1 twice, lr 0.1 then 0.01, momentum 0.9.
    # step 1 (both): w1 = -0.1 (torch b1 = 1; seed v1 = -0.1)
    # step 2, torch: b2 = 0.9 + 1 = 1.9, w2 = -0.1 - 0.01*1.9 = -0.119
    #         seed : v2 = 0.9*(-0.1) - 0.01*1 = -0.1, w2 = -0.2  (old lr lives on inside v)
    a, b = np.zeros(1), np.zeros(1)
    torch_form, seed_form = SGD([a], lr=0.1, momentum=0.9), VelocitySGD([b], lr=0.1,
                                                                        momentum=0.9)
    for opt in (torch_form, seed_form):
        opt.step([np.ones(1)])
        opt.param_groups[0]["lr"] = 0.01
        opt.step([np.ones(1)])
    assert a[0] == pytest.approx(-0.119, rel=1e-14)
    assert b[0] == pytest.approx(-0.2, rel=1e-14)


def test_plain_schedules_by_hand():
    # floor, not a smooth power: 0.1 * 0.5^floor(e/2)
    assert [schedules.step_decay(e, 0.1, 0.5, 2) for e in range(5)] == [0.1, 0.1, 0.05, 0.05,
                                                                        0.025]
    # warmup over 4 epochs: epoch 0 already has lr/4 (the seed gave 0), then decay by 0.5
    assert [schedules.warmup_then_decay(e, 1.0, 4, 0.5) for e in range(6)] == [
        0.25, 0.5, 0.75, 1.0, 0.5, 0.25]
    assert schedules.cosine_decay(5, 1.0, 10) == pytest.approx(0.5, rel=1e-15)
    assert schedules.cosine_decay(25, 1.0, 10, eta_min=0.1) == 0.1     # stays at eta_min
    assert schedules.exponential_decay(3, 2.0, 0.5) == 0.25
