"""LR range test: successive batches, smoothing, stop rule, restoration, suggestion vs 2/L."""

import math
import warnings

import matplotlib
import numpy as np
import pytest

from course_lib import set_language
from course_lib.lr_finder import lr_range_test, plot_lr_finder
from course_lib.models import LinearRegression, Model, mse_smoothness
from course_lib.optim import SGD, Adam

matplotlib.use("Agg")


class Spy(Model):
    """Gradient 1 for w; records the rows it sees and w at each call; scripted losses."""

    def __init__(self, losses=None):
        self.n_features, self.params = 1, [np.zeros(1)]
        self.rows, self.ws, self.losses = [], [], losses

    def loss_and_grads(self, X, y):
        self.rows.append(X[:, 0].astype(int).tolist())
        self.ws.append(float(self.params[0][0]))
        k = len(self.rows) - 1
        return (1.0 if self.losses is None else self.losses[k]), [np.ones(1)]


def _data(n):
    return np.arange(n, dtype=float)[:, None], np.zeros(n)


def test_successive_batches_cycle_through_the_data():
    model = Spy()
    X, y = _data(10)
    lr_range_test(model, X, y, SGD(model.params, lr=0.1), num_iter=9, batch_size=3,
                  shuffle=False)
    assert model.rows == [[0, 1, 2], [3, 4, 5], [6, 7, 8], [9]] * 2 + [[0, 1, 2]]


def test_shuffled_passes_are_permutations_and_differ():
    model = Spy()
    X, y = _data(12)
    lr_range_test(model, X, y, SGD(model.params, lr=0.1), num_iter=12, batch_size=4, seed=5)
    passes = [sum(model.rows[i:i + 3], []) for i in (0, 3, 6, 9)]
    for p in passes:
        assert sorted(p) == list(range(12))
    assert len({tuple(p) for p in passes}) == 4


def test_exponential_schedule_is_applied_each_step():
    model = Spy()
    X, y = _data(5)
    res = lr_range_test(model, X, y, SGD(model.params, lr=0.1), start_lr=1e-4, end_lr=1.0,
                        num_iter=5, batch_size=1)
    expected = [1e-4, 1e-3, 1e-2, 1e-1, 1.0]  # 4 decades in 4 steps
    np.testing.assert_allclose(res.lrs, expected, rtol=1e-12)
    # gradient is 1, so w drops by exactly the lr of each step
    np.testing.assert_allclose(-np.diff(model.ws), expected[:-1], rtol=1e-12)


def test_smoothing_is_bias_corrected_ema():
    rng = np.random.default_rng(0)
    losses = list(5 + rng.random(30))
    model = Spy(losses)
    X, y = _data(30)
    res = lr_range_test(model, X, y, SGD(model.params, lr=0.1), num_iter=30, batch_size=1)
    avg, expected = 0.0, []
    for i, v in enumerate(losses):
        avg = 0.98 * avg + 0.02 * v
        expected.append(avg / (1 - 0.98 ** (i + 1)))
    np.testing.assert_allclose(res.losses, losses)
    np.testing.assert_allclose(res.smoothed, expected, rtol=1e-12)
    assert res.smoothed[0] == losses[0]  # bias correction: no drag towards 0 at the start
    assert not res.diverged


def test_stops_when_smoothed_loss_exceeds_stop_factor_times_best():
    losses = [10.0, 8.0, 6.0, 4.0] + [1000.0] * 20
    model = Spy(losses)
    X, y = _data(24)
    res = lr_range_test(model, X, y, SGD(model.params, lr=0.1), num_iter=24, batch_size=1,
                        beta=0.5)
    avg, smooth = 0.0, []
    for i, v in enumerate(losses):
        avg = 0.5 * avg + 0.5 * v
        smooth.append(avg / (1 - 0.5 ** (i + 1)))
    stop = next(i for i in range(1, 24) if smooth[i] > 4 * min(smooth[:i]))
    assert res.diverged and len(res.lrs) == stop + 1
    assert len(model.ws) == stop + 1  # no step after the stop


def test_stops_on_non_finite_loss_without_warnings():
    model = Spy([3.0, 2.0, math.inf, 1.0, 1.0])
    X, y = _data(5)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        res = lr_range_test(model, X, y, SGD(model.params, lr=0.1), num_iter=5, batch_size=1)
    assert res.diverged and len(res.lrs) == 3


