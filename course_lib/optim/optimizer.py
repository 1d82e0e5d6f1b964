"""The base class of every optimizer: parameter groups, state, ``step(grads)``, state_dict.

It mirrors ``torch.optim.Optimizer`` with one difference that comes from NumPy: arrays
carry no ``.grad``, so the gradients are passed to :meth:`Optimizer.step` as a list in
the same order as the parameters (group after group, parameter after parameter).

Parameters are updated **in place**, so a model that holds the same arrays sees the
change.  Scratch buffers are allocated once per parameter and reused, so a step
allocates no array of the parameter's size; large arrays are updated slice by slice
(:func:`chunked`) so that the rule's NumPy passes run in cache (see benchmarks/optim_step.py).

Non-finite gradients
--------------------
PyTorch propagates a NaN or inf gradient silently into the parameters.  Here
``nonfinite="raise"`` (the default) checks every gradient *before* any parameter is
touched and raises :class:`FloatingPointError` naming the gradient's index and the step;
``"skip"`` leaves parameters and state unchanged and counts the step in
``skipped_steps`` (what ``torch.amp.GradScaler`` does); ``"ignore"`` behaves as PyTorch.
"""

from __future__ import annotations

import copy
import math
from collections.abc import Callable, Iterable, Sequence
from typing import Any

import numpy as np

NONFINITE_MODES = ("raise", "skip", "ignore")

#: Elementwise rules run on slices of this many elements (1 MiB of float64 per array), so
#: that their several NumPy passes over the data hit the cache instead of main memory.
CHUNK_ELEMENTS = 1 << 17


def chunked(fn: Callable[..., Any], arrays: Sequence[np.ndarray],
            array_kwargs: dict[str, np.ndarray | None], **kwargs: Any) -> Any:
    """``fn(*arrays, **array_kwargs, **kwargs)``, run slice by slice on large arrays.

    Valid only for elementwise update rules: every array argument is cut into the same
    ``CHUNK_ELEMENTS``-sized pieces (``None`` entries pass through).  Small or
    non-contiguous arrays get a single call.  Returns the last call's result.
    """
    n = arrays[0].size
    named = {k: v for k, v in array_kwargs.items() if v is not None}
    everything = [*arrays, *named.values()]
    if n <= 2 * CHUNK_ELEMENTS or not all(a.flags.c_contiguous and a.size == n
                                          for a in everything):
        return fn(*arrays, **array_kwargs, **kwargs)
    flat = [a.reshape(-1) for a in arrays]
    flat_named = {k: v.reshape(-1) for k, v in named.items()}
    absent = {k: None for k, v in array_kwargs.items() if v is None}
    result = None
    for start in range(0, n, CHUNK_ELEMENTS):
        piece = slice(start, start + CHUNK_ELEMENTS)
        result = fn(*(a[piece] for a in flat), **absent,
                    **{k: v[piece] for k, v in flat_named.items()}, **kwargs)
    return result


def check_hyper(name: str, value: Any, *, label: str, low: float = 0.0, high: float | None = None,
                high_open: bool = False) -> None:
    """Raise ``ValueError("Invalid <label>: <value> ...")`` unless ``low <= value <= high``.

    The message starts as PyTorch's does (``"Invalid learning rate: -0.1"``) and then
    names the argument and its allowed range.  NaN is rejected (PyTorch lets a NaN
    ``lr`` through SGD, which only turns every parameter into NaN).
    """
    if isinstance(value, bool) or not isinstance(value, (int, float, np.integer, np.floating)):
        raise TypeError(f"{name} must be a real number, got {type(value).__name__}")
    upper = "" if high is None else (f" and < {high}" if high_open else f" and <= {high}")
    ok = value >= low and (high is None or (value < high if high_open else value <= high))
    if not ok or math.isnan(value):
        raise ValueError(f"Invalid {label}: {value} ({name} must be >= {low}{upper})")


def check_betas(betas: Any) -> tuple[float, float]:
    """Validate Adam-style ``betas``: two numbers, each in [0, 1)."""
    if not isinstance(betas, (tuple, list)) or len(betas) != 2:
        raise ValueError(f"betas must be a pair (beta1, beta2), got {betas!r}")
    for i, b in enumerate(betas):
        check_hyper(f"betas[{i}]", b, label=f"beta parameter at index {i}", high=1.0,
                    high_open=True)
    return (float(betas[0]), float(betas[1]))


def _sq_sum(g: np.ndarray) -> float:
    flat = g.reshape(-1) if g.flags.c_contiguous else g.ravel()
    return float(np.dot(flat, flat))


def _check_param(p: Any, where: str) -> np.ndarray:
    if not isinstance(p, np.ndarray):
        raise TypeError(f"optimizer can only optimize NumPy arrays, but {where} is a "
                        f"{type(p).__name__}")
    if not np.issubdtype(p.dtype, np.floating):
        raise TypeError(f"{where} must have a floating dtype (float32 or float64), got {p.dtype}")
    if not p.flags.writeable:
        raise ValueError(f"{where} is read-only; the optimizer updates parameters in place")
    return p


