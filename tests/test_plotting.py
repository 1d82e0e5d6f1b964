"""The shared plot helpers of course_lib.plotting (the first part of the module).

The multi-run helpers at the end of the module have their own test files
(test_plotting_compare.py, test_plotting_history.py, test_plotting_epochs.py).
"""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402

from course_lib import landscapes, plotting, set_language, style  # noqa: E402


@pytest.fixture(autouse=True)
def _clean():
    set_language("en")
    yield
    set_language("en")
    plt.close("all")


def test_contour_levels_are_log_spaced_above_the_floor():
    z = np.array([1.0, 2.0, 1001.0])  # floor 1; the 98th percentile ≈ 981
    levels = plotting.contour_levels(z, n=4)
    span = np.percentile(z, 98) - 1.0
    np.testing.assert_allclose(levels - 1.0, span * np.array([1e-3, 1e-2, 1e-1, 1.0]),
                               rtol=1e-12)


def test_contour_levels_without_a_floor_are_even():
    levels = plotting.contour_levels(np.linspace(-4.0, 4.0, 101), n=5)
    np.testing.assert_allclose(np.diff(levels), np.diff(levels)[0])


@pytest.mark.parametrize("bad", [1, 2.5, "3"])
def test_contour_levels_checks_n(bad):
    with pytest.raises(ValueError, match="n must be"):
        plotting.contour_levels(np.arange(5.0), n=bad)


def test_contour_landscape_covers_the_bounds_and_marks_the_minimum():
    bowl = landscapes.quadratic(condition_number=10.0)
    cs = plotting.contour_landscape(bowl, levels=12)
    ax = cs.axes
    assert len(cs.levels) == 12
    assert ax.get_xlim() == bowl.bounds[0] and ax.get_ylim() == bowl.bounds[1]
    stars = [line for line in ax.lines if line.get_marker() == "*"]
    assert stars and stars[0].get_xydata().tolist() == bowl.minima.tolist()


def test_contour_landscape_refuses_1d():
    with pytest.raises(ValueError, match="2-D"):
        plotting.contour_landscape(landscapes.parabola())


def test_trajectory_keeps_the_points_and_checks_the_shape():
    path = np.array([[0.0, 1.0], [0.5, 0.5]])
    line = plotting.plot_trajectory(path, label="GD")
    np.testing.assert_array_equal(line.get_xydata(), path)
    with pytest.raises(ValueError, match="path must have shape"):
        plotting.plot_trajectory(np.zeros(3))


def test_function_1d_draws_f_and_the_path_on_it():
    parabola = landscapes.parabola(2.0)
    curve, steps = plotting.plot_function_1d(parabola, path=[1.0, -0.5])
    np.testing.assert_allclose(curve.get_ydata(), curve.get_xdata() ** 2)  # 2/2 · x²
    np.testing.assert_allclose(steps.get_ydata(), [1.0, 0.25])


@pytest.mark.parametrize("lang,xlabel", [("ko", "스텝"), ("en", "step")])
def test_labels_follow_the_language(lang, xlabel):
    set_language(lang)
    line = plotting.plot_loss_curve([1.0, 0.5])
    assert line.axes.get_xlabel() == xlabel
    assert plotting.plot_schedule([0.1, 0.1]).axes.get_ylabel() == (
        "학습률" if lang == "ko" else "learning rate")


def test_loss_curve_stops_before_the_first_non_finite_value():
    line = plotting.plot_loss_curve([4.0, 2.0, np.inf, 1.0])
    assert line.get_ydata().tolist() == [4.0, 2.0]


def test_finite_prefix():
    assert plotting.finite_prefix([1.0, np.nan, 2.0]).tolist() == [1.0]
    assert plotting.finite_prefix([1.0, 2.0], limit=1.5).tolist() == [1.0]
    assert plotting.finite_prefix([]).tolist() == []


def test_divergence_message_in_both_languages():
    assert plotting.divergence_message(7, lang="en") == "diverged at step 7"
    assert plotting.divergence_message(7, lang="ko") == "스텝 7에서 발산"
    set_language("ko")
    assert "발산" in plotting.divergence_message(3)


def test_log_limits_are_whole_decades_holding_the_values():
    lo, hi = plotting.log_limits([0.03, 5.0, np.nan, -1.0])
    assert (lo, hi) == (0.01, 10.0)


def test_show_status_is_red_only_for_a_diverged_run():
    _, ax = plt.subplots()
    status = plotting.status_text(ax)
    plotting.show_status(status, "diverged at step 3", diverged=True)
    assert status.get_text() == "diverged at step 3"
    assert matplotlib.colors.to_hex(status.get_color()) == style.ALERT_COLOR.lower()
    plotting.show_status(status, "loss = 0.1")
    assert status.get_text() == "loss = 0.1"
    assert matplotlib.colors.to_hex(status.get_color()) == "#000000"
