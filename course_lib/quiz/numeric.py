"""Answers of the numeric quiz items, computed by course_lib rather than typed in.

A numeric item is stored as a *spec* (``specs.json``): a ``kind`` and its arguments, e.g.
``{"kind": "adam", "args": {"theta": 1.0, "g1": 0.5, "lr": 0.1, ...}}``.  :func:`compute`
runs the matching course_lib code (an optimizer stepping a real NumPy array, a schedule, a
landscape's smoothness constant) so that a bank entry can never disagree with the library
the lessons teach.  The tests recompute every answer by hand formula.

Gradients ``g1, g2, ...`` in the arguments are the gradients of successive steps.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import numpy as np

Args = dict[str, Any]


def linear_scaling_lr(base_lr: float, base_batch: int, batch: int) -> float:
    """Learning rate for a new batch size under the linear scaling rule (Goyal et al., 2017).

    Parameters
    ----------
    base_lr : float
        A learning rate known to work at ``base_batch``, > 0.
    base_batch, batch : int
        The reference batch size and the new one, >= 1.

    Returns
    -------
    float
        ``base_lr * batch / base_batch``.

    Examples
    --------
    >>> linear_scaling_lr(0.001, 32, 256)
    0.008
    """
    if not base_lr > 0:
        raise ValueError(f"base_lr must be > 0, got {base_lr!r}")
    for name, value in (("base_batch", base_batch), ("batch", batch)):
        if int(value) != value or value < 1:
            raise ValueError(f"{name} must be an integer >= 1, got {value!r}")
    return base_lr * batch / base_batch


def _grads(args: Args) -> list[float]:
    """The gradients g1, g2, ... of successive steps, in order."""
    out = []
    while f"g{len(out) + 1}" in args:
        out.append(float(args[f"g{len(out) + 1}"]))
    if not out:
        raise ValueError("a numeric spec needs at least the gradient g1")
    return out


def _run(make_optimizer: Callable[[list[np.ndarray]], Any], args: Args) -> tuple[Any, float]:
    """Step a fresh optimizer on the scalar θ with the spec's gradients; return (opt, θ)."""
    theta = np.array([float(args["theta"])])
    opt = make_optimizer([theta])
    for g in _grads(args):
        opt.step([np.array([g])])
    return opt, float(theta[0])


def _adam(args: Args, decoupled: bool = False) -> float:
    from course_lib.optim.adam import Adam, AdamW

    cls = AdamW if decoupled else Adam
    return _run(lambda p: cls(p, lr=args["lr"], betas=(args["beta1"], args["beta2"]),
                              eps=args["eps"], weight_decay=args.get("weight_decay", 0.0)),
                args)[1]


def _sgd(args: Args, nesterov: bool = False, want: str = "param") -> float:
    from course_lib.optim.sgd import SGD

    opt, theta = _run(lambda p: SGD(p, lr=args["lr"], momentum=args["momentum"],
                                    nesterov=nesterov), args)
    if want == "buffer":
        return float(opt.state[0]["momentum_buffer"][0])
    return theta


def _adagrad(args: Args) -> float:
    from course_lib.optim.adagrad import Adagrad

    return _run(lambda p: Adagrad(p, lr=args["lr"], eps=args["eps"]), args)[1]


def _rmsprop(args: Args) -> float:
    from course_lib.optim.rmsprop import RMSprop

    return _run(lambda p: RMSprop(p, lr=args["lr"], alpha=args["alpha"], eps=args["eps"]),
                args)[1]


def _step_decay(args: Args) -> float:
    from course_lib.optim.schedules import step_decay

    return step_decay(args["epoch"], initial_lr=args["lr0"], drop=args["gamma"],
                      epochs_drop=args["step_size"])


def _exponential_decay(args: Args) -> float:
    from course_lib.optim.schedules import exponential_decay

    return exponential_decay(args["epoch"], initial_lr=args["lr0"], decay_rate=args["gamma"])


def _cosine(args: Args) -> float:
    from course_lib.optim.schedules import cosine_decay

    return cosine_decay(args["t"], initial_lr=args["lr_max"], T_max=args["T"],
                        eta_min=args["lr_min"])


def _warmup(args: Args) -> float:
    from course_lib.optim.schedules import warmup_then_decay

    return warmup_then_decay(args["epoch"], initial_lr=args["lr0"], warmup_epochs=args["warmup"])


def _data_parallel(args: Args) -> float:
    return linear_scaling_lr(args["base_lr"], args["base_batch"],
                             args["workers"] * args["per_worker"])


