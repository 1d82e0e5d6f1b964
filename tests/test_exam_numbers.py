"""The numbers the topic sheets quote are the numbers course_lib computes, in both languages.

Each sheet's table rows and sentences are read back and compared with a fresh computation:
gradient norms per layer (sheet 11), backprop FLOPs (12), L2 vs decoupled decay (13), model
state memory and ZeRO (14), optimizer state sizes and RAdam's rectification (15), Newton and
L-BFGS iteration counts (10), RMSprop's and Adam's first steps (05, 06).  Whether course_lib
itself is right is checked independently in tests/test_diagnostics.py, test_memory.py and
test_second_order.py; here a stale or mistyped number in a sheet fails.
"""

from __future__ import annotations

import math
import re
from pathlib import Path

import numpy as np
import pytest

from course_lib import landscapes, training
from course_lib.diagnostics import backprop_flops, gradient_norm_profile
from course_lib.memory import bytes_per_parameter, model_state_gb, state_values
from course_lib.models import MLP
from course_lib.optim import SGD, Adam, AdamW, RMSprop
from course_lib.optim.schedules import radam_rectification, untuned_linear_warmup
from course_lib.second_order import iterations_to, lbfgs, newton

TOPICS = Path(__file__).resolve().parents[1] / "exam" / "topics"


def _halves(name: str) -> tuple[str, str]:
    text = next(TOPICS.glob(f"{name}_*.md")).read_text(encoding="utf-8")
    return text[text.index("## 한국어"):text.index("## English")], text[text.index("## English"):]


def _row(half: str, label: str) -> list[str]:
    """The cells of the row whose first cell is ``label`` in the Comparison (Ⅲ) section."""
    at = half.find("### Ⅲ") if "### Ⅲ" in half else half.index("### III")
    for line in half[at:].splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if line.startswith("|") and cells[0] == label:
            return cells
    raise AssertionError(f"no table row {label!r}")


def _has(half: str, number: str) -> bool:
    return re.search(rf"(?<![\d.,]){re.escape(number)}(?![\d])", half) is not None


# ------------------------------------------------------------------ sheet 11
def _ratio(x: float) -> str:
    return f"{x:.0f}" if x >= 100 else f"{x:.2g}"


def _factor(x: float) -> str:
    return f"{x:.2f}" if x >= 0.1 else f"{x:.2g}"


SHEET_11 = [  # (ko label, en label, activation, init, gain, σ² for width n or None)
    ("시그모이드 + Glorot", "sigmoid + Glorot", "logistic", "glorot", 1.0, None),
    ("ReLU + N(0, 0.01²)", "ReLU + N(0, 0.01²)", "relu", "small", 1.0, lambda n: 1e-4),
    ("ReLU + Glorot", "ReLU + Glorot", "relu", "glorot", 1.0, lambda n: 2 / (2 * n)),
    ("ReLU + He", "ReLU + He", "relu", "he", 1.0, lambda n: 2 / n),
    ("ReLU + He × 2", "ReLU + He × 2", "relu", "he", 2.0, lambda n: 8 / n),
]


@pytest.mark.parametrize("ko,en,activation,init,gain,sigma2", SHEET_11,
                         ids=[r[1] for r in SHEET_11])
def test_sheet_11_gradient_norm_table(ko, en, activation, init, gain, sigma2):
    norms = gradient_norm_profile(activation, init, init_gain=gain)   # the sheet's setting
    ratio = norms.delta[0] / norms.delta[-1]
    factor = ratio ** (1 / (len(norms.delta) - 1))
    for half, label in zip(_halves("11"), (ko, en), strict=True):
        cells = _row(half, label)
        assert cells[1:3] == [_ratio(ratio), _factor(factor)], (label, cells)
        if sigma2 is not None:
            theory = math.sqrt(64 * sigma2(64) / 2)
            assert cells[3] == (f"{theory:.0f}" if theory >= 1 - 1e-9 else _factor(theory))
    if init == "small":
        assert 1e-13 < norms.weight.max() < 1e-11     # "‖∇W‖ ≈ 1e-12 in every layer"


# ------------------------------------------------------------------ sheet 12
def test_sheet_12_backprop_cost():
    sizes = [64] * 10 + [10]
    forward, backward = backprop_flops(sizes, 256)
    d = MLP(sizes).n_params
    for half in _halves("12"):
        for number in [f"{forward / 1e6:.1f} MFLOP", f"{backward / 1e6:.1f} MFLOP",
                       f"{(forward + backward) / forward:.2f}", f"{d:,}", f"{2 * d:,}"]:
            assert _has(half, number), number


# ------------------------------------------------------------------ sheet 13
def _one_step(opt_class, **kwargs) -> float:
    w = np.array([2.0])
    opt_class([w], lr=0.1, **kwargs).step([np.array([0.5])])
    return float(w[0])


def test_sheet_13_l2_versus_decoupled_decay():
    sgd_l2 = _one_step(SGD, weight_decay=0.1)
    sgd_decoupled = 2.0 * (1 - 0.1 * 0.1) - 0.1 * 0.5     # θ(1 − ηλ), then the SGD step
    adam_l2, adamw = _one_step(Adam, weight_decay=0.1), _one_step(AdamW, weight_decay=0.1)
    assert sgd_l2 == pytest.approx(sgd_decoupled, abs=1e-12)         # the same for SGD
    assert adam_l2 != pytest.approx(adamw, abs=1e-3)                 # not for Adam
    for half in _halves("13"):
        line = next(x for x in half.splitlines() if "course_lib" in x)
        assert re.findall(r"\d\.\d\d", line) == [f"{v:.2f}" for v in
                                                 (sgd_l2, sgd_decoupled, adam_l2, adamw)]


