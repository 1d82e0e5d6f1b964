"""Loss landscapes: test functions with gradients, Hessians, minima and smoothness constants.

Every landscape is a :class:`Landscape`. Points have shape ``(..., d)``, so a whole contour
grid is evaluated at once::

    from course_lib import landscapes
    bowl = landscapes.quadratic(condition_number=10.0)
    X, Y = bowl.grid(200)                       # meshgrid over bowl.bounds
    Z = bowl.value(np.stack([X, Y], axis=-1))    # shape (200, 200)
    g = bowl.grad([1.0, 2.0])                    # shape (2,)
    bowl.L, bowl.mu                              # 10.0, 1.0: steps below 2 / L converge

API summary
-----------
``Landscape`` attributes: ``key``, ``dim``, ``minima`` (array ``(k, d)``, global minimum
first), ``saddles`` (array ``(k, d)``), ``L`` (smoothness constant: the gradient is
L-Lipschitz; ``None`` when no global constant exists), ``mu`` (strong-convexity constant or
``None``), ``start`` (default start point, shape ``(d,)``), ``bounds`` (``((lo, hi), ...)``
per coordinate, for plots); ``name`` (bilingual, via :func:`course_lib.i18n.text`);
``lr_limit`` (2/L or ``None``).
Methods: ``value(x)``, ``grad(x)``, ``hessian(x)``, ``grid(n)``, and for 1-D landscapes
``f(x)`` / ``df(x)`` that work element-wise on arrays of any shape.

2-D: :func:`quadratic` (½ (x−c)ᵀA(x−c), eigenvalues μ and κμ), :func:`rosenbrock`,
:func:`beale`, :func:`himmelblau` (four global minima), :func:`saddle` (x² − y²).
1-D (chapter 01): :func:`parabola` (a/2 x², L = a), :func:`double_well` (a tilted quartic
with a global and a local minimum), :func:`huber` (quadratic near 0, linear outside, L = 1),
:func:`absolute` (|x|: convex but not smooth, so no step size converges exactly).
``get_landscape(key, **kwargs)`` builds one by name; ``LANDSCAPES`` lists the names.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from course_lib._checks import check_int, check_positive
from course_lib.i18n import text

ArrayFn = Callable[[np.ndarray], np.ndarray]


@dataclass(frozen=True, eq=False)
class Landscape:
    """A differentiable test function f: R^d -> R with what a lesson needs to draw it.

    Build one with the factory functions of this module (:func:`quadratic`,
    :func:`rosenbrock`, ...) rather than by hand.
    """

    key: str
    name_ko: str
    name_en: str
    dim: int
    _value: ArrayFn = field(repr=False)
    _grad: ArrayFn = field(repr=False)
    _hessian: ArrayFn = field(repr=False)
    minima: np.ndarray
    start: np.ndarray
    bounds: tuple[tuple[float, float], ...]
    L: float | None = None
    mu: float | None = None
    saddles: np.ndarray | None = None

    @property
    def name(self) -> str:
        """Display name in the language in force (see :func:`course_lib.set_language`)."""
        return text(self.name_ko, self.name_en)

    @property
    def lr_limit(self) -> float | None:
        """2/L: constant steps below it make gradient descent decrease f (None without L).

        For a quadratic it is sharp: steps above 2/L diverge.
        """
        return None if self.L is None else 2.0 / self.L

    def _points(self, x) -> np.ndarray:
        x = np.asarray(x, dtype=float)
        if x.ndim == 0 or x.shape[-1] != self.dim:
            raise ValueError(
                f"x must have shape (..., {self.dim}) for the {self.dim}-D landscape "
                f"{self.key!r}, got shape {x.shape}"
            )
        return x

    def value(self, x) -> np.ndarray:
        """f at points ``x`` of shape ``(..., d)``; returns shape ``(...)``."""
        return self._value(self._points(x))

    __call__ = value

    def grad(self, x) -> np.ndarray:
        """∇f at points ``x`` of shape ``(..., d)``; returns shape ``(..., d)``."""
        return self._grad(self._points(x))

    def hessian(self, x) -> np.ndarray:
        """∇²f at points ``x`` of shape ``(..., d)``; returns shape ``(..., d, d)``."""
        return self._hessian(self._points(x))

    def f(self, x) -> np.ndarray:
        """1-D landscapes only: f element-wise on an array of any shape."""
        return self.value(self._as_1d(x)[..., None])

    def df(self, x) -> np.ndarray:
        """1-D landscapes only: f' element-wise on an array of any shape."""
        return self.grad(self._as_1d(x)[..., None])[..., 0]

    def _as_1d(self, x) -> np.ndarray:
        if self.dim != 1:
            raise ValueError(f"f / df are for 1-D landscapes; {self.key!r} is {self.dim}-D")
        return np.asarray(x, dtype=float)

    def grid(self, n: int = 200) -> tuple[np.ndarray, ...]:
        """Coordinates spanning :attr:`bounds`: ``(xs,)`` in 1-D, ``meshgrid`` ``(X, Y)`` in 2-D."""
        n = check_int("n", n, low=2)
        axes = [np.linspace(lo, hi, n) for lo, hi in self.bounds]
        return tuple(np.meshgrid(*axes)) if self.dim > 1 else (axes[0],)