def _gd_threshold(args: Args) -> float:
    from course_lib.landscapes import quadratic

    return 2.0 / quadratic(condition_number=args["kappa"]).L


def _gd_parabola(args: Args) -> float:
    from course_lib.landscapes import parabola
    from course_lib.optim.sgd import SGD

    bowl = parabola(args["a"])
    x = np.array([float(args["x0"])])
    opt = SGD([x], lr=args["lr"])
    for _ in range(int(args["steps"])):
        opt.step([bowl.grad(x)])
    return float(x[0])


def _clip_norm(args: Args) -> float:
    from course_lib.optim.clip import clip_grad_norm_

    g = np.array([float(args["g1"]), float(args["g2"])])
    clip_grad_norm_([g], max_norm=args["max_norm"])
    return float(g[0])


def _iterations_per_epoch(args: Args) -> float:
    from course_lib.training import minibatches

    batches = minibatches(int(args["n"]), int(args["batch"]), shuffle=False)
    return float(sum(1 for _ in batches))


def _adam_uncorrected_ratio(args: Args) -> float:
    """Step Adam would take without bias correction ÷ the step it takes, at the last step.

    The uncorrected step ``lr·m/(√v + ε)`` is computed from the optimizer's own state
    (as chapter 07 does), the corrected one is how far the parameter really moved.
    """
    from course_lib.optim.adam import Adam

    theta = np.array([float(args["theta"])])
    opt = Adam([theta], lr=args["lr"], betas=(args["beta1"], args["beta2"]), eps=args["eps"])
    for g in _grads(args):
        before = float(theta[0])
        opt.step([np.array([g])])
    state = opt.state[0]
    m, v = float(state["exp_avg"][0]), float(state["exp_avg_sq"][0])
    uncorrected = args["lr"] * m / (math.sqrt(v) + args["eps"])
    return uncorrected / (before - float(theta[0]))


def _momentum_lr_change(args: Args, velocity: bool = False) -> float:
    """Two momentum steps, the learning rate changed from lr1 to lr2 in between."""
    from course_lib.optim.sgd import SGD, VelocitySGD

    cls = VelocitySGD if velocity else SGD
    theta = np.array([float(args["theta"])])
    opt = cls([theta], lr=args["lr1"], momentum=args["momentum"])
    opt.step([np.array([float(args["g1"])])])
    opt.param_groups[0]["lr"] = args["lr2"]          # what a scheduler does between steps
    opt.step([np.array([float(args["g2"])])])
    return float(theta[0])


def _lamb(args: Args) -> float:
    """First coordinate of a two-coordinate layer after one LAMB step."""
    from course_lib.optim.lamb import LAMB

    theta = np.array(args["theta"], dtype=float)
    opt = LAMB([theta], lr=args["lr"], betas=(args["beta1"], args["beta2"]), eps=args["eps"],
               weight_decay=args["weight_decay"])
    opt.step([np.array(args["grad"], dtype=float)])
    return float(theta[0])


def _accumulation_scaling(args: Args) -> float:
    batch = args["workers"] * args["micro_batch"] * args["accumulation"]
    return linear_scaling_lr(args["base_lr"], args["base_batch"], batch)


def _gd_iterations(args: Args) -> float:
    """Iterations of gradient descent at 2/(L + μ) until the error is below ``tol`` × start."""
    from course_lib.landscapes import quadratic
    from course_lib.training import gradient_descent

    bowl = quadratic(condition_number=args["kappa"])
    run = gradient_descent(bowl, lr=2.0 / (bowl.L + bowl.mu), steps=int(args["_max_steps"]))
    dist = np.linalg.norm(run.path - bowl.minima[0], axis=1)
    below = np.flatnonzero(dist < args["tol"] * dist[0])
    if below.size == 0:
        raise ValueError(f"tolerance {args['tol']} not reached in {args['_max_steps']} steps")
    return float(below[0])


def _sigmoid_chain(args: Args) -> float:
    """Largest factor the logistic derivative lets through ``layers`` layers: σ'(0)^layers."""
    from course_lib.models.mlp import ACTIVATIONS

    act, deriv = ACTIVATIONS["logistic"]
    zs = np.linspace(-10.0, 10.0, 20001)              # σ' peaks at z = 0, where σ = 1/2
    peak = float(np.max(deriv(act(zs))))
    return peak ** int(args["layers"])


def _newton_rosenbrock(args: Args) -> float:
    """One Newton step θ ← θ − H⁻¹∇f on Rosenbrock's function; returns coordinate ``_coord``."""
    from course_lib.landscapes import rosenbrock
    from course_lib.second_order import newton

    run = newton(rosenbrock(), [args["x0"], args["y0"]], steps=1)
    return float(run.path[1][int(args["_coord"])])