def test_restores_weights_and_optimizer_state_exactly():
    rng = np.random.default_rng(1)
    X = rng.standard_normal((64, 3))
    y = X @ [1.0, 2.0, -1.0]
    model = LinearRegression(3, init="normal", seed=2)
    opt = Adam(model.params, lr=0.01)
    for _ in range(3):  # some optimizer state to preserve
        opt.step(model.loss_and_grads(X, y)[1])
    arrays = list(model.params)
    before_params = model.copy_params()
    before_state = opt.state_dict()
    before_count = opt.step_count
    assert before_state["state"]  # Adam has moments to restore
    res = lr_range_test(model, X, y, opt, end_lr=100.0, num_iter=50, batch_size=16)
    assert res.diverged
    assert all(a is p for a, p in zip(arrays, model.params, strict=True))  # same arrays
    for a, b in zip(model.params, before_params, strict=True):
        np.testing.assert_array_equal(a, b)
    after = opt.state_dict()
    assert after["param_groups"] == before_state["param_groups"]  # lr is 0.01 again
    for k, st in before_state["state"].items():
        for name, v in st.items():
            np.testing.assert_array_equal(after["state"][k][name], v)
    assert opt.step_count == before_count
    # and the optimizer still trains the model afterwards
    opt.step(model.loss_and_grads(X, y)[1])
    assert not np.array_equal(model.params[0], before_params[0])


def _regression():
    rng = np.random.default_rng(0)
    X = rng.standard_normal((200, 2)) * [1.0, 2.0]
    y = X @ [1.0, -2.0] + 0.5 + 0.1 * rng.standard_normal(200)
    return X, y, mse_smoothness(X)[0]


def test_full_batch_stops_past_two_over_L_and_suggests_below_it():
    # full-batch GD on a quadratic: the loss decreases for every lr < 2/L (descent lemma)
    # and blows up beyond, so the test must stop past 2/L and suggest something below it
    X, y, L = _regression()
    model = LinearRegression(2)
    res = lr_range_test(model, X, y, SGD(model.params, lr=0.1), start_lr=1e-5, end_lr=10.0,
                        num_iter=100, batch_size=None)
    assert res.diverged and res.lrs[-1] > 2 / L
    for lr in (res.lr_valley, res.lr_min_div_10, res.lr_steepest):
        assert 2 / L / 100 < lr < 2 / L
    assert res.suggested_lr == res.lr_valley
    other = lr_range_test(model, X, y, SGD(model.params, lr=0.1), start_lr=1e-5, end_lr=10.0,
                          num_iter=100, batch_size=None, suggestion="min_div_10")
    assert other.suggested_lr == other.lr_min_div_10 == res.lr_min_div_10


@pytest.mark.parametrize("num_iter", [100, 300])
def test_default_suggestion_survives_minibatch_noise(num_iter):
    X, y, L = _regression()
    model = LinearRegression(2)
    res = lr_range_test(model, X, y, SGD(model.params, lr=0.1), start_lr=1e-5, end_lr=10.0,
                        num_iter=num_iter, batch_size=32)
    for lr in (res.suggested_lr, res.lr_min_div_10):
        assert 2 / L / 100 < lr < 2 / L


def test_valley_is_half_way_down_the_longest_decreasing_stretch():
    # smoothed curve (beta=0 keeps the raw losses): noise, then a long steady descent
    losses = [5.0, 6.0, 5.5] + list(np.linspace(6.0, 1.0, 21)) + [50.0] * 3
    model = Spy(losses)
    X, y = _data(len(losses))
    res = lr_range_test(model, X, y, SGD(model.params, lr=0.1), num_iter=len(losses),
                        batch_size=1, beta=0.0, stop_factor=100.0)
    # the search skips the first quarter (6 points) and the last 5: indices 6..21, all on
    # the descent, so the longest decreasing stretch is all of them; half-way is 6 + 15 // 2
    assert res.lr_valley == pytest.approx(res.lrs[13], rel=1e-12)


def test_plot_uses_course_language():
    model = Spy(list(np.linspace(5, 1, 20)))
    X, y = _data(20)
    res = lr_range_test(model, X, y, SGD(model.params, lr=0.1), num_iter=20, batch_size=1)
    set_language("ko")
    try:
        ax = plot_lr_finder(res)
        assert ax.get_xlabel().startswith("학습률") and ax.get_xscale() == "log"
        assert ax.get_title() == "학습률 범위 테스트"
        # the lesson (chapter 09) calls the thick line 평활화한 손실
        assert [t.get_text() for t in ax.get_legend().get_texts()][:2] == [
            "미니배치 손실", "평활화한 손실"]
    finally:
        set_language("en")
        matplotlib.pyplot.close("all")
    ax = plot_lr_finder(res)
    assert ax.get_ylabel() == "loss"
    matplotlib.pyplot.close("all")


def test_bad_arguments():
    model = Spy()
    X, y = _data(4)
    opt = SGD(model.params, lr=0.1)
    for kwargs, name in [(dict(start_lr=0.0), "start_lr"), (dict(end_lr=1e-8), "end_lr"),
                         (dict(num_iter=1), "num_iter"), (dict(beta=1.0), "beta"),
                         (dict(stop_factor=1.0), "stop_factor"),
                         (dict(suggestion="nope"), "suggestion")]:
        with pytest.raises(ValueError, match=name):
            lr_range_test(model, X, y, opt, **kwargs)
