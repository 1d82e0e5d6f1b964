"""Clipping edge cases (the numbers themselves are checked against torch in the parity test)."""

from __future__ import annotations

import math

import numpy as np
import pytest

from course_lib.optim import clip_grad_norm_, clip_grad_value_, total_grad_norm


def test_norm_by_hand_and_the_1e6():
    # ||(3, 4)|| = 5 ; max_norm 1 -> factor 1/(5 + 1e-6), so the norm ends a hair below 1
    g = [np.array([3.0, 4.0])]
    assert clip_grad_norm_(g, 1.0) == 5.0
    np.testing.assert_allclose(g[0], np.array([3.0, 4.0]) / (5 + 1e-6), rtol=1e-15)
    assert np.linalg.norm(g[0]) < 1.0


def test_under_the_limit_multiplies_by_exactly_one():
    g = [np.array([0.3, -0.4])]
    assert clip_grad_norm_(g, 10.0) == pytest.approx(0.5, rel=1e-15)
    np.testing.assert_array_equal(g[0], [0.3, -0.4])


def test_total_norm_spans_all_arrays_and_inf_norm():
    grads = [np.array([3.0]), np.array([[4.0]]), np.array([-12.0])]
    assert total_grad_norm(grads) == pytest.approx(13.0, rel=1e-15)
    assert total_grad_norm(grads, math.inf) == 12.0
    assert total_grad_norm(grads, 1) == 19.0
    assert total_grad_norm([]) == 0.0 and clip_grad_norm_([], 1.0) == 0.0


def test_nonfinite_norm():
    g = [np.array([1.0, np.nan])]
    with pytest.raises(FloatingPointError, match="non-finite"):
        clip_grad_norm_(g, 1.0, error_if_nonfinite=True)
    assert math.isnan(clip_grad_norm_(g, 1.0))       # as torch: the gradients become NaN
    assert np.isnan(g[0]).all()


@pytest.mark.parametrize("bad", [-1.0, float("nan"), "1"])
def test_bad_max_norm_and_clip_value(bad):
    with pytest.raises(ValueError, match="max_norm must be a number >= 0"):
        clip_grad_norm_([np.ones(2)], bad)
    with pytest.raises(ValueError, match="clip_value must be a number >= 0"):
        clip_grad_value_([np.ones(2)], bad)


def test_bad_norm_type_and_grads():
    with pytest.raises(ValueError, match="norm_type must be > 0"):
        clip_grad_norm_([np.ones(2)], 1.0, norm_type=0)
    with pytest.raises(TypeError, match=r"grads\[0\] must be a float ndarray"):
        clip_grad_norm_([[1.0, 2.0]], 1.0)


def test_clip_value_in_place_single_array():
    g = np.array([-3.0, 0.5, np.nan, 2.0])
    clip_grad_value_(g, 1.0)
    np.testing.assert_array_equal(g, [-1.0, 0.5, np.nan, 1.0])
