"""Memory of the model states in training: bytes per parameter, ZeRO stages, optimizer state.

The exam sheets on distributed training (14) and newer optimizers (15) quote these numbers.
The accounting is ZeRO's (Rajbhandari et al. 2020, section 3.1): the *model states* are the
parameters, their gradients and the optimizer's state.  Activations, temporary buffers and
fragmentation come on top and are not counted here.

Mixed-precision Adam, per parameter (Micikevicius et al. 2018 keep an fp32 master copy)::

    fp16 parameter 2 + fp16 gradient 2 + fp32 master copy 4 + fp32 m 4 + fp32 v 4 = 16 bytes

ZeRO's K = 12 is the last three.  ZeRO-DP shards, over N_d data-parallel devices, the optimizer
state (stage 1), then the gradients (stage 2), then the parameters (stage 3)::

    stage 0: 2 + 2 + K     stage 1: 2 + 2 + K/N_d     stage 2: 2 + (2 + K)/N_d
    stage 3: (2 + 2 + K)/N_d

FSDP with full sharding is stage 3 in this accounting (Zhao et al. 2023).
"""

from __future__ import annotations

import math

from course_lib._checks import check_int

__all__ = ["OPTIMIZER_STATES", "bytes_per_parameter", "model_state_gb", "state_values"]

#: optimizer -> (state arrays of the parameter's size, bytes per stored state value).
#: "adam8bit" stores m and v in 8 bits, plus one fp32 scale per block of 2048 values
#: (block-wise quantization, Dettmers et al. 2022); "lion" keeps one momentum (Chen et al.
#: 2023).  Adafactor's state is not per parameter: see :func:`state_values`.
OPTIMIZER_STATES: dict[str, tuple[int, float]] = {
    "sgd": (0, 4.0),
    "momentum": (1, 4.0),
    "adam": (2, 4.0),
    "adamw": (2, 4.0),
    "lion": (1, 4.0),
    "adam8bit": (2, 1.0 + 4.0 / 2048),
}
PRECISIONS = ("fp32", "mixed")


def bytes_per_parameter(optimizer: str = "adam", *, precision: str = "mixed",
                        zero_stage: int = 0, n_devices: int = 1) -> float:
    """Bytes of model state per parameter on one device, by ZeRO's accounting.

    Parameters
    ----------
    optimizer : {"sgd", "momentum", "adam", "adamw", "lion", "adam8bit"}, default="adam"
    precision : {"fp32", "mixed"}, default="mixed"
        ``"fp32"``: parameters and gradients in 4 bytes, no master copy.  ``"mixed"``:
        parameters and gradients in 2 bytes (fp16 or bf16) and an fp32 master copy of the
        parameters held with the optimizer state.
    zero_stage : {0, 1, 2, 3}, default=0
        0 is plain data parallelism (everything replicated on every device).
    n_devices : int, default=1
        Data-parallel devices N_d the shards are spread over.

    Returns
    -------
    float

    Examples
    --------
    >>> bytes_per_parameter("adam")                    # mixed precision: 2 + 2 + 12
    16.0
    >>> bytes_per_parameter("adam", precision="fp32")  # 4 + 4 + 8: no saving in model states
    16.0
    >>> bytes_per_parameter("adam", zero_stage=3, n_devices=64)
    0.25
    """
    if optimizer not in OPTIMIZER_STATES:
        raise ValueError(f"optimizer must be one of {tuple(OPTIMIZER_STATES)}, got {optimizer!r}")
    if precision not in PRECISIONS:
        raise ValueError(f"precision must be one of {PRECISIONS}, got {precision!r}")
    if zero_stage not in (0, 1, 2, 3) or isinstance(zero_stage, bool):
        raise ValueError(f"zero_stage must be 0, 1, 2 or 3, got {zero_stage!r}")
    n = check_int("n_devices", n_devices)
    n_states, state_bytes = OPTIMIZER_STATES[optimizer]
    weight = grad = 4.0 if precision == "fp32" else 2.0
    k = n_states * state_bytes + (4.0 if precision == "mixed" else 0.0)
    if zero_stage >= 1:
        k /= n
    if zero_stage >= 2:
        grad /= n
    if zero_stage >= 3:
        weight /= n
    return weight + grad + k


def model_state_gb(n_params: float, optimizer: str = "adam", **kwargs) -> float:
    """Model-state memory per device in GB (10⁹ bytes) for ``n_params`` parameters.

    ``kwargs`` go to :func:`bytes_per_parameter`.

    Examples
    --------
    >>> round(model_state_gb(7.5e9), 1)        # ZeRO's Figure 1 baseline: 120 GB
    120.0
    """
    n_params = float(n_params)
    if not (n_params > 0 and math.isfinite(n_params)):
        raise ValueError(f"n_params must be a finite number > 0, got {n_params!r}")
    return n_params * bytes_per_parameter(optimizer, **kwargs) / 1e9


def state_values(shape: tuple[int, ...], optimizer: str) -> int:
    """Number of optimizer-state values kept for one weight of ``shape``.

    Parameters
    ----------
    shape : tuple of int
        The weight's shape.
    optimizer : {"sgd", "momentum", "adam", "adamw", "lion", "adam8bit", "adafactor", "shampoo"}
        The per-parameter optimizers of :data:`OPTIMIZER_STATES` keep their number of arrays
        of the weight's size.  ``"adafactor"``: factored second moment without momentum
        (β₁ = 0, as Shazeer & Stern 2018 run it): one value per row and per column of a
        matrix (of each matrix over the last two dimensions of a larger tensor), the full
        size for a vector.  ``"shampoo"``: one statistic matrix per dimension, m² + n² for
        an m×n weight (Gupta, Koren & Singer 2018; the inverse roots they also keep double
        this).

    Examples
    --------
    >>> state_values((1024, 4096), "adam"), state_values((1024, 4096), "adafactor")
    (8388608, 5120)
    """
    dims = tuple(check_int(f"shape[{i}]", s) for i, s in enumerate(shape))
    if not dims:
        raise ValueError("shape must have at least one dimension, got ()")
    if optimizer == "adafactor":
        if len(dims) == 1:
            return dims[0]
        return math.prod(dims[:-2]) * (dims[-2] + dims[-1])
    if optimizer == "shampoo":
        return sum(d * d for d in dims)
    if optimizer not in OPTIMIZER_STATES:
        allowed = (*OPTIMIZER_STATES, "adafactor", "shampoo")
        raise ValueError(f"optimizer must be one of {allowed}, got {optimizer!r}")
    return OPTIMIZER_STATES[optimizer][0] * math.prod(dims)
