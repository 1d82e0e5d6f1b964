"""The model answers of the exercise sets agree with course_lib's reference library.

The hidden tests compute their expected values with closed forms, finite differences,
scikit-learn and hand-written loops; this file checks the model answers (the functions in
``solutions/``) against ``course_lib.optim``, the PyTorch-faithful implementations, so that
the exercise sets and the lessons teach the same numbers.
"""

from __future__ import annotations

import numpy as np
import pytest

from course_lib.grading import notebook as nbg

optim = pytest.importorskip("course_lib.optim")


def model_answers(stem: str) -> dict:
    """Run a solution notebook's set-up and answer cells (trusted code) in a namespace."""
    nb = nbg.read(nbg.SOLUTIONS_DIR / f"{stem}.ipynb")
    namespace: dict = {}
    for cell in nb.cells:
        if cell.cell_type == "code" and not nbg.is_test(cell):
            exec(compile(cell.source, stem, "exec"), namespace)  # noqa: S102
    return namespace


def _grads(steps: int, size: int, seed: int) -> list[np.ndarray]:
    rng = np.random.default_rng(seed)
    return [rng.normal(size=size) for _ in range(steps)]


@pytest.mark.parametrize("nesterov", [False, True])
def test_momentum_answers_match_sgd(nesterov):
    ns = model_answers("ex05_momentum")
    step = ns["nesterov_step"] if nesterov else ns["momentum_step"]
    w_ref = np.array([1.0, -2.0, 0.5])
    opt = optim.SGD([w_ref], lr=0.05, momentum=0.9, nesterov=nesterov)
    w, buf = w_ref.copy(), np.zeros(3)
    for g in _grads(6, 3, 0):
        opt.step([g])
        w, buf = step(w, g, buf, 0.05, 0.9)
    np.testing.assert_allclose(w, w_ref, rtol=1e-12)


def test_dampened_momentum_answer_matches_sgd():
    ns = model_answers("ex05_momentum")
    w_ref = np.array([1.0, -2.0, 0.5])
    opt = optim.SGD([w_ref], lr=0.05, momentum=0.9, dampening=0.3)
    w, buf = w_ref.copy(), None
    for g in _grads(6, 3, 1):
        opt.step([g])
        w, buf = ns["dampened_step"](w, g, buf, 0.05, 0.9, 0.3)
    np.testing.assert_allclose(w, w_ref, rtol=1e-12)


def test_adaptive_answers_match_adagrad_and_rmsprop():
    ns = model_answers("ex06_adaptive")
    for cls, step, kwargs in ((optim.Adagrad, ns["adagrad_step"], {"eps": 1e-10}),
                              (optim.RMSprop, ns["rmsprop_step"], {"alpha": 0.9, "eps": 1e-8})):
        w_ref = np.array([0.3, -1.0])
        opt = cls([w_ref], lr=0.1, **kwargs)
        w, state = w_ref.copy(), np.zeros(2)
        for g in _grads(5, 2, 1):
            opt.step([g])
            w, state = step(w, g, state, 0.1, **kwargs)
        np.testing.assert_allclose(w, w_ref, rtol=1e-12)


@pytest.mark.parametrize("which", ["adam_step", "adamw_step", "adam_l2_step"])
def test_adam_answers_match_adam_and_adamw(which):
    ns = model_answers("ex07_adam")
    w_ref = np.array([1.0, -0.5, 2.0])
    if which == "adamw_step":
        opt = optim.AdamW([w_ref], lr=0.01, betas=(0.8, 0.95), eps=1e-8, weight_decay=0.1)
        extra = {"weight_decay": 0.1}
    elif which == "adam_l2_step":
        opt = optim.Adam([w_ref], lr=0.01, betas=(0.8, 0.95), eps=1e-8, weight_decay=0.1)
        extra = {"weight_decay": 0.1}
    else:
        opt = optim.Adam([w_ref], lr=0.01, betas=(0.8, 0.95), eps=1e-8)
        extra = {}
    w, m, v = w_ref.copy(), np.zeros(3), np.zeros(3)
    for t, g in enumerate(_grads(8, 3, 2), start=1):
        opt.step([g])
        w, m, v = ns[which](w, g, m, v, t, 0.01, 0.8, 0.95, 1e-8, **extra)
    np.testing.assert_allclose(w, w_ref, rtol=1e-12)


def test_clipping_answer_matches_clip_grad_norm_():
    ns = model_answers("ex08_monitoring")
    for max_norm in (0.1, 1.0, 100.0):
        grads = [g.copy() for g in _grads(3, 4, 3)]
        clipped, total = ns["clip_grad_norm"]([g.copy() for g in grads], max_norm)
        ref_total = optim.clip_grad_norm_(grads, max_norm)
        assert total == pytest.approx(ref_total, rel=1e-12)
        for a, b in zip(clipped, grads, strict=True):
            np.testing.assert_allclose(a, b, rtol=1e-12)


def test_schedule_answers_match_the_schedulers():
    ns = model_answers("ex04_schedules")
    opt = optim.SGD([np.zeros(1)], lr=0.1)
    step_lr = optim.StepLR(opt, step_size=3, gamma=0.5)
    for t in range(10):
        assert ns["step_decay"](0.1, 0.5, 3, t) == pytest.approx(step_lr.get_last_lr()[0])
        opt.step([np.zeros(1)])
        step_lr.step()
    opt = optim.SGD([np.zeros(1)], lr=0.2)
    cosine = optim.CosineAnnealingLR(opt, T_max=20, eta_min=0.01)
    for t in range(21):
        assert ns["cosine_lr"](t, 0.2, 20, 0.01) == pytest.approx(cosine.get_last_lr()[0],
                                                                  rel=1e-9)
        opt.step([np.zeros(1)])
        cosine.step()
