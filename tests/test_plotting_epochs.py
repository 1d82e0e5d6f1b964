"""plotting.label_epochs, used by lessons 09-10 for per-epoch curves (entry 0 is epoch 1)."""

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import pytest  # noqa: E402

from course_lib import plotting, set_language  # noqa: E402


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


def _ticks(ax):
    return [(pos, label.get_text()) for pos, label in zip(ax.get_xticks(),
                                                          ax.get_xticklabels(), strict=True)]


def test_ticks_sit_on_the_entries_of_epoch_1_and_every_multiple():
    ax = plotting.compare_curves({"loss": [1.0] * 30})
    plotting.label_epochs(ax, 30, every=10)
    # entry i of the curve is drawn at x = i and belongs to epoch i + 1
    assert _ticks(ax) == [(0, "1"), (9, "10"), (19, "20"), (29, "30")]
    assert ax.get_lines()[0].get_xdata().tolist() == list(range(30))  # data not moved


def test_default_spacing_and_label_follow_the_language():
    set_language("ko")
    try:
        ax = plotting.label_epochs(plt.subplots()[1], 10)
        assert [label for _, label in _ticks(ax)] == ["1", "2", "4", "6", "8", "10"]
        assert ax.get_xlabel() == "에폭"
    finally:
        set_language("en")


@pytest.mark.parametrize("kwargs", [{"n_epochs": 0}, {"n_epochs": 2.5}, {"n_epochs": True},
                                    {"n_epochs": 5, "every": 0}])
def test_bad_arguments_name_themselves(kwargs):
    name = "every" if "every" in kwargs else "n_epochs"
    with pytest.raises(ValueError, match=name):
        plotting.label_epochs(plt.subplots()[1], **kwargs)