def _zero_gb(args: Args) -> float:
    """Model-state memory per device (GB) of mixed-precision Adam under a ZeRO stage."""
    from course_lib.memory import model_state_gb

    return model_state_gb(args["n_params"], "adam", zero_stage=int(args["stage"]),
                          n_devices=int(args["devices"]))


def _zero_bytes(args: Args) -> float:
    """Bytes of model state per parameter on one device (mixed-precision Adam, ZeRO)."""
    from course_lib.memory import bytes_per_parameter

    return bytes_per_parameter("adam", zero_stage=int(args["stage"]),
                               n_devices=int(args["devices"]))


def _state_values(args: Args) -> float:
    """Optimizer-state values kept for one rows × cols weight matrix."""
    from course_lib.memory import state_values

    return float(state_values((int(args["rows"]), int(args["cols"])), args["_optimizer"]))


def _sklearn_optimal_eta(args: Args) -> float:
    """SGDClassifier's learning_rate='optimal' step size at sample t (log_loss)."""
    from course_lib.sklearn_repro.sgd_classifier import eta_schedule, log_dloss

    eta = eta_schedule("optimal", args["eta0"], 0.5, args["alpha"], log_dloss)
    return float(eta(int(args["t"])))


def _mse_grad(args: Args) -> float:
    """∂J/∂w of the mean squared error of a one-feature linear model (course_lib's model)."""
    from course_lib.models.linear import LinearRegression

    model = LinearRegression.from_params([args["w"]], args["b"])
    X = np.array(args["x"], dtype=float)[:, None]
    _, grads = model.loss_and_grads(X, np.array(args["y"], dtype=float))
    return float(grads[0][0])


def _adam_state_size(args: Args) -> float:
    from course_lib.optim.adam import Adam

    # Two arrays of different shapes, as in a layer (weights and bias), to count honestly.
    n = int(args["n_params"])
    params = [np.zeros(n - n // 10), np.zeros(n // 10)]
    opt = Adam(params)
    opt.step([np.ones_like(p) for p in params])
    return float(sum(v.size for st in opt.state.values() for v in st.values()
                     if isinstance(v, np.ndarray)))


KINDS: dict[str, Callable[[Args], float]] = {
    "adam": _adam,
    "adamw": lambda a: _adam(a, decoupled=True),
    "sgd": _sgd,
    "sgd_buffer": lambda a: _sgd(a, want="buffer"),
    "nesterov": lambda a: _sgd(a, nesterov=True),
    "adagrad": _adagrad,
    "rmsprop": _rmsprop,
    "step_decay": _step_decay,
    "exponential_decay": _exponential_decay,
    "cosine": _cosine,
    "warmup": _warmup,
    "linear_scaling": lambda a: linear_scaling_lr(a["base_lr"], a["base_batch"], a["batch"]),
    "data_parallel_scaling": _data_parallel,
    "gd_threshold": _gd_threshold,
    "gd_parabola": _gd_parabola,
    "clip_norm": _clip_norm,
    "iterations_per_epoch": _iterations_per_epoch,
    "adam_state_size": _adam_state_size,
    "adam_uncorrected_ratio": _adam_uncorrected_ratio,
    "momentum_lr_change": _momentum_lr_change,
    "velocity_lr_change": lambda a: _momentum_lr_change(a, velocity=True),
    "lamb": _lamb,
    "accumulation_scaling": _accumulation_scaling,
    "gd_iterations": _gd_iterations,
    "sigmoid_chain": _sigmoid_chain,
    "newton_rosenbrock": _newton_rosenbrock,
    "sklearn_optimal_eta": _sklearn_optimal_eta,
    "mse_grad": _mse_grad,
    "zero_gb": _zero_gb,
    "zero_bytes": _zero_bytes,
    "state_values": _state_values,
}


def compute(kind: str, args: Args) -> float:
    """Compute the answer of a numeric spec with course_lib.

    Parameters
    ----------
    kind : str
        One of :data:`KINDS`.
    args : dict
        The spec's arguments (see ``specs.json``).

    Returns
    -------
    float
        The answer, checked to be finite.

    Examples
    --------
    >>> compute("linear_scaling", {"base_lr": 0.1, "base_batch": 256, "batch": 1024})
    0.4
    """
    if kind not in KINDS:
        raise ValueError(f"kind must be one of {sorted(KINDS)}, got {kind!r}")
    value = float(KINDS[kind](args))
    if not math.isfinite(value):
        raise ValueError(f"numeric spec {kind!r} with {args} gave a non-finite answer {value}")
    return value