class Optimizer:
    """Base class: holds ``param_groups`` and per-parameter ``state``; subclasses add a rule.

    Parameters
    ----------
    params : iterable of ndarray, or iterable of dict
        The arrays to optimize, or parameter groups: dicts with a ``"params"`` list and
        any hyper-parameters that differ from ``defaults`` (as in PyTorch).
    defaults : dict
        Hyper-parameters used by groups that do not set them.
    nonfinite : {"raise", "skip", "ignore"}, default="raise"
        What :meth:`step` does when a gradient holds NaN or inf (see the module docstring).

    Attributes
    ----------
    param_groups : list of dict
        ``"params"`` plus the hyper-parameters; change ``group["lr"]`` to change the lr.
    state : dict
        Per-parameter state, keyed by the parameter's position in the flattened order
        (``0, 1, ...``), which is also how :meth:`state_dict` stores it.
    step_count : int
        Steps taken (skipped steps included).
    skipped_steps : int
        Steps skipped because a gradient was not finite (``nonfinite="skip"``).
    """

    #: how many scratch arrays of the parameter's shape an update rule needs
    _n_scratch = 2

    def __init__(self, params: Iterable[Any], defaults: dict[str, Any], *,
                 nonfinite: str = "raise") -> None:
        if isinstance(params, np.ndarray):
            raise TypeError("params must be a list of arrays or of dicts, but got a single "
                            "ndarray; wrap it: [w]")
        if nonfinite not in NONFINITE_MODES:
            raise ValueError(f"nonfinite must be one of {NONFINITE_MODES}, got {nonfinite!r}")
        self.defaults = dict(defaults)
        self.nonfinite = nonfinite
        self.state: dict[int, dict[str, Any]] = {}
        self.param_groups: list[dict[str, Any]] = []
        self.step_count = 0
        self.skipped_steps = 0
        self._scratch: dict[int, dict[str, np.ndarray]] = {}
        groups = list(params)
        if not groups:
            raise ValueError("optimizer got an empty parameter list")
        if not isinstance(groups[0], dict):
            groups = [{"params": groups}]
        for group in groups:
            self.add_param_group(group)

    def __repr__(self) -> str:
        lines = [f"{type(self).__name__} ("]
        for i, group in enumerate(self.param_groups):
            lines.append(f"Parameter Group {i}")
            lines += [f"    {k}: {v}" for k, v in sorted(group.items()) if k != "params"]
        return "\n".join(lines) + "\n)"

    # ----------------------------------------------------------------- groups
    def add_param_group(self, param_group: dict[str, Any]) -> None:
        """Add a group (a dict with ``"params"``); missing hyper-parameters come from defaults."""
        if not isinstance(param_group, dict):
            raise TypeError(f"param_group must be a dict, but got {type(param_group).__name__}")
        params = param_group.get("params")
        if isinstance(params, np.ndarray):
            params = [params]
        if params is None:
            raise ValueError("param_group must have a 'params' entry")
        params = list(params)
        if not params:
            raise ValueError("a parameter group got an empty 'params' list")
        n = len(self.param_groups)
        for j, p in enumerate(params):
            _check_param(p, f"params[{j}] of group {n}")
        seen = {id(p) for g in self.param_groups for p in g["params"]}
        ids = [id(p) for p in params]
        if len(set(ids)) != len(ids) or seen.intersection(ids):
            raise ValueError("some parameters appear more than once (in one group or in "
                             "more than one parameter group)")
        group = {**self.defaults, **param_group, "params": params}
        self._check_group(group)
        self.param_groups.append(group)

    def _check_group(self, group: dict[str, Any]) -> None:
        """Hook for subclasses: validate one group's hyper-parameters."""

    def _params(self) -> list[np.ndarray]:
        return [p for g in self.param_groups for p in g["params"]]

    # ------------------------------------------------------------------- step
    def _check_grads(self, grads: Sequence[Any]) -> list[np.ndarray | None]:
        params = self._params()
        if isinstance(grads, np.ndarray) or not isinstance(grads, Sequence):
            raise TypeError("grads must be a list of arrays, one per parameter, in the order "
                            "of the parameters (wrap a single array: [g])")
        if len(grads) != len(params):
            raise ValueError(f"grads has {len(grads)} arrays but the optimizer holds "
                             f"{len(params)} parameters; pass one gradient per parameter")
        grads = list(grads)
        for i, (p, g) in enumerate(zip(params, grads, strict=True)):
            if g is None:
                continue
            if p.ndim == 0 and isinstance(g, (float, np.floating)):
                # arithmetic on a 0-d array returns a NumPy scalar: 2 * w is np.float64
                g = grads[i] = np.asarray(g, dtype=p.dtype)
            if not isinstance(g, np.ndarray) or not np.issubdtype(g.dtype, np.floating):
                kind = g.dtype if isinstance(g, np.ndarray) else type(g).__name__
                raise TypeError(f"grads[{i}] must be a float ndarray, got {kind}")
            if g.shape != p.shape:
                raise ValueError(f"grads[{i}] has shape {g.shape} but parameter {i} has shape "
                                 f"{p.shape}")
        return grads

    def _first_nonfinite(self, grads: list[np.ndarray | None]) -> int | None:
        with np.errstate(over="ignore", invalid="ignore"):
            for i, g in enumerate(grads):
                # One pass, no temporary: g·g is NaN or inf if any entry is (or if huge
                # finite values overflow; only then is the exact, allocating check run).
                if g is not None and not math.isfinite(_sq_sum(g)) and not np.isfinite(g).all():
                    return i
        return None

    def step(self, grads: Sequence[np.ndarray | None]) -> None:
        """Update every parameter in place from ``grads`` (one array per parameter, or None).

        Parameters
        ----------
        grads : list of ndarray or None
            Gradients in the order of the parameters; ``None`` skips that parameter, as a
            missing ``.grad`` does in PyTorch.

        Raises
        ------
        ValueError, TypeError
            If ``grads`` does not match the parameters in length, shape or dtype.
        FloatingPointError
            If a gradient is NaN or inf and ``nonfinite="raise"``; nothing is updated.
        """
        grads = self._check_grads(grads)
        if self.nonfinite != "ignore":
            bad = self._first_nonfinite(grads)
            if bad is not None:
                self.step_count += 1
                if self.nonfinite == "skip":
                    self.skipped_steps += 1
                    return
                raise FloatingPointError(
                    f"grads[{bad}] holds NaN or inf at step {self.step_count}; no parameter "
                    "was updated. Lower the learning rate or clip the gradients, or pass "
                    "nonfinite='skip' (skip such steps) or 'ignore' (propagate, as torch does).")
        self.step_count += 1
        k = 0
        for group in self.param_groups:
            for p in group["params"]:
                g = grads[k]
                if g is not None:
                    if k not in self.state:
                        self.state[k] = self._init_state(group, p)
                    self._update(group, p, g, self.state[k], self._buffers(k, p))
                k += 1

    def _buffers(self, k: int, p: np.ndarray) -> dict[str, np.ndarray]:
        """Scratch arrays for parameter ``k``: allocated on first use, reused afterwards."""
        bufs = self._scratch.get(k)
        if bufs is None or bufs["tmp"].shape != p.shape or bufs["tmp"].dtype != p.dtype:
            names = ("tmp", "tmp2", "tmp3")[: self._n_scratch]
            bufs = self._scratch[k] = {name: np.empty_like(p) for name in names}
        return bufs

    def _init_state(self, group: dict[str, Any], p: np.ndarray) -> dict[str, Any]:
        raise NotImplementedError

    def _update(self, group: dict[str, Any], p: np.ndarray, g: np.ndarray,
                state: dict[str, Any], bufs: dict[str, np.ndarray]) -> None:
        raise NotImplementedError

    # ------------------------------------------------------------- state_dict
    def state_dict(self) -> dict[str, Any]:
        """A deep copy of the state and of the groups' hyper-parameters.

        As in PyTorch, parameters are replaced by their positions: ``{"state": {0: {...}},
        "param_groups": [{"lr": ..., "params": [0, 1]}]}``.
        """
        groups, k = [], 0
        for g in self.param_groups:
            n = len(g["params"])
            packed = {key: copy.deepcopy(v) for key, v in g.items() if key != "params"}
            packed["params"] = list(range(k, k + n))
            groups.append(packed)
            k += n
        return {"state": copy.deepcopy(self.state), "param_groups": groups}

    def load_state_dict(self, state_dict: dict[str, Any]) -> None:
        """Restore what :meth:`state_dict` returned (deep-copied: the dict is not aliased)."""
        groups = state_dict["param_groups"]
        if len(groups) != len(self.param_groups):
            raise ValueError("loaded state dict has a different number of parameter groups")
        for i, (mine, theirs) in enumerate(zip(self.param_groups, groups, strict=True)):
            if len(mine["params"]) != len(theirs["params"]):
                raise ValueError(f"loaded state dict contains a parameter group {i} that "
                                 "doesn't match the size of optimizer's group")
        params = self._params()
        state = {}
        for key, st in state_dict["state"].items():
            k = int(key)
            if not 0 <= k < len(params):
                raise ValueError(f"loaded state refers to parameter {k}, which does not exist")
            st = copy.deepcopy(st)
            for name, v in st.items():
                if isinstance(v, np.ndarray) and v.shape not in ((), params[k].shape):
                    raise ValueError(f"state[{k}][{name!r}] has shape {v.shape}, parameter {k} "
                                     f"has shape {params[k].shape}")
            state[k] = st
        for mine, theirs in zip(self.param_groups, groups, strict=True):
            for key, v in theirs.items():
                if key != "params":
                    mine[key] = copy.deepcopy(v)
        self.state = state
