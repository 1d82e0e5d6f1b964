"""The multi-run figure helpers used by lessons 04-06 (course_lib.plotting, end of file)."""

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402

from course_lib import landscapes, plotting, set_language, style  # noqa: E402


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


def test_compare_trajectories_draws_one_line_per_path_with_its_label():
    set_language("en")
    bowl = landscapes.quadratic(condition_number=10)
    paths = {"a": np.array([[-4.0, 2.0], [-3.0, 1.0]]), "b": np.array([[-4.0, 2.0], [0.0, 0.0]])}
    ax = plotting.compare_trajectories(bowl, paths, colors={"b": "red"})
    labels = [t.get_text() for t in ax.get_legend().get_texts()]
    assert labels == ["a", "b"]
    drawn = {line.get_label(): line for line in ax.get_lines()}
    assert drawn["b"].get_color() == "red"
    assert drawn["a"].get_xdata().tolist() == [-4.0, -3.0]
    assert ax.get_title() == "quadratic bowl (condition number 10)"


def test_compare_trajectories_legend_is_framed_over_the_contours():
    # The course style turns legend frames off; over contour lines the legend needs its box.
    ax = plotting.compare_trajectories(landscapes.quadratic(), {"GD": np.zeros((3, 2))})
    legend = ax.get_legend()
    assert legend.get_frame_on()
    face = legend.get_frame().get_facecolor()
    assert face[:3] == (1.0, 1.0, 1.0) and face[3] >= 0.8  # white, nearly opaque
    assert legend.get_texts()[0].get_fontsize() == style.MIN_FONT_SIZE  # small, still readable


def test_compare_trajectories_title_follows_the_language():
    set_language("ko")
    try:
        ax = plotting.compare_trajectories(landscapes.rosenbrock(), {"x": np.zeros((2, 2))})
        assert ax.get_title() == "로젠브록 함수"
    finally:
        set_language("en")


@pytest.mark.parametrize("bad", [{}, [np.zeros((2, 2))], None])
def test_compare_trajectories_rejects_anything_but_a_nonempty_mapping(bad):
    with pytest.raises(ValueError, match="paths must be a non-empty mapping"):
        plotting.compare_trajectories(landscapes.quadratic(), bad)


def test_compare_curves_loss_is_log_and_stops_at_the_first_nonfinite_value():
    ax = plotting.compare_curves({"run": [4.0, 2.0, np.inf, 1.0]}, title="t", xlabel="epoch")
    assert ax.get_yscale() == "log"
    assert ax.get_lines()[0].get_ydata().tolist() == [4.0, 2.0]
    assert (ax.get_title(), ax.get_xlabel()) == ("t", "epoch")


def test_compare_curves_schedule_is_linear_unless_asked():
    ax = plotting.compare_curves({"s": [0.1, 0.01]}, kind="schedule")
    assert ax.get_yscale() == "linear"
    ax = plotting.compare_curves({"s": [0.1, 0.01]}, kind="schedule", log=True)
    assert ax.get_yscale() == "log"


def test_compare_curves_validates_kind_and_curves():
    with pytest.raises(ValueError, match="kind must be 'loss' or 'schedule'"):
        plotting.compare_curves({"s": [1.0]}, kind="lr")
    with pytest.raises(ValueError, match="curves must be a non-empty mapping"):
        plotting.compare_curves({})
