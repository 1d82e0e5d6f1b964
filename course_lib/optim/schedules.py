"""Learning-rate schedules as plain functions of the epoch (the seeds' versions, corrected).

Each returns the lr for epoch ``epoch`` (0, 1, 2, ...), a float.  Use them to plot a
schedule or inside :class:`~course_lib.optim.lr_scheduler.LambdaLR`; the scheduler classes
are what PyTorch code uses.

Corrections to the seed texts: step decay uses ⌊epoch / epochs_drop⌋ (a staircase, not a
smooth γ^(t/s)); warmup starts at ``lr · 1 / warmup_epochs`` on epoch 0, not at 0 (with
lr 0 the first epoch would learn nothing).

Two functions of the optimizer step ``t = 1, 2, ...`` (not the epoch) show the warmup an
adaptive method implies: :func:`radam_rectification`, the factor RAdam (Liu et al. 2020)
puts on Adam's adaptive step, and :func:`untuned_linear_warmup`, the warmup Ma & Yarats
(2021) propose in its place.
"""

from __future__ import annotations

import math


def _check_epoch(epoch: int) -> None:
    if isinstance(epoch, bool) or not isinstance(epoch, int) or epoch < 0:
        raise ValueError(f"epoch must be an integer >= 0, got {epoch!r}")


def _check_lr(name: str, lr: float) -> None:
    if isinstance(lr, bool) or not isinstance(lr, (int, float)) or not lr >= 0 \
            or math.isinf(lr):
        raise ValueError(f"{name} must be a finite number >= 0, got {lr!r}")


def _check_factor(name: str, value: float) -> None:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 < value <= 1:
        raise ValueError(f"{name} must be in (0, 1], got {value!r}")


def _check_count(name: str, value: int) -> None:
    if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
        raise ValueError(f"{name} must be a positive integer, got {value!r}")