def _pts(*rows) -> np.ndarray:
    return np.array(rows, dtype=float).reshape(len(rows), -1)


def _hess2(hxx, hxy, hyy) -> np.ndarray:
    hxx, hxy, hyy = np.broadcast_arrays(hxx, hxy, hyy)
    return np.stack([np.stack([hxx, hxy], -1), np.stack([hxy, hyy], -1)], -2)


# --------------------------------------------------------------------------- 2-D landscapes


def quadratic(
    condition_number: float = 10.0,
    *,
    mu: float = 1.0,
    angle: float = 0.0,
    center=(0.0, 0.0),
) -> Landscape:
    """Quadratic bowl f(x) = ½ (x−c)ᵀ A (x−c) with a chosen condition number.

    A = R diag(μ, κμ) Rᵀ, R a rotation by ``angle`` radians: the smoothness constant is
    L = κμ (largest eigenvalue), the strong-convexity constant μ (smallest). Gradient
    descent with a constant step converges iff 0 < lr < 2/L.

    Parameters
    ----------
    condition_number : float, default=10.0
        κ = L/μ, must be >= 1. κ = 1 is a round bowl; large κ a narrow valley.
    mu : float, default=1.0
        Smallest eigenvalue (> 0), along the first (rotated) axis.
    angle : float, default=0.0
        Rotation of the eigenvectors, in radians; 0 puts the steep direction along y.
    center : array-like of shape (2,), default=(0, 0)
        The minimum.

    Returns
    -------
    Landscape

    Examples
    --------
    >>> bowl = quadratic(condition_number=4.0)
    >>> bowl.L, bowl.mu
    (4.0, 1.0)
    >>> float(bowl.value([1.0, 1.0]))
    2.5
    """
    kappa = float(condition_number)
    if not np.isfinite(kappa) or kappa < 1:
        raise ValueError(f"condition_number must be a finite number >= 1, got {condition_number!r}")
    mu = check_positive("mu", mu)
    c = np.asarray(center, dtype=float)
    if c.shape != (2,) or not np.all(np.isfinite(c)):
        raise ValueError(f"center must be 2 finite numbers, got {center!r}")
    rot = np.array([[np.cos(angle), -np.sin(angle)], [np.sin(angle), np.cos(angle)]])
    A = rot @ np.diag([mu, kappa * mu]) @ rot.T

    def value(x):
        d = x - c
        return 0.5 * np.einsum("...i,ij,...j->...", d, A, d)

    def grad(x):
        return (x - c) @ A  # A is symmetric

    def hessian(x):
        return np.broadcast_to(A, x.shape[:-1] + (2, 2)).copy()

    return Landscape(
        key="quadratic", name_ko=f"이차 함수 (조건수 {kappa:g})",
        name_en=f"quadratic bowl (condition number {kappa:g})", dim=2,
        _value=value, _grad=grad, _hessian=hessian,
        minima=c[None, :].copy(), start=c + np.array([-4.0, 2.0]),
        bounds=((c[0] - 5.0, c[0] + 5.0), (c[1] - 3.0, c[1] + 3.0)),
        L=kappa * mu, mu=mu,
    )


