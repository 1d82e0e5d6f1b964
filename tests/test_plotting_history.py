"""plot_history, the monitoring figure of lesson 08 (course_lib.plotting, end of file)."""

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402

from course_lib import plotting, set_language, training  # noqa: E402
from course_lib.models import LinearRegression  # noqa: E402
from course_lib.optim import SGD  # noqa: E402


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")
    set_language("en")


def _history(**kwargs):
    X = np.linspace(-1, 1, 40)[:, None]
    y = 3 * X[:, 0] + 2
    model = LinearRegression(1)
    return training.train(model, X, y, SGD(model.params, lr=0.1), epochs=8, **kwargs)


def test_draws_training_and_validation_loss_per_epoch_and_marks_the_best_epoch():
    hist = _history(X_val=np.array([[0.5], [-0.5]]), y_val=np.array([3.5, 0.5]))
    hist.best_epoch = 3  # as early stopping would set it
    ax_loss, ax_grad, ax_ratio = plotting.plot_history(hist)
    lines = {line.get_label(): line for line in ax_loss.get_lines()}
    assert lines["training loss"].get_ydata().tolist() == hist.epoch_loss
    assert lines["validation loss"].get_ydata().tolist() == hist.val_loss
    assert lines["training loss"].get_xdata().tolist() == list(range(1, 9))
    assert lines["best epoch (3)"].get_xdata()[0] == 3
    assert ax_grad.get_lines()[0].get_ydata().tolist() == hist.grad_norm
    assert ax_ratio.get_lines()[0].get_ydata().tolist()[1:] == hist.update_ratio[1:]
    assert [ax.get_yscale() for ax in (ax_loss, ax_grad, ax_ratio)] == ["log"] * 3


def test_per_step_history_without_validation_uses_steps_on_the_x_axis():
    hist = _history(record="step", batch_size=10)
    _, ax_grad, _ = plotting.plot_history(hist)
    assert ax_grad.get_lines()[0].get_xdata().tolist() == hist.steps
    assert ax_grad.get_xlabel() == "step"


def test_labels_follow_the_language():
    set_language("ko")
    ax_loss, ax_grad, ax_ratio = plotting.plot_history(_history())
    assert (ax_loss.get_ylabel(), ax_grad.get_ylabel(), ax_ratio.get_ylabel()) == (
        "손실", "기울기 노름", "업데이트/가중치 비")
    assert ax_loss.get_xlabel() == "에폭"


def test_wrong_number_of_axes_is_refused():
    fig, axes = plt.subplots(1, 2)
    with pytest.raises(ValueError, match="axes must hold 3 Axes"):
        plotting.plot_history(_history(), axes=axes)