# ------------------------------------------------------------------ sheet 14
SHEET_14 = [(0, "혼합 정밀도 Adam, 복제(데이터 병렬)",
             "mixed-precision Adam, replicated (data parallel)"),
            (1, "ZeRO-1(상태 분할)", "ZeRO-1 (optimizer state sharded)"),
            (2, "ZeRO-2(+ 기울기 분할)", "ZeRO-2 (+ gradients)"),
            (3, "ZeRO-3 / FSDP(+ 파라미터 분할)", "ZeRO-3 / FSDP (+ parameters)")]


@pytest.mark.parametrize("stage,ko,en", SHEET_14, ids=[f"stage{s[0]}" for s in SHEET_14])
def test_sheet_14_zero_table(stage, ko, en):
    per = bytes_per_parameter("adam", zero_stage=stage, n_devices=64)
    gb = model_state_gb(7.5e9, "adam", zero_stage=stage, n_devices=64)
    for half, label in zip(_halves("14"), (ko, en), strict=True):
        gb_text = f"{gb:.1f}".removesuffix(".0")      # 1.875 is printed 1.9, as ZeRO's figure
        assert _row(half, label)[1:] == [f"{per:.3g}", f"{gb_text} GB"]


def test_sheet_14_fp32_adam_is_also_16_bytes():
    assert bytes_per_parameter("adam", precision="fp32") == 16 == bytes_per_parameter("adam")
    for half in _halves("14"):
        assert "4 + 4 + 8 = 16" in half


# ------------------------------------------------------------------ sheet 15
SHEET_15 = [("AdamW", "AdamW", "adamw", "adamw"),
            ("Adafactor(β₁ = 0)", "Adafactor (β₁ = 0)", "adafactor", None),
            ("8비트 AdamW", "8-bit AdamW", "adam8bit", "adam8bit"),
            ("Lion", "Lion", "lion", "lion"),
            ("Shampoo(L, R만)", "Shampoo (L, R only)", "shampoo", None)]


@pytest.mark.parametrize("ko,en,states,memory", SHEET_15, ids=[r[1] for r in SHEET_15])
def test_sheet_15_state_table(ko, en, states, memory):
    values = f"{state_values((1024, 4096), states):,}"
    per = "—" if memory is None else f"{bytes_per_parameter(memory):.3g}"
    per = "10.0" if memory == "adam8bit" else per          # 10.0039…: written with one decimal
    for half, label in zip(_halves("15"), (ko, en), strict=True):
        cells = _row(half, label)
        assert cells[1].split("(")[0].strip() == values and cells[2] == per, cells


def test_sheet_15_radam_warmup_numbers():
    first = next(t for t in range(1, 50) if radam_rectification(t) > 0)
    r = {t: f"{radam_rectification(t):.2g}" for t in (6, 100, 1000, 5000)}
    warmup = round(1 / untuned_linear_warmup(1))       # steps of a linear warmup to 1
    ko, en = _halves("15")
    assert first == 6 and warmup == 2000
    assert f"처음 {first - 1}스텝" in ko and f"first {first - 1} steps" in en
    for half in (ko, en):
        assert all(_has(half, v) for v in r.values()), r
        assert _has(half, f"{warmup}")


# ------------------------------------------------------------------ sheet 10
def test_sheet_10_iteration_counts():
    bowl, rosen = landscapes.quadratic(condition_number=100.0), landscapes.rosenbrock()
    gd_bowl = training.gradient_descent(bowl, lr=2 / (bowl.L + bowl.mu), steps=2000)
    gd_rosen = training.gradient_descent(rosen, lr=1.5e-3, steps=30000)
    rows = {
        ("경사 하강법(고정 η)", "gradient descent (fixed η)"):
            (iterations_to(gd_bowl, bowl.minima[0]), iterations_to(gd_rosen, rosen.minima[0])),
        ("L-BFGS(m = 10)", "L-BFGS (m = 10)"):
            (iterations_to(lbfgs(bowl), bowl.minima[0]), iterations_to(lbfgs(rosen),
                                                                       rosen.minima[0])),
        ("뉴턴", "Newton"):
            (iterations_to(newton(bowl), bowl.minima[0]), iterations_to(newton(rosen),
                                                                        rosen.minima[0])),
    }
    for labels, (on_bowl, on_rosen) in rows.items():
        for half, label in zip(_halves("10"), labels, strict=True):
            cells = _row(half, label)
            assert cells[1].split(" (")[0] == f"{on_bowl:,}", cells
            assert cells[2].split(" (")[0] == f"{on_rosen:,}", cells


# ------------------------------------------------------------------ sheets 05 and 06
def test_sheet_05_rmsprop_first_step_is_ten_times_the_learning_rate():
    w = np.array([0.0])
    RMSprop([w], lr=0.1).step([np.array([0.5])])
    assert abs(w[0]) / 0.1 == pytest.approx(1 / math.sqrt(1 - 0.99), rel=1e-5) == 10
    ko, en = _halves("05")
    assert "1/√(1 − α) = 10배" in ko and "1/√(1 − α) = 10 times η" in en


def test_sheet_06_adam_first_step_without_bias_correction():
    # m = (1 − β₁)g, √v = √(1 − β₂)|g|: the step is (1 − β₁)/√(1 − β₂)·η whatever |g|
    ratio = (1 - 0.9) / math.sqrt(1 - 0.999)
    assert f"{ratio:.2f}" == "3.16"
    steps = []
    for g in (1e-3, 0.5, 100.0):   # with both corrections course_lib's first step is η
        w = np.array([1.0])
        Adam([w], lr=0.1).step([np.array([g])])
        steps.append(1 - w[0])
    assert np.allclose(steps, 0.1, rtol=1e-4)
    for half in _halves("06"):
        assert "3.16" in half and "√v̂" in half