def rosenbrock(a: float = 1.0, b: float = 100.0) -> Landscape:
    """Rosenbrock's banana valley f(x, y) = (a − x)² + b (y − x²)², minimum at (a, a²).

    Non-convex, and its gradient has no global Lipschitz constant (``L is None``); near the
    minimum (a = 1, b = 100) the Hessian's largest eigenvalue is about 1001.6.

    Parameters
    ----------
    a : float, default=1.0
    b : float, default=100.0
        Steepness of the valley walls, > 0.

    Returns
    -------
    Landscape

    Examples
    --------
    >>> float(rosenbrock().value([1.0, 1.0]))
    0.0
    """
    a = float(a)
    b = check_positive("b", b)

    def value(p):
        x, y = p[..., 0], p[..., 1]
        return (a - x) ** 2 + b * (y - x**2) ** 2

    def grad(p):
        x, y = p[..., 0], p[..., 1]
        r = y - x**2
        return np.stack([-2 * (a - x) - 4 * b * x * r, 2 * b * r], -1)

    def hessian(p):
        x, y = p[..., 0], p[..., 1]
        return _hess2(2 - 4 * b * y + 12 * b * x**2, -4 * b * x, 2 * b + 0 * x)

    return Landscape(
        key="rosenbrock", name_ko="로젠브록 함수", name_en="Rosenbrock function", dim=2,
        _value=value, _grad=grad, _hessian=hessian,
        minima=_pts((a, a * a)), start=np.array([-1.5, 2.0]),
        bounds=((-2.0, 2.0), (-1.0, 3.0)),
    )


def beale() -> Landscape:
    """Beale's function, minimum 0 at (3, 0.5); flat plateaus and steep edges, no global L.

    f(x, y) = (1.5 − x + xy)² + (2.25 − x + xy²)² + (2.625 − x + xy³)².

    Examples
    --------
    >>> float(beale().value([3.0, 0.5]))
    0.0
    """
    consts = (1.5, 2.25, 2.625)

    def terms(p):
        x, y = p[..., 0], p[..., 1]
        return x, y, [c - x + x * y**k for k, c in enumerate(consts, start=1)]

    def value(p):
        _, _, t = terms(p)
        return sum(ti**2 for ti in t)

    def grad(p):
        x, y, t = terms(p)
        gx = sum(2 * ti * (y**k - 1) for k, ti in enumerate(t, start=1))
        gy = sum(2 * ti * k * x * y ** (k - 1) for k, ti in enumerate(t, start=1))
        return np.stack([gx, gy], -1)

    def hessian(p):
        x, y, t = terms(p)
        hxx = hxy = hyy = 0.0
        for k, ti in enumerate(t, start=1):
            dx, dy = y**k - 1, k * x * y ** (k - 1)  # partial derivatives of term k
            hxx = hxx + 2 * dx * dx
            hxy = hxy + 2 * (dx * dy + ti * k * y ** (k - 1))
            hyy = hyy + 2 * (dy * dy + ti * k * (k - 1) * x * y ** max(k - 2, 0))
        return _hess2(hxx, hxy, hyy)

    return Landscape(
        key="beale", name_ko="빌 함수", name_en="Beale function", dim=2,
        _value=value, _grad=grad, _hessian=hessian,
        minima=_pts((3.0, 0.5)), start=np.array([1.0, 1.5]),
        bounds=((-4.5, 4.5), (-4.5, 4.5)),
    )


def _himmelblau_parts():
    def value(p):
        x, y = p[..., 0], p[..., 1]
        return (x**2 + y - 11) ** 2 + (x + y**2 - 7) ** 2

    def grad(p):
        x, y = p[..., 0], p[..., 1]
        u, v = x**2 + y - 11, x + y**2 - 7
        return np.stack([4 * x * u + 2 * v, 2 * u + 4 * y * v], -1)

    def hessian(p):
        x, y = p[..., 0], p[..., 1]
        return _hess2(12 * x**2 + 4 * y - 42, 4 * (x + y), 12 * y**2 + 4 * x - 26)

    return value, grad, hessian


