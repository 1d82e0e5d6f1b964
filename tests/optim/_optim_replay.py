"""Replay the recorded PyTorch fixtures (tests/reference/torch_*.json) through course_lib.optim."""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np

from course_lib import optim
from course_lib.optim import lr_scheduler

REFERENCE = Path(__file__).resolve().parents[1] / "reference"

# The same named lambdas as tools/record_torch_references.py
LAMBDAS = {
    "pow_0.9": lambda e: 0.9**e,
    "warmup_3": lambda e: (e + 1) / 3 if e < 3 else 1.0,
}


def load(stem: str) -> list[dict]:
    return json.loads((REFERENCE / f"torch_{stem}.json").read_text())["cases"]


def _tuples(d: dict) -> dict:
    return {k: tuple(v) if k == "betas" else v for k, v in d.items()}


def replay_optim(case: dict) -> list[list[np.ndarray]]:
    """Run the case's optimizer on its stored gradients; return the parameters after each step."""
    params = [np.array(p, dtype=np.float64) for p in case["init"]]
    cls = getattr(optim, case["optimizer"])
    kwargs = _tuples(case["kwargs"])
    if case["groups"] is None:
        opt = cls(params, **kwargs)
    else:
        opt = cls([{"params": [p], **_tuples(g)} for p, g in zip(params, case["groups"],
                                                                strict=True)], **kwargs)
    out = []
    for t, grads in enumerate(case["grads"]):
        for group, lr in zip(opt.param_groups, case["lr_changes"].get(str(t), []), strict=False):
            group["lr"] = lr
        opt.step([np.array(g, dtype=np.float64) for g in grads])
        out.append([p.copy() for p in params])
    return out


def build_scheduler(spec: list, opt: optim.Optimizer) -> lr_scheduler.LRScheduler:
    name, kw = spec
    kw = dict(kw)
    if name == "LambdaLR":
        kw["lr_lambda"] = LAMBDAS[kw["lr_lambda"]]
    if name == "SequentialLR":
        kw["schedulers"] = [build_scheduler(s, opt) for s in kw["schedulers"]]
    if name == "OneCycleLR" and kw.get("max_lr") == "inf":
        kw["max_lr"] = math.inf
    return getattr(lr_scheduler, name)(opt, **kw)


def momenta(opt: optim.Optimizer) -> list[float]:
    return [g["betas"][0] if "betas" in g else g["momentum"] for g in opt.param_groups]


def replay_schedulers(case: dict) -> tuple[list, list, list]:
    """Step the case's schedulers as the recording did; return lrs, last_lrs and momenta."""
    params = [np.zeros(2), np.zeros(3)]
    groups = [{"params": [p], "lr": lr} for p, lr in zip(params, case["group_lrs"], strict=True)]
    opt = getattr(optim, case["optimizer"])(groups, **case["optimizer_kwargs"])
    scheds = [build_scheduler(s, opt) for s in case["schedulers"]]
    lrs, last, moms = [[g["lr"] for g in opt.param_groups]], [scheds[-1].get_last_lr()], \
        [momenta(opt)]
    n = len(case["lrs"]) - 1
    for t in range(n):
        opt.step([np.zeros(2), np.zeros(3)])
        for g, lr in zip(opt.param_groups, case["hand_changes"].get(str(t), []), strict=False):
            g["lr"] = lr
        for s in scheds:
            s.step()
        lrs.append([g["lr"] for g in opt.param_groups])
        last.append(list(scheds[-1].get_last_lr()))
        moms.append(momenta(opt))
    return lrs, last, moms
