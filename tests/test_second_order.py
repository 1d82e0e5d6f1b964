"""Newton's method and L-BFGS (course_lib.second_order) against closed forms.

Exam sheet 10 quotes: on the quadratic with κ = 100 from its start (−4, 2), gradient descent at
its best fixed step 2/(L + μ) needs 766 steps to come within 1e-6 of the minimum (predicted
exactly by the rate (κ − 1)/(κ + 1)), Newton 1; on Rosenbrock's function from (−1.5, 2) Newton
needs 6, L-BFGS (m = 10) a few dozen and gradient descent (lr 1.5e-3) more than 20,000.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from course_lib import landscapes, training
from course_lib.second_order import iterations_to, lbfgs, newton


def test_newton_solves_a_quadratic_in_one_step():
    bowl = landscapes.quadratic(condition_number=100.0)
    run = newton(bowl)
    assert len(run.path) == 2                                  # one step, then ‖∇f‖ = 0
    np.testing.assert_allclose(run.final, bowl.minima[0], atol=1e-12)


def test_gradient_descent_count_on_the_quadratic_is_the_closed_form():
    bowl = landscapes.quadratic(condition_number=100.0)
    kappa = bowl.L / bowl.mu
    rate = (kappa - 1) / (kappa + 1)      # |1 − ηλ| on both axes at η = 2/(L + μ)
    predicted = math.ceil(math.log(1e-6 / np.linalg.norm(bowl.start)) / math.log(rate))
    run = training.gradient_descent(bowl, lr=2 / (bowl.L + bowl.mu), steps=2000)
    assert iterations_to(run, bowl.minima[0]) == predicted == 766


def test_newton_converges_quadratically_on_rosenbrock():
    fn = landscapes.rosenbrock()
    run = newton(fn)
    errors = np.linalg.norm(run.path - fn.minima[0], axis=1)
    assert iterations_to(run, fn.minima[0]) == 6
    # the last error ratios e_{k+1} / e_k² stay bounded: the error is squared each step
    tail = errors[-4:-1]
    assert tail[1] / tail[0] ** 2 < 1 and tail[2] / tail[1] ** 2 < 1


def test_lbfgs_reaches_rosenbrocks_minimum_far_sooner_than_gradient_descent():
    fn = landscapes.rosenbrock()
    quasi = iterations_to(lbfgs(fn, memory=10), fn.minima[0])
    gd = iterations_to(training.gradient_descent(fn, lr=1.5e-3, steps=30000), fn.minima[0])
    assert quasi is not None and quasi < 60
    assert gd is not None and gd > 20000
    # planted bad input: a run that stops early never counts as arriving
    assert iterations_to(training.gradient_descent(fn, lr=1.5e-3, steps=100), fn.minima[0]) \
        is None


def test_newton_is_drawn_to_a_saddle_point():
    # it solves ∇f = 0: from near the saddle of f = x² − y² one step lands on the saddle
    fn = landscapes.saddle()
    run = newton(fn, x0=np.array([0.3, 0.2]))
    assert np.linalg.norm(fn.grad(run.final)) < 1e-10
    eig = np.linalg.eigvalsh(fn.hessian(run.final))
    assert eig.min() < 0 < eig.max()


def test_bad_arguments_name_themselves():
    with pytest.raises(TypeError, match="fn must be a course_lib.landscapes.Landscape"):
        newton(lambda x: x)
    with pytest.raises(ValueError, match="x0 must be finite with shape"):
        lbfgs(landscapes.rosenbrock(), x0=[1.0, 2.0, 3.0])
    with pytest.raises(ValueError, match="memory must be an integer >= 1"):
        lbfgs(landscapes.rosenbrock(), memory=0)