def _newton_polish(grad, hessian, points, steps=8):
    # Literature values have ~7 digits; a few Newton steps give machine precision.
    p = np.array(points, dtype=float)
    for _ in range(steps):
        p = p - np.linalg.solve(hessian(p), grad(p)[..., None])[..., 0]
    return p


def himmelblau() -> Landscape:
    """Himmelblau's function f(x, y) = (x² + y − 11)² + (x + y² − 7)², four global minima (f = 0).

    Where gradient descent ends depends on where it starts: a picture of non-convexity.

    Examples
    --------
    >>> h = himmelblau()
    >>> h.minima.shape
    (4, 2)
    >>> float(h.value([3.0, 2.0]))
    0.0
    """
    value, grad, hessian = _himmelblau_parts()
    approx = [(3.0, 2.0), (-2.805118, 3.131312), (-3.779310, -3.283186), (3.584428, -1.848126)]
    minima = _newton_polish(grad, hessian, approx)
    minima[0] = (3.0, 2.0)  # exact
    return Landscape(
        key="himmelblau", name_ko="힘멜블라우 함수", name_en="Himmelblau function", dim=2,
        _value=value, _grad=grad, _hessian=hessian,
        minima=minima, start=np.array([0.0, 0.0]),
        bounds=((-5.0, 5.0), (-5.0, 5.0)),
    )


def saddle() -> Landscape:
    """Saddle f(x, y) = x² − y²: zero gradient at the origin, which is not a minimum.

    Unbounded below, so ``minima`` is empty; ``saddles`` holds the origin. The gradient is
    2-Lipschitz (Hessian diag(2, −2)), so ``L = 2``. Started on the x-axis, gradient descent
    walks into the saddle; started a hair off it, it escapes along y.

    Examples
    --------
    >>> s = saddle()
    >>> float(np.linalg.norm(s.grad([0.0, 0.0])))
    0.0
    """

    def value(p):
        return p[..., 0] ** 2 - p[..., 1] ** 2

    def grad(p):
        return p * np.array([2.0, -2.0])

    def hessian(p):
        return np.broadcast_to(np.diag([2.0, -2.0]), p.shape[:-1] + (2, 2)).copy()

    return Landscape(
        key="saddle", name_ko="안장점 (x² − y²)", name_en="saddle point (x² − y²)", dim=2,
        _value=value, _grad=grad, _hessian=hessian,
        minima=np.empty((0, 2)), saddles=_pts((0.0, 0.0)), start=np.array([1.5, 0.01]),
        bounds=((-2.0, 2.0), (-2.0, 2.0)), L=2.0,
    )


# --------------------------------------------------------------------------- 1-D landscapes


def parabola(a: float = 1.0) -> Landscape:
    """The 1-D bowl f(x) = a/2 · x², minimum at 0, L = μ = a.

    Gradient descent gives x ← (1 − lr·a) x: it converges monotonically for lr < 1/a,
    oscillates but converges for 1/a < lr < 2/a, and diverges for lr > 2/a.

    Examples
    --------
    >>> p = parabola(2.0)
    >>> p.L, float(p.f(3.0)), float(p.df(3.0))
    (2.0, 9.0, 6.0)
    """
    a = check_positive("a", a)
    return Landscape(
        key="parabola", name_ko=f"포물선 f(x) = {a:g}/2 · x²",
        name_en=f"parabola f(x) = {a:g}/2 · x²", dim=1,
        _value=lambda x: 0.5 * a * x[..., 0] ** 2,
        _grad=lambda x: a * x,
        _hessian=lambda x: np.full(x.shape[:-1] + (1, 1), a),
        minima=_pts(0.0), start=np.array([3.0]), bounds=((-4.0, 4.0),), L=a, mu=a,
    )


