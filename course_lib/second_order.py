"""Newton's method and L-BFGS on the course's landscapes, for comparison with gradient descent.

Exam sheet 10 (outlook) quotes the number of iterations these need on the quadratic and on
Rosenbrock's function next to gradient descent's; ``tests/test_second_order.py`` checks them.

- Newton: x ← x − H(x)⁻¹∇f(x), with the landscape's exact Hessian.  One step solves a
  quadratic; near a minimum with H positive definite the error is squared every step
  (quadratic convergence).  It costs a d×d solve per step and is drawn to saddle points as
  much as to minima (it solves ∇f = 0).
- L-BFGS (Liu & Nocedal 1989): a quasi-Newton method that builds H⁻¹·g from the last m
  pairs (s = Δx, y = Δ∇f), 2·m·d numbers, with no Hessian at all.  This is SciPy's
  ``L-BFGS-B`` (``maxcor`` = m), its iterates recorded through the callback.
"""

from __future__ import annotations

import numpy as np
from scipy.optimize import minimize

from course_lib._checks import check_int, check_positive
from course_lib.landscapes import Landscape
from course_lib.training import Trajectory

__all__ = ["iterations_to", "lbfgs", "newton"]


def _start(fn: Landscape, x0) -> np.ndarray:
    if not isinstance(fn, Landscape):
        raise TypeError(f"fn must be a course_lib.landscapes.Landscape, got {type(fn).__name__}")
    x = np.array(fn.start if x0 is None else x0, dtype=float)
    if x.shape != np.shape(fn.start) or not np.all(np.isfinite(x)):
        raise ValueError(f"x0 must be finite with shape {np.shape(fn.start)}, got {x0!r}")
    return x


def _trajectory(fn: Landscape, points: list[np.ndarray]) -> Trajectory:
    path = np.array(points)
    return Trajectory(path=path, losses=np.asarray(fn.value(path), dtype=float))


def newton(fn: Landscape, x0=None, *, steps: int = 50, gtol: float = 1e-10) -> Trajectory:
    """Pure Newton steps x ← x − H⁻¹∇f from ``x0`` until ‖∇f‖ < ``gtol`` or ``steps`` steps.

    Parameters
    ----------
    fn : Landscape
        Needs ``grad`` and ``hessian`` (every course landscape has both).
    x0 : array-like, optional
        Start; defaults to the landscape's ``start``.
    steps : int, default=50
    gtol : float, default=1e-10

    Returns
    -------
    Trajectory
        ``path[k]`` is the point after k steps.

    Examples
    --------
    >>> from course_lib.landscapes import quadratic
    >>> len(newton(quadratic(condition_number=100.0)).path) - 1     # one step
    1
    """
    x = _start(fn, x0)
    steps, gtol = check_int("steps", steps), check_positive("gtol", gtol)
    points = [x.copy()]
    for _ in range(steps):
        g = fn.grad(x)
        if np.linalg.norm(g) < gtol:
            break
        x = x - np.linalg.solve(fn.hessian(x), g)
        points.append(x.copy())
    return _trajectory(fn, points)


def lbfgs(fn: Landscape, x0=None, *, memory: int = 10, gtol: float = 1e-10,
          max_iter: int = 1000) -> Trajectory:
    """SciPy's L-BFGS-B with ``memory`` correction pairs; the path of its iterates.

    Parameters
    ----------
    fn : Landscape
    x0 : array-like, optional
    memory : int, default=10
        m, the number of (s, y) pairs kept (SciPy's ``maxcor``; 10 is its default).
    gtol : float, default=1e-10
        Stop when the largest gradient component falls below this.
    max_iter : int, default=1000

    Returns
    -------
    Trajectory

    Examples
    --------
    >>> from course_lib.landscapes import rosenbrock
    >>> run = lbfgs(rosenbrock())
    >>> bool(abs(run.final - 1).max() < 1e-6)
    True
    """
    x = _start(fn, x0)
    memory = check_int("memory", memory)
    gtol, max_iter = check_positive("gtol", gtol), check_int("max_iter", max_iter)
    points = [x.copy()]
    minimize(lambda p: float(fn.value(p)), x, jac=fn.grad, method="L-BFGS-B",
             callback=lambda p: points.append(np.array(p, dtype=float)),
             options={"maxcor": memory, "gtol": gtol, "ftol": 0.0, "maxiter": max_iter})
    return _trajectory(fn, points)


def iterations_to(run: Trajectory, target, tol: float = 1e-6) -> int | None:
    """The first k with ‖path[k] − target‖ < ``tol``, or None if the run never gets there."""
    dist = np.linalg.norm(run.path - np.asarray(target, dtype=float), axis=1)
    hits = np.flatnonzero(dist < check_positive("tol", tol))
    return int(hits[0]) if hits.size else None
