"""course_lib._checks: the argument checks data, models, training, landscapes and plotting share."""

from __future__ import annotations

import numpy as np
import pytest

from course_lib._checks import check_int, check_nonnegative, check_positive


@pytest.mark.parametrize("value", [1, 7, np.int64(3)])
def test_check_int_returns_a_python_int(value):
    out = check_int("n", value)
    assert out == int(value) and type(out) is int


@pytest.mark.parametrize("value", [0, -2, True, 2.0, "3", None])
def test_check_int_names_the_argument_and_the_bound(value):
    with pytest.raises(ValueError, match=r"^epochs must be an integer >= 1, got "):
        check_int("epochs", value)


def test_check_int_respects_low():
    assert check_int("steps", 0, low=0) == 0
    with pytest.raises(ValueError, match="steps must be an integer >= 2, got 1"):
        check_int("steps", 1, low=2)


def test_check_nonnegative_accepts_zero_and_rejects_negative_nan_inf():
    assert check_nonnegative("noise", 0) == 0.0
    for bad in (-0.1, float("nan"), float("inf")):
        with pytest.raises(ValueError, match="noise must be a finite number >= 0"):
            check_nonnegative("noise", bad)


def test_check_positive_rejects_zero():
    assert check_positive("mu", 2) == 2.0
    for bad in (0, -1.0, float("nan"), float("inf")):
        with pytest.raises(ValueError, match="mu must be a finite number > 0"):
            check_positive("mu", bad)
