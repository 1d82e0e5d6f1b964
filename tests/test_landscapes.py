"""Landscapes: gradients and Hessians against central finite differences, minima, L."""

import numpy as np
import pytest

from course_lib import landscapes, set_language
from course_lib.landscapes import LANDSCAPES, get_landscape

ALL = sorted(LANDSCAPES)
SMOOTH = [k for k in ALL if k not in ("absolute", "huber")]  # kinks break finite differences


def _points(land, n=7, seed=0):
    rng = np.random.default_rng(seed)
    lo = np.array([b[0] for b in land.bounds])
    hi = np.array([b[1] for b in land.bounds])
    return lo + (hi - lo) * rng.random((n, land.dim))


def _fd_grad(fun, x, h=1e-6):
    out = np.zeros_like(x)
    for i in range(x.shape[-1]):
        e = np.zeros(x.shape[-1])
        e[i] = h
        out[..., i] = (fun(x + e) - fun(x - e)) / (2 * h)
    return out


@pytest.mark.parametrize("key", ALL)
def test_gradient_matches_finite_differences(key):
    land = get_landscape(key)
    x = _points(land)
    if key in ("absolute", "huber"):
        x = x[np.all(np.abs(np.abs(x) - (1.0 if key == "huber" else 0.0)) > 1e-3, axis=-1)]
    scale = 1.0 + np.abs(land.grad(x))
    np.testing.assert_array_less(np.abs(_fd_grad(land.value, x) - land.grad(x)), 1e-5 * scale)


@pytest.mark.parametrize("key", SMOOTH)
def test_hessian_matches_finite_differences_of_gradient(key):
    land = get_landscape(key)
    x = _points(land)
    fd = np.stack([_fd_grad(lambda p, j=j: land.grad(p)[..., j], x) for j in range(land.dim)], -2)
    H = land.hessian(x)
    assert H.shape == x.shape + (land.dim,)
    np.testing.assert_allclose(H, fd, rtol=1e-5, atol=1e-4)
    np.testing.assert_allclose(H, np.swapaxes(H, -1, -2))


@pytest.mark.parametrize("key", ALL)
def test_minima_have_zero_gradient_and_are_minima(key):
    land = get_landscape(key)
    for m in land.minima:
        assert np.linalg.norm(land.grad(m)) < 1e-9
        # every nearby point is higher: a minimum, not a saddle or a maximum
        angles = np.linspace(0, 6, 12)
        ring = m + 1e-3 * np.stack([np.cos(angles), np.sin(angles)], -1)[:, : land.dim]
        assert np.all(land.value(ring) > land.value(m))


def test_known_minima_values():
    np.testing.assert_allclose(landscapes.rosenbrock().minima, [[1.0, 1.0]])
    np.testing.assert_allclose(landscapes.rosenbrock(a=2.0).minima, [[2.0, 4.0]])
    np.testing.assert_allclose(landscapes.beale().minima, [[3.0, 0.5]])
    h = landscapes.himmelblau()
    # published coordinates (Himmelblau 1972), 6 decimals
    ref = [(3.0, 2.0), (-2.805118, 3.131312), (-3.779310, -3.283186), (3.584428, -1.848126)]
    np.testing.assert_allclose(h.minima, ref, atol=1e-6)
    np.testing.assert_allclose(h.value(h.minima), 0.0, atol=1e-20)
    np.testing.assert_allclose(landscapes.double_well(0.0).minima, [[-1.0], [1.0]], atol=1e-12)


def test_double_well_global_minimum_first():
    w = landscapes.double_well(0.3)
    assert w.f(w.minima[0, 0]) < w.f(w.minima[1, 0])
    assert w.minima[0, 0] < w.saddles[0, 0] < w.minima[1, 0]


@pytest.mark.parametrize(
    "land",
    [
        landscapes.quadratic(10.0),
        landscapes.quadratic(25.0, mu=0.5, angle=0.7, center=(1.0, -2.0)),
        landscapes.saddle(),
        landscapes.parabola(3.0),
        landscapes.huber(2.0),
    ],
    ids=lambda land: land.key,
)
def test_L_is_the_largest_hessian_eigenvalue(land):
    # L bounds |eigenvalues| of the Hessian everywhere and is attained somewhere
    x = _points(land, n=200)
    fd = np.stack([_fd_grad(lambda p, j=j: land.grad(p)[..., j], x) for j in range(land.dim)], -2)
    eig = np.linalg.eigvalsh(fd)
    assert np.max(np.abs(eig)) == pytest.approx(land.L, rel=1e-6)
    if land.mu is not None:
        assert np.min(eig) == pytest.approx(land.mu, rel=1e-6)


def test_quadratic_condition_number_from_eigenvalues():
    q = landscapes.quadratic(condition_number=50.0, mu=0.2, angle=0.3)
    eig = np.linalg.eigvalsh(q.hessian(np.zeros(2)))
    assert eig[-1] / eig[0] == pytest.approx(50.0)
    assert (q.L, q.mu) == pytest.approx((10.0, 0.2))


def test_gradient_descent_on_parabola_threshold_2_over_L():
    # x <- (1 - lr a) x: closed form says converge iff lr < 2/a
    p = landscapes.parabola(4.0)
    assert p.lr_limit == 0.5 and landscapes.rosenbrock().lr_limit is None
    for lr, shrinks in [(0.49, True), (0.51, False)]:
        x = p.start.copy()
        for _ in range(200):
            x = x - lr * p.grad(x)
        assert (abs(x[0]) < 1e-3) == shrinks


def test_vectorised_over_a_grid():
    land = landscapes.rosenbrock()
    X, Y = land.grid(50)
    P = np.stack([X, Y], -1)
    Z = land.value(P)
    assert Z.shape == (50, 50)
    assert land.grad(P).shape == (50, 50, 2)
    assert Z[7, 11] == land.value([X[7, 11], Y[7, 11]])
    (xs,) = landscapes.parabola().grid(30)
    assert landscapes.parabola().f(xs).shape == (30,)


def test_wrong_shape_and_bad_arguments_raise():
    with pytest.raises(ValueError, match=r"x must have shape \(\.\.\., 2\)"):
        landscapes.beale().value([1.0, 2.0, 3.0])
    with pytest.raises(ValueError, match="condition_number"):
        landscapes.quadratic(0.5)
    with pytest.raises(ValueError, match="mu"):
        landscapes.quadratic(2.0, mu=-1.0)
    with pytest.raises(ValueError, match="tilt"):
        landscapes.double_well(1.0)
    with pytest.raises(ValueError, match="key must be one of"):
        get_landscape("nope")
    with pytest.raises(ValueError, match="1-D"):
        landscapes.beale().f(1.0)


def test_names_follow_language():
    land = landscapes.rosenbrock()
    set_language("ko")
    try:
        assert land.name == "로젠브록 함수"
    finally:
        set_language("en")
    assert land.name == "Rosenbrock function"


def test_start_and_bounds_shapes():
    for key in ALL:
        land = get_landscape(key)
        assert land.start.shape == (land.dim,)
        assert len(land.bounds) == land.dim
        assert all(lo < s < hi for s, (lo, hi) in zip(land.start, land.bounds, strict=True))