def double_well(tilt: float = 0.3) -> Landscape:
    """Tilted double well f(x) = x⁴/4 − x²/2 + tilt·x: a global and a local minimum.

    For 0 < tilt < 2/(3√3) ≈ 0.385 there are two minima; the left one (x < 0) is global.
    Started at the default ``start = 2``, gradient descent settles in the local minimum on
    the right. f'' = 3x² − 1 is unbounded, so ``L is None``.

    Parameters
    ----------
    tilt : float, default=0.3
        In [0, 0.38]; 0 gives two equally deep minima at ±1.

    Examples
    --------
    >>> w = double_well()
    >>> w.minima.shape
    (2, 1)
    >>> bool(w.f(w.minima[0, 0]) < w.f(w.minima[1, 0]))
    True
    """
    tilt = float(tilt)
    if not 0 <= tilt <= 0.38:
        raise ValueError(f"tilt must be in [0, 0.38] so that there are two minima, got {tilt!r}")
    roots = np.sort(np.roots([1.0, 0.0, -1.0, tilt]).real)  # f'(x) = x³ − x + tilt
    minima = _pts(roots[0], roots[2])  # roots[1] is the local maximum between them
    return Landscape(
        key="double_well", name_ko="두 골짜기 함수", name_en="double well", dim=1,
        _value=lambda x: x[..., 0] ** 4 / 4 - x[..., 0] ** 2 / 2 + tilt * x[..., 0],
        _grad=lambda x: x**3 - x + tilt,
        _hessian=lambda x: (3 * x**2 - 1)[..., None],
        minima=minima, saddles=_pts(roots[1]), start=np.array([2.0]), bounds=((-2.2, 2.2),),
    )


def huber(delta: float = 1.0) -> Landscape:
    """Huber function: x²/2 for |x| ≤ δ, δ(|x| − δ/2) outside; L = 1, not strongly convex.

    Far from the minimum the gradient has constant size δ, so a fixed step moves a fixed
    distance: slow start from far away, fast finish close in.

    Examples
    --------
    >>> h = huber(1.0)
    >>> float(h.f(3.0)), float(h.df(3.0)), float(h.df(0.5))
    (2.5, 1.0, 0.5)
    """
    d = check_positive("delta", delta)

    def value(x):
        ax = np.abs(x[..., 0])
        return np.where(ax <= d, 0.5 * ax**2, d * (ax - 0.5 * d))

    return Landscape(
        key="huber", name_ko=f"후버 함수 (δ = {d:g})", name_en=f"Huber function (δ = {d:g})",
        dim=1, _value=value, _grad=lambda x: np.clip(x, -d, d),
        _hessian=lambda x: (np.abs(x) < d).astype(float)[..., None],
        minima=_pts(0.0), start=np.array([4.0]), bounds=((-5.0, 5.0),), L=1.0,
    )


def absolute() -> Landscape:
    """f(x) = |x|: convex, not differentiable at 0, so no L and no convergence with a fixed step.

    ``grad`` returns sign(x) (0 at 0, a valid subgradient). A fixed step lr ends up
    bouncing around 0 at distance up to lr: a reason for decaying schedules.

    Examples
    --------
    >>> float(absolute().df(-2.0))
    -1.0
    """
    return Landscape(
        key="absolute", name_ko="절댓값 함수 |x|", name_en="absolute value |x|", dim=1,
        _value=lambda x: np.abs(x[..., 0]), _grad=np.sign,
        _hessian=lambda x: np.zeros(x.shape[:-1] + (1, 1)),
        minima=_pts(0.0), start=np.array([3.0]), bounds=((-4.0, 4.0),),
    )


LANDSCAPES: dict[str, Callable[..., Landscape]] = {
    "quadratic": quadratic,
    "rosenbrock": rosenbrock,
    "beale": beale,
    "himmelblau": himmelblau,
    "saddle": saddle,
    "parabola": parabola,
    "double_well": double_well,
    "huber": huber,
    "absolute": absolute,
}


def get_landscape(key: str, **kwargs) -> Landscape:
    """Build a landscape by name, e.g. ``get_landscape("quadratic", condition_number=25)``.

    Parameters
    ----------
    key : str
        One of :data:`LANDSCAPES`.
    **kwargs
        Passed to the factory function.

    Returns
    -------
    Landscape
    """
    if key not in LANDSCAPES:
        raise ValueError(f"key must be one of {sorted(LANDSCAPES)}, got {key!r}")
    return LANDSCAPES[key](**kwargs)
