"""Training loops: against hand-written loops and closed forms; divergence; early stopping."""

import math
import warnings

import numpy as np
import pytest

from course_lib import landscapes
from course_lib.models import LinearRegression, Model, closed_form, mse_smoothness
from course_lib.optim import SGD, Adam, StepLR
from course_lib.training import EarlyStopping, gradient_descent, minibatches, train


@pytest.fixture
def line():
    rng = np.random.default_rng(0)
    X = rng.uniform(-1, 1, (40, 1))
    y = 3 * X[:, 0] + 2 + 0.1 * rng.standard_normal(40)
    return X, y


def hand_gd(X, y, lr, steps):
    """Full-batch GD on the MSE, written out independently of course_lib."""
    w, b = np.zeros(X.shape[1]), 0.0
    losses = []
    for _ in range(steps):
        r = X @ w + b - y
        losses.append(np.mean(r**2))
        w, b = w - lr * 2 / len(y) * X.T @ r, b - lr * 2 / len(y) * r.sum()
    return w, b, losses


# --------------------------------------------------------------------------- minibatches


@pytest.mark.parametrize("n, size", [(10, 3), (10, 10), (10, 1), (7, None), (5, 100)])
def test_minibatches_cover_each_index_once_last_batch_kept(n, size):
    batches = list(minibatches(n, size, shuffle=True, rng=1))
    np.testing.assert_array_equal(np.sort(np.concatenate(batches)), np.arange(n))
    k = n if size is None else min(size, n)
    assert [len(b) for b in batches] == [k] * (n // k) + ([n % k] if n % k else [])


def test_minibatches_seeded_shuffle():
    a = np.concatenate(list(minibatches(50, 8, rng=3)))
    b = np.concatenate(list(minibatches(50, 8, rng=3)))
    c = np.concatenate(list(minibatches(50, 8, rng=4)))
    np.testing.assert_array_equal(a, b)
    assert not np.array_equal(a, c)
    np.testing.assert_array_equal(np.concatenate(list(minibatches(5, 2, shuffle=False))),
                                  np.arange(5))
    with pytest.raises(ValueError, match="batch_size must be an integer >= 1"):
        list(minibatches(5, 0))


# --------------------------------------------------------------------------- train


def test_full_batch_matches_hand_written_loop(line):
    X, y = line
    model = LinearRegression(1)
    hist = train(model, X, y, SGD(model.params, lr=0.1), epochs=30)
    w, b, losses = hand_gd(X, y, 0.1, 30)
    np.testing.assert_allclose(model.w, w, rtol=1e-12)
    assert model.b == pytest.approx(b, rel=1e-12)
    np.testing.assert_allclose(hist.train_loss, losses, rtol=1e-12)
    assert hist.steps == list(range(1, 31)) and hist.lr == [0.1] * 30


def test_converges_to_closed_form(line):
    X, y = line
    model = LinearRegression(1)
    hist = train(model, X, y, SGD(model.params, lr=0.3, momentum=0.5), epochs=300)
    w, b = closed_form(X, y)
    np.testing.assert_allclose([model.w[0], model.b], [w[0], b], rtol=1e-8)
    assert not hist.diverged and hist.n_epochs == 300


@pytest.mark.parametrize("batch_size, per_epoch", [(None, 1), (1, 40), (16, 3), (40, 1)])
def test_step_counts_per_batch_size(line, batch_size, per_epoch):
    X, y = line
    model = LinearRegression(1)
    hist = train(model, X, y, SGD(model.params, lr=0.05), epochs=4, batch_size=batch_size,
                 record="step")
    assert hist.n_steps == 4 * per_epoch == len(hist.train_loss)
    assert hist.epochs == [e for e in range(1, 5) for _ in range(per_epoch)]


def test_minibatch_matches_hand_loop_with_same_shuffling(line):
    X, y = line
    model = LinearRegression(1)
    hist = train(model, X, y, SGD(model.params, lr=0.05), epochs=3, batch_size=16, seed=7,
                 record="step")
    rng = np.random.default_rng(7)
    w, b, losses = np.zeros(1), 0.0, []
    for _ in range(3):
        order = rng.permutation(40)
        for start in range(0, 40, 16):
            idx = order[start:start + 16]
            r = X[idx] @ w + b - y[idx]
            losses.append(np.mean(r**2))
            w, b = w - 0.05 * 2 / len(idx) * X[idx].T @ r, b - 0.05 * 2 / len(idx) * r.sum()
    np.testing.assert_allclose(hist.train_loss, losses, rtol=1e-12)
    np.testing.assert_allclose([model.w[0], model.b], [w[0], b], rtol=1e-12)


def test_epoch_record_is_sample_weighted_mean_of_step_records(line):
    X, y = line
    kw = dict(epochs=2, batch_size=16, seed=3)
    m1, m2 = LinearRegression(1), LinearRegression(1)
    by_step = train(m1, X, y, SGD(m1.params, lr=0.05), record="step", **kw)
    by_epoch = train(m2, X, y, SGD(m2.params, lr=0.05), **kw)
    sizes = np.array([16, 16, 8])
    for e in range(2):
        losses = by_step.train_loss[3 * e:3 * e + 3]
        assert by_epoch.train_loss[e] == pytest.approx(sizes @ losses / 40, rel=1e-12)
        assert by_epoch.grad_norm[e] == pytest.approx(np.mean(by_step.grad_norm[3 * e:3 * e + 3]))


def test_same_seed_same_run_different_seed_different(line):
    X, y = line
    runs = []
    for seed in (1, 1, 2):
        m = LinearRegression(1)
        runs.append(train(m, X, y, SGD(m.params, lr=0.05), epochs=2, batch_size=4, seed=seed))
    assert runs[0].train_loss == runs[1].train_loss != runs[2].train_loss


def test_grad_norm_update_ratio_and_validation_by_hand(line):
    X, y = line
    Xv, yv = X[:10] + 0.5, y[:10]
    model = LinearRegression(1)
    model.load_params([[1.0], [0.5]])
    hist = train(model, X, y, SGD(model.params, lr=0.1), epochs=1, X_val=Xv, y_val=yv)
    r = X[:, 0] * 1.0 + 0.5 - y
    g = np.array([2 / 40 * X[:, 0] @ r, 2 / 40 * r.sum()])
    assert hist.grad_norm[0] == pytest.approx(np.hypot(*g), rel=1e-12)
    assert hist.update_ratio[0] == pytest.approx(0.1 * np.hypot(*g) / np.hypot(1.0, 0.5))
    w1, b1 = 1.0 - 0.1 * g[0], 0.5 - 0.1 * g[1]
    assert hist.val_loss[0] == pytest.approx(np.mean((Xv[:, 0] * w1 + b1 - yv) ** 2))


def test_epoch_loss_is_the_full_training_loss_after_each_epoch(line):
    X, y = line
    model = LinearRegression(1)
    hist = train(model, X, y, SGD(model.params, lr=0.05), epochs=3, batch_size=8, seed=2)
    assert len(hist.epoch_loss) == 3
    assert hist.epoch_loss[-1] == pytest.approx(np.mean((X[:, 0] * model.w[0] + model.b - y) ** 2))
    w, b = closed_form(X, y)
    best = LinearRegression.from_params(w, b).loss(X, y)
    assert min(hist.epoch_loss) >= best  # the exact loss can never beat the optimum


def test_early_stopping_on_training_loss_without_validation(line):
    X, y = line
    model = LinearRegression(1)
    # lr 0 never improves: stops after patience epochs and keeps epoch 1
    hist = train(model, X, y, SGD(model.params, lr=0.0), epochs=10, early_stopping=2)
    assert hist.stopped_early and hist.n_epochs == 3 and hist.best_epoch == 1


def test_update_ratio_is_nan_at_zero_weights(line):
    X, y = line
    model = LinearRegression(1)
    hist = train(model, X, y, SGD(model.params, lr=0.1), epochs=2, record="step")
    assert math.isnan(hist.update_ratio[0]) and hist.update_ratio[1] > 0


def test_scheduler_per_epoch_and_per_step(line):
    X, y = line
    m = LinearRegression(1)
    opt = SGD(m.params, lr=0.1)
    hist = train(m, X, y, opt, epochs=7, scheduler=StepLR(opt, step_size=3, gamma=0.5))
    np.testing.assert_allclose(hist.lr, [0.1 * 0.5 ** (e // 3) for e in range(7)])
    m = LinearRegression(1)
    opt = SGD(m.params, lr=0.1)
    hist = train(m, X, y, opt, epochs=2, batch_size=10, record="step",
                 scheduler=StepLR(opt, step_size=2, gamma=0.5), scheduler_interval="step")
    np.testing.assert_allclose(hist.lr, [0.1 * 0.5 ** (s // 2) for s in range(8)])


def test_clip_norm_limits_the_step(line):
    X, y = line
    model = LinearRegression(1)
    model.load_params([[50.0], [-40.0]])  # far away: gradient norm >> 1
    hist = train(model, X, y, SGD(model.params, lr=0.1), epochs=1, clip_norm=1.0)
    assert hist.grad_norm[0] > 10  # recorded before clipping
    moved = np.hypot(model.w[0] - 50.0, model.b + 40.0)
    assert moved == pytest.approx(0.1 * 1.0, rel=1e-5)
    model.load_params([[50.0], [-40.0]])
    train(model, X, y, SGD(model.params, lr=0.1), epochs=1, clip_value=0.5)
    np.testing.assert_allclose(np.abs([model.w[0] - 50.0, model.b + 40.0]), [0.05, 0.05])


def test_divergence_is_reported_at_the_right_step_without_warnings(line):
    X, y = line
    L, _ = mse_smoothness(X)
    lr = 1.5 * 2 / L
    _, _, losses = hand_gd(X, y, lr, 200)
    first_bad = next(k for k, v in enumerate(losses) if v > 1e6 * max(losses[0], 1.0))
    model = LinearRegression(1)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        hist = train(model, X, y, SGD(model.params, lr=lr), epochs=200)
    assert hist.diverged and hist.diverged_at == first_bad
    assert hist.diverged_value == pytest.approx(losses[first_bad], rel=1e-9)
    assert hist.n_epochs == first_bad + 1 and len(hist.train_loss) == first_bad
    assert hist.diverged_reason == "loss > threshold"
    limit = 1e6 * max(losses[0], 1.0)
    assert hist.divergence_limit == pytest.approx(limit, rel=1e-12)
    # steps count from 0, epochs from 1 (one full-batch step per epoch); 3 significant digits
    assert hist.summary("en") == (
        f"diverged at step {first_bad} (counted from 0) in epoch {first_bad + 1}: "
        f"loss = {losses[first_bad]:.3g} exceeded the threshold {limit:.3g}")


def test_divergence_on_nan_with_threshold_off(line):
    X, y = line
    model = LinearRegression(1)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        hist = train(model, X, y, SGD(model.params, lr=1e3), epochs=500,
                     divergence_threshold=None)
    assert hist.diverged and not math.isfinite(hist.diverged_value)
    assert hist.diverged_reason in ("loss", "gradient norm", "update norm")
    assert hist.divergence_limit is None
    assert hist.summary("en") == (
        f"diverged at step {hist.diverged_at} (counted from 0) in epoch {hist.n_epochs}: "
        f"{hist.diverged_reason} = {hist.diverged_value} is not finite")


class ScriptedModel(Model):
    """w moves by -lr per step (gradient 1); the loss on rows equal to 1 (validation) is
    scripted, on rows equal to 0 (training) it is 1."""

    def __init__(self, val_losses):
        self.n_features, self.params, self.val = 1, [np.zeros(1)], list(val_losses)
        self.calls = 0

    def loss_and_grads(self, X, y):
        return 1.0, [np.ones(1)]

    def loss(self, X, y):
        if not X.any():
            return 1.0
        self.calls += 1
        return self.val[self.calls - 1]


def test_early_stopping_patience_min_delta_and_best_weights():
    val = [5.0, 4.0, 3.0, 3.5, 3.2, 2.95, 1.0, 0.5]
    model = ScriptedModel(val)
    X, y = np.zeros((4, 1)), np.zeros(4)
    hist = train(model, X, y, SGD(model.params, lr=0.1), epochs=8, X_val=X + 1, y_val=y,
                 early_stopping=EarlyStopping(patience=3, min_delta=0.1))
    # 3.5, 3.2 and 2.95 are all worse than 3.0 - 0.1: stop after epoch 6, keep epoch 3
    assert hist.stopped_early and hist.n_epochs == 6 and hist.best_epoch == 3
    assert hist.best_loss == 3.0 and hist.val_loss == val[:6]
    np.testing.assert_allclose(model.params[0], [-0.3])  # one step per epoch, lr 0.1


def test_divergence_found_after_an_epoch_says_so():
    model = ScriptedModel([3.0, math.inf])
    X, y = np.zeros((2, 1)), np.zeros(2)
    hist = train(model, X, y, SGD(model.params, lr=1.0), epochs=5, X_val=X + 1, y_val=y)
    assert (hist.diverged_reason, hist.diverged_at, hist.n_epochs) == ("validation loss", 2, 2)
    assert hist.summary("en") == ("diverged at the end of epoch 2, after 2 step(s): "
                              "validation loss = inf is not finite")


def test_early_stopping_restores_best_even_without_firing():
    model = ScriptedModel([3.0, 2.0, 2.5])
    X, y = np.zeros((2, 1)), np.zeros(2)
    hist = train(model, X, y, SGD(model.params, lr=1.0), epochs=3, X_val=X + 1, y_val=y,
                 early_stopping=5)
    assert not hist.stopped_early and hist.best_epoch == 2
    np.testing.assert_allclose(model.params[0], [-2.0])


def test_progress_bar_does_not_change_results(line, capsys):
    X, y = line
    m1, m2 = LinearRegression(1), LinearRegression(1)
    h1 = train(m1, X, y, SGD(m1.params, lr=0.1), epochs=5, progress=True)
    h2 = train(m2, X, y, SGD(m2.params, lr=0.1), epochs=5)
    assert h1.train_loss == h2.train_loss


def test_bad_arguments_name_the_argument(line):
    X, y = line
    m = LinearRegression(1)
    opt = SGD(m.params, lr=0.1)
    cases = [
        (dict(epochs=0), "epochs"), (dict(epochs=1, batch_size=0), "batch_size"),
        (dict(epochs=1, record="batch"), "record"),
        (dict(epochs=1, scheduler_interval="x"), "scheduler_interval"),
        (dict(epochs=1, clip_norm=-1.0), "clip_norm"),
        (dict(epochs=1, X_val=X), "X_val and y_val"),
        (dict(epochs=1, early_stopping="yes"), "early_stopping"),
    ]
    for kwargs, name in cases:
        with pytest.raises(ValueError, match=name):
            train(m, X, y, opt, **kwargs)
    with pytest.raises(ValueError, match=r"X must have shape \(n_samples, 1\)"):
        train(m, np.ones((3, 2)), np.ones(3), opt, epochs=1)
    with pytest.raises(ValueError, match="patience"):
        EarlyStopping(patience=0)


# --------------------------------------------------------------------------- gradient_descent


def test_gd_on_quadratic_matches_closed_form_iterates():
    bowl = landscapes.quadratic(condition_number=10.0, angle=0.4)
    A = bowl.hessian(np.zeros(2))
    traj = gradient_descent(bowl, lr=0.15, steps=25)
    x = bowl.start.copy()
    expected = [x]
    for _ in range(25):
        x = (np.eye(2) - 0.15 * A) @ x  # x_{k+1} = (I - lr A) x_k
        expected.append(x)
    np.testing.assert_allclose(traj.path, expected, rtol=1e-12, atol=1e-14)
    np.testing.assert_allclose(traj.losses, [0.5 * p @ A @ p for p in expected], rtol=1e-12)


@pytest.mark.parametrize("factor, diverges", [(0.99, False), (1.01, True)])
def test_gd_threshold_is_two_over_L(factor, diverges):
    bowl = landscapes.quadratic(condition_number=20.0)
    traj = gradient_descent(bowl, lr=factor * 2 / bowl.L, steps=3000)
    assert traj.diverged == diverges
    if not diverges:
        assert np.linalg.norm(traj.final - bowl.minima[0]) < 1e-3


def test_gd_divergence_step_and_no_warnings():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        traj = gradient_descent(landscapes.parabola(1.0), lr=2.5, steps=1000)
        # f_k = 4.5 · 2.25^k exceeds 1e6 · 4.5 first at k = ceil(log(1e6) / log(2.25))
        assert traj.diverged_at == math.ceil(math.log(1e6) / math.log(2.25))
        assert len(traj.path) == traj.diverged_at
        nan = gradient_descent(lambda x: x * np.inf, x0=[1.0], lr=0.1, steps=10)
    assert nan.diverged and nan.diverged_at == 1 and nan.losses is None


def test_gd_with_optimizer_class_and_scheduler():
    land = landscapes.rosenbrock()
    plain = gradient_descent(land, lr=1e-3, steps=50)
    sgd = gradient_descent(land, lr=1e-3, steps=50, optimizer=SGD)
    np.testing.assert_allclose(sgd.path, plain.path, rtol=1e-12)
    adam = gradient_descent(land, lr=0.05, steps=50, optimizer=Adam,
                            optimizer_kwargs={"betas": (0.9, 0.99)})
    assert adam.path.shape == (51, 2) and adam.losses[-1] < adam.losses[0]
    # constant-lr SGD with StepLR(gamma=0) stops moving after the first 5 steps
    frozen = gradient_descent(land, lr=1e-3, steps=20, optimizer=SGD,
                              scheduler=lambda opt: StepLR(opt, step_size=5, gamma=0.0))
    np.testing.assert_allclose(frozen.path[5:], np.repeat(plain.path[5:6], 16, 0))


def test_gd_noise_is_seeded():
    land = landscapes.quadratic(4.0)
    a = gradient_descent(land, lr=0.1, steps=20, grad_noise=0.5, seed=1)
    b = gradient_descent(land, lr=0.1, steps=20, grad_noise=0.5, seed=1)
    c = gradient_descent(land, lr=0.1, steps=20, grad_noise=0.5, seed=2)
    np.testing.assert_array_equal(a.path, b.path)
    assert not np.array_equal(a.path, c.path)


def test_gd_bad_arguments():
    land = landscapes.parabola()
    with pytest.raises(ValueError, match="lr"):
        gradient_descent(land, lr=-1.0)
    with pytest.raises(ValueError, match="steps"):
        gradient_descent(land, steps=-1)
    with pytest.raises(ValueError, match="x0 is required"):
        gradient_descent(lambda x: x)
    with pytest.raises(ValueError, match="scheduler needs an optimizer"):
        gradient_descent(land, scheduler=lambda o: o)
    with pytest.raises(ValueError, match=r"x must have shape \(\.\.\., 1\)"):
        gradient_descent(land, x0=[1.0, 2.0])


def test_optimizer_on_other_arrays_is_refused(line):
    X, y = line
    model = LinearRegression(1)
    copies = model.copy_params()
    with pytest.raises(ValueError, match="optimizer must be built on model.params"):
        train(model, X, y, SGD(copies, lr=0.1), epochs=1)