def step_decay(epoch: int, initial_lr: float = 0.01, drop: float = 0.5,
               epochs_drop: int = 10) -> float:
    """``initial_lr · drop^⌊epoch / epochs_drop⌋`` (StepLR's closed form).

    Examples
    --------
    >>> [step_decay(e, 0.1, 0.5, 2) for e in range(5)]
    [0.1, 0.1, 0.05, 0.05, 0.025]
    """
    _check_epoch(epoch)
    _check_lr("initial_lr", initial_lr)
    _check_factor("drop", drop)
    _check_count("epochs_drop", epochs_drop)
    return initial_lr * drop ** (epoch // epochs_drop)


def exponential_decay(epoch: int, initial_lr: float = 0.01, decay_rate: float = 0.95) -> float:
    """``initial_lr · decay_rate^epoch`` (ExponentialLR's closed form).

    Examples
    --------
    >>> exponential_decay(2, 1.0, 0.5)
    0.25
    """
    _check_epoch(epoch)
    _check_lr("initial_lr", initial_lr)
    _check_factor("decay_rate", decay_rate)
    return initial_lr * decay_rate**epoch


def cosine_decay(epoch: int, initial_lr: float = 0.01, T_max: int = 100,
                 eta_min: float = 0.0) -> float:
    """``eta_min + (initial_lr − eta_min)(1 + cos(π · min(epoch, T_max) / T_max)) / 2``.

    Stays at ``eta_min`` after ``T_max`` (PyTorch's CosineAnnealingLR would rise again).

    Examples
    --------
    >>> cosine_decay(0, 1.0, 10), cosine_decay(5, 1.0, 10), cosine_decay(10, 1.0, 10)
    (1.0, 0.5, 0.0)
    """
    _check_epoch(epoch)
    _check_lr("initial_lr", initial_lr)
    _check_count("T_max", T_max)
    _check_lr("eta_min", eta_min)
    t = min(epoch, T_max)
    return eta_min + (initial_lr - eta_min) * (1 + math.cos(math.pi * t / T_max)) / 2


def warmup_then_decay(epoch: int, initial_lr: float = 0.01, warmup_epochs: int = 5,
                      decay_rate: float = 0.95) -> float:
    """Linear warmup ``initial_lr · (epoch + 1) / warmup_epochs``, then exponential decay.

    Epoch 0 already learns (lr = initial_lr / warmup_epochs, not 0); epoch
    ``warmup_epochs − 1`` reaches ``initial_lr``; after that the lr decays by
    ``decay_rate`` per epoch.

    Examples
    --------
    >>> [round(warmup_then_decay(e, 1.0, 4, 0.5), 4) for e in range(6)]
    [0.25, 0.5, 0.75, 1.0, 0.5, 0.25]
    """
    _check_epoch(epoch)
    _check_lr("initial_lr", initial_lr)
    _check_count("warmup_epochs", warmup_epochs)
    _check_factor("decay_rate", decay_rate)
    if epoch < warmup_epochs:
        return initial_lr * (epoch + 1) / warmup_epochs
    return initial_lr * decay_rate ** (epoch - warmup_epochs + 1)


def _check_step(step: int) -> None:
    if isinstance(step, bool) or not isinstance(step, int) or step < 1:
        raise ValueError(f"step must be an integer >= 1, got {step!r}")


def _check_beta2(beta2: float) -> None:
    if isinstance(beta2, bool) or not isinstance(beta2, (int, float)) or not 0 < beta2 < 1:
        raise ValueError(f"beta2 must be in (0, 1), got {beta2!r}")


def radam_sma_length(step: int, beta2: float = 0.999) -> float:
    """ρ_t = ρ_∞ − 2tβ₂ᵗ/(1 − β₂ᵗ), ρ_∞ = 2/(1 − β₂) − 1: RAdam's "length" of v̂ at step t.

    Liu et al. (2020) approximate the exponential moving average v̂ₜ by a simple moving
    average of ρ_t squared gradients with the same centre of mass; ρ_t ≈ t early on.

    Examples
    --------
    >>> round(radam_sma_length(1), 6), round(radam_sma_length(6), 3)
    (1.0, 5.994)
    """
    _check_step(step)
    _check_beta2(beta2)
    rho_inf = 2.0 / (1.0 - beta2) - 1.0
    return rho_inf - 2.0 * step * beta2**step / (1.0 - beta2**step)


def radam_rectification(step: int, beta2: float = 0.999, threshold: float = 5.0) -> float:
    """RAdam's rectification term r_t (Liu et al. 2020), or 0.0 while ρ_t <= ``threshold``.

    ``r_t = √((ρ_t − 4)(ρ_t − 2)ρ_∞ / ((ρ_∞ − 4)(ρ_∞ − 2)ρ_t))`` multiplies Adam's adaptive
    step m̂/√v̂.  While ρ_t <= ``threshold`` the variance of the adaptive term is taken as
    intractable and RAdam steps η·m̂ instead (momentum SGD, no division by √v̂): this
    function returns 0.0 for those steps.  The paper's threshold is 4; PyTorch's
    ``torch.optim.RAdam`` uses 5 (the default here).  r_t rises from about 0.02 towards 1
    over thousands of steps with β₂ = 0.999: an automatic warmup of the adaptive step.

    Examples
    --------
    >>> radam_rectification(5), round(radam_rectification(6), 4)
    (0.0, 0.0258)
    """
    if isinstance(threshold, bool) or not isinstance(threshold, (int, float)) or threshold < 4:
        raise ValueError(f"threshold must be a number >= 4, got {threshold!r}")
    rho = radam_sma_length(step, beta2)
    if rho <= threshold:
        return 0.0
    rho_inf = 2.0 / (1.0 - beta2) - 1.0
    return math.sqrt((rho - 4) * (rho - 2) * rho_inf / ((rho_inf - 4) * (rho_inf - 2) * rho))


def untuned_linear_warmup(step: int, beta2: float = 0.999) -> float:
    """``min(1, (1 − β₂)·t / 2)``: linear warmup over 2/(1 − β₂) steps (Ma & Yarats 2021).

    Their rule of thumb for Adam in place of RAdam: with β₂ = 0.999, 2000 steps.

    Examples
    --------
    >>> round(untuned_linear_warmup(1000), 6), untuned_linear_warmup(5000)
    (0.5, 1.0)
    """
    _check_step(step)
    _check_beta2(beta2)
    return min(1.0, (1.0 - beta2) * step / 2.0)
