"""Model-state memory (course_lib.memory) and RAdam's implied warmup (course_lib.optim.schedules).

References are independent of the code: the figures the ZeRO paper prints (Rajbhandari et al.
2020: Figure 1 and the GPT-2 example of section 3), the arrays course_lib's own optimizers
keep, the definition of RAdam's ρ_t as the length of a simple moving average with the same
centre of mass as the EMA (Liu et al. 2020, computed below by a plain sum), and the steps at
which PyTorch's RAdam (threshold 5) and the paper (threshold 4) switch the adaptive term on.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from course_lib.memory import bytes_per_parameter, model_state_gb, state_values
from course_lib.optim import LAMB, SGD, Adam, AdamW
from course_lib.optim.schedules import (
    radam_rectification,
    radam_sma_length,
    untuned_linear_warmup,
)


def test_mixed_precision_adam_is_16_bytes_per_parameter():
    # 2 (fp16 weights) + 2 (fp16 gradients) + 12 (fp32 master copy, m, v): ZeRO's 16Ψ
    assert bytes_per_parameter("adam") == 16
    assert bytes_per_parameter("adamw", precision="mixed") == 16
    # in fp32 the model states are also 16 bytes: mixed precision saves activations and time
    assert bytes_per_parameter("adam", precision="fp32") == 16
    assert bytes_per_parameter("sgd", precision="fp32") == 8
    assert bytes_per_parameter("momentum", precision="fp32") == 12
    assert bytes_per_parameter("lion") == 12          # one momentum instead of m and v


@pytest.mark.parametrize("stage,printed_gb", [(0, 120), (1, 31.4), (2, 16.6), (3, 1.9)])
def test_zero_stages_reproduce_figure_1_of_the_paper(stage, printed_gb):
    # Rajbhandari et al. 2020, Figure 1: Ψ = 7.5B, K = 12, N_d = 64, per-device model states
    gb = model_state_gb(7.5e9, "adam", zero_stage=stage, n_devices=64)
    assert round(gb, 1) == printed_gb


def test_gpt2_example_of_the_zero_paper():
    # section 3: a 1.5B-parameter GPT-2 needs at least 24 GB for its model states (16Ψ)
    assert model_state_gb(1.5e9) == pytest.approx(24.0)


def test_state_counts_agree_with_course_lib_optimizers():
    shape = (6, 5)
    for opt_class, kwargs, name in [(SGD, {}, "sgd"), (SGD, {"momentum": 0.9}, "momentum"),
                                    (Adam, {}, "adam"), (AdamW, {}, "adamw"),
                                    (LAMB, {}, "adam")]:
        w = np.ones(shape)
        opt = opt_class([w], **kwargs)
        opt.step([np.full(shape, 0.5)])
        kept = sum(v.size for v in opt.state.get(0, {}).values()
                   if isinstance(v, np.ndarray) and v.shape == shape)
        assert kept == state_values(shape, name), opt_class.__name__


def test_factored_and_kronecker_state_sizes():
    n, m = 1024, 4096
    assert state_values((n, m), "adafactor") == n + m        # row and column statistics
    assert state_values((n, m), "adam") / state_values((n, m), "adafactor") > 1600
    assert state_values((m,), "adafactor") == m              # vectors are not factored
    assert state_values((3, n, m), "adafactor") == 3 * (n + m)
    assert state_values((n, m), "shampoo") == n * n + m * m
    # 8-bit states: 2 bytes for m and v plus one fp32 scale per block of 2048 values
    assert bytes_per_parameter("adam8bit") == pytest.approx(2 + 2 + 4 + 2 * (1 + 4 / 2048))


def test_adafactor_rank_one_estimate_is_exact_for_rank_one_second_moments():
    # why row and column sums suffice: V̂ = R Cᵀ / (1ᵀR) recovers any rank-1 non-negative V
    rng = np.random.default_rng(0)
    V = np.outer(rng.uniform(0.1, 2, 7), rng.uniform(0.1, 2, 5))
    R, C = V.sum(axis=1), V.sum(axis=0)
    np.testing.assert_allclose(np.outer(R, C) / R.sum(), V, rtol=1e-12)
    assert R.size + C.size == state_values(V.shape, "adafactor")


def test_bad_arguments_name_themselves():
    with pytest.raises(ValueError, match="optimizer must be one of"):
        bytes_per_parameter("adagrad8")
    with pytest.raises(ValueError, match="precision must be one of"):
        bytes_per_parameter(precision="fp8")
    with pytest.raises(ValueError, match="zero_stage must be 0, 1, 2 or 3"):
        bytes_per_parameter(zero_stage=4)
    with pytest.raises(ValueError, match="n_devices must be an integer >= 1"):
        bytes_per_parameter(zero_stage=1, n_devices=0)
    with pytest.raises(ValueError, match="n_params must be a finite number > 0"):
        model_state_gb(-1)
    with pytest.raises(ValueError, match="optimizer must be one of"):
        state_values((2, 2), "newton")
    with pytest.raises(ValueError, match="beta2 must be in"):
        radam_rectification(10, beta2=1.0)
    with pytest.raises(ValueError, match="step must be an integer >= 1"):
        untuned_linear_warmup(0)


# ------------------------------------------------------------------ RAdam and warmup
def _sma_length_from_centre_of_mass(t: int, beta2: float) -> float:
    """Liu et al. 2020: the SMA length f with the same centre of mass as the EMA, by a sum."""
    weights = [(1 - beta2) * beta2 ** (t - i) for i in range(1, t + 1)]
    com_ema = sum(w * i for w, i in zip(weights, range(1, t + 1), strict=True)) / (1 - beta2**t)
    # an SMA of the last f values has centre of mass t + 1 − (f + 1)/2
    return 2 * (t + 1 - com_ema) - 1


@pytest.mark.parametrize("t", [1, 2, 6, 50, 1000])
@pytest.mark.parametrize("beta2", [0.9, 0.999])
def test_rho_is_the_sma_length_of_the_ema(t, beta2):
    assert radam_sma_length(t, beta2) == pytest.approx(
        _sma_length_from_centre_of_mass(t, beta2), rel=1e-9, abs=1e-9)


def test_rectification_switches_on_where_pytorch_and_the_paper_say():
    first_torch = next(t for t in range(1, 100) if radam_rectification(t) > 0)
    first_paper = next(t for t in range(1, 100) if radam_rectification(t, threshold=4) > 0)
    assert (first_torch, first_paper) == (6, 5)     # ρ₆ = 5.994 > 5, ρ₅ = 4.996 > 4
    rho_inf = 2 / (1 - 0.999) - 1
    assert radam_sma_length(10**6) == pytest.approx(rho_inf)
    assert radam_rectification(10**6) == pytest.approx(1.0)


def test_rectification_acts_as_a_warmup_of_thousands_of_steps():
    r = [radam_rectification(t) for t in range(6, 20001)]
    assert all(a < b for a, b in zip(r, r[1:], strict=False))     # increasing
    assert radam_rectification(100) < 0.25 and radam_rectification(1000) < 0.7
    assert radam_rectification(5000) > 0.98
    # Ma & Yarats 2021: linear warmup over 2/(1 − β₂) = 2000 steps in its place
    assert untuned_linear_warmup(1000) == pytest.approx(0.5)
    assert untuned_linear_warmup(2000) == pytest.approx(1.0)
    assert math.isclose(untuned_linear_warmup(1, beta2=0.99), 0.005)
