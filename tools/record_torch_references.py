"""Record PyTorch's optimizer, scheduler and clipping numbers as JSON fixtures for the tests.

    /work/main/.venv/bin/python tools/record_torch_references.py

Needs ``torch`` (not a project dependency: ``pip install torch==2.13.0``, CPU).  Writes
``tests/reference/torch_{optim,lr_scheduler,clip}.json``.  The tests replay the stored
gradients through ``course_lib.optim`` and compare, without importing torch.

Everything runs in float64 (``torch.set_default_dtype(torch.float64)``, so that torch's
scalar state such as NAdam's ``mu_product`` is float64 too) on one CPU thread.  Gradients
are a fixed seeded sequence (not a function of the parameters), so a replay sees exactly
the same gradients; floats are written with ``repr`` (exact round trip).
"""

from __future__ import annotations

import json
import math
import platform
from pathlib import Path

import numpy as np
import torch

OUT = Path(__file__).resolve().parents[1] / "tests" / "reference"
SHAPES = [(3,), (2, 3)]
N_STEPS = 12


def _grads(seed: int, sparse: bool = False) -> list[list[np.ndarray]]:
    rng = np.random.default_rng(seed)
    seq = []
    for _ in range(N_STEPS):
        gs = [rng.normal(0.0, 1.0, s) * rng.choice([0.1, 1.0, 3.0]) for s in SHAPES]
        if sparse:  # mostly-zero gradients, as sparse features give (AdaGrad's use case)
            gs = [g * (rng.random(g.shape) < 0.3) for g in gs]
        seq.append(gs)
    return seq


def _init(seed: int) -> list[np.ndarray]:
    rng = np.random.default_rng(1000 + seed)
    return [rng.normal(0.0, 1.0, s) for s in SHAPES]


# name, optimizer, kwargs, group overrides (None: one group), {step: [lr per group]}, sparse
OPTIM_CASES = [
    ("sgd_plain", "SGD", {"lr": 0.1}, None, {}, False),
    ("sgd_momentum", "SGD", {"lr": 0.05, "momentum": 0.9}, None, {}, False),
    ("sgd_dampening", "SGD", {"lr": 0.05, "momentum": 0.9, "dampening": 0.5}, None, {}, False),
    ("sgd_nesterov", "SGD", {"lr": 0.05, "momentum": 0.9, "nesterov": True}, None, {}, False),
    ("sgd_weight_decay", "SGD", {"lr": 0.05, "momentum": 0.8, "weight_decay": 0.1}, None, {},
     False),
    ("sgd_maximize", "SGD", {"lr": 0.05, "momentum": 0.9, "maximize": True,
                             "weight_decay": 0.01}, None, {}, False),
    ("sgd_lr_change", "SGD", {"lr": 0.1, "momentum": 0.9}, None, {5: [0.01], 9: [0.2]}, False),
    ("sgd_groups", "SGD", {"lr": 0.1, "momentum": 0.9},
     [{}, {"lr": 0.01, "momentum": 0.5, "nesterov": True}], {6: [0.05, 0.02]}, False),
    ("adam_default", "Adam", {}, None, {}, False),
    ("adam_lr", "Adam", {"lr": 0.05}, None, {}, False),
    ("adam_weight_decay", "Adam", {"lr": 0.05, "weight_decay": 0.1}, None, {}, False),
    ("adam_amsgrad", "Adam", {"lr": 0.05, "amsgrad": True}, None, {}, False),
    ("adam_betas_eps", "Adam", {"lr": 0.05, "betas": (0.5, 0.9), "eps": 1e-3}, None, {}, False),
    ("adam_maximize", "Adam", {"lr": 0.05, "maximize": True, "weight_decay": 0.05}, None, {},
     False),
    ("adam_decoupled", "Adam", {"lr": 0.05, "weight_decay": 0.1, "decoupled_weight_decay": True},
     None, {}, False),
    ("adam_lr_change", "Adam", {"lr": 0.05}, None, {4: [0.2], 8: [0.001]}, False),
    ("adam_groups", "Adam", {"lr": 0.05},
     [{"betas": (0.8, 0.99)}, {"lr": 0.01, "amsgrad": True, "weight_decay": 0.2}], {}, False),
    ("adamw_default", "AdamW", {}, None, {}, False),
    ("adamw_wd_lr_change", "AdamW", {"lr": 0.05, "weight_decay": 0.1}, None, {6: [0.01]}, False),
    ("adamw_amsgrad", "AdamW", {"lr": 0.05, "weight_decay": 0.3, "amsgrad": True}, None, {},
     False),
    ("adagrad_default", "Adagrad", {}, None, {}, False),
    ("adagrad_lr_decay", "Adagrad", {"lr": 0.1, "lr_decay": 0.1}, None, {}, False),
    ("adagrad_init_acc", "Adagrad", {"lr": 0.1, "initial_accumulator_value": 0.5,
                                     "eps": 1e-3}, None, {}, False),
    ("adagrad_weight_decay", "Adagrad", {"lr": 0.1, "weight_decay": 0.1, "maximize": True},
     None, {}, False),
    ("adagrad_sparse", "Adagrad", {"lr": 0.5}, None, {5: [0.1]}, True),
    ("rmsprop_default", "RMSprop", {}, None, {}, False),
    ("rmsprop_momentum", "RMSprop", {"lr": 0.01, "momentum": 0.9}, None, {}, False),
    ("rmsprop_centered", "RMSprop", {"lr": 0.01, "centered": True, "alpha": 0.9}, None, {},
     False),
    ("rmsprop_centered_momentum", "RMSprop", {"lr": 0.01, "centered": True, "momentum": 0.5,
                                              "weight_decay": 0.1}, None, {}, False),
    ("rmsprop_maximize_lr_change", "RMSprop", {"lr": 0.02, "maximize": True, "eps": 1e-4},
     None, {3: [0.05]}, False),
    ("nadam_default", "NAdam", {}, None, {}, False),
    ("nadam_weight_decay", "NAdam", {"lr": 0.05, "weight_decay": 0.1}, None, {}, False),
    ("nadam_decoupled", "NAdam", {"lr": 0.05, "weight_decay": 0.1,
                                  "decoupled_weight_decay": True}, None, {}, False),
    ("nadam_momentum_decay", "NAdam", {"lr": 0.05, "momentum_decay": 0.05, "betas": (0.8, 0.99),
                                       "maximize": True}, None, {7: [0.01]}, False),
    ("adadelta_default", "Adadelta", {}, None, {}, False),
    ("adadelta_rho", "Adadelta", {"lr": 0.5, "rho": 0.5, "eps": 1e-3}, None, {}, False),
    ("adadelta_weight_decay", "Adadelta", {"weight_decay": 0.1, "maximize": True}, None,
     {4: [2.0]}, False),
]


def _listify(x: np.ndarray) -> list:
    return x.tolist()


def record_optim() -> list[dict]:
    cases = []
    for seed, (name, opt_name, kwargs, groups, lr_changes, sparse) in enumerate(OPTIM_CASES):
        init, grads = _init(seed), _grads(seed, sparse)
        params = [torch.tensor(p, dtype=torch.float64, requires_grad=True) for p in init]
        cls = getattr(torch.optim, opt_name)
        if groups is None:
            opt = cls(params, **kwargs)
        else:
            opt = cls([{"params": [p], **g} for p, g in zip(params, groups, strict=True)],
                      **kwargs)
        trajectory = []
        for t in range(N_STEPS):
            if t in lr_changes:
                for group, lr in zip(opt.param_groups, lr_changes[t], strict=True):
                    group["lr"] = lr
            for p, g in zip(params, grads[t], strict=True):
                p.grad = torch.tensor(g, dtype=torch.float64)
            opt.step()
            trajectory.append([_listify(p.detach().numpy()) for p in params])
        cases.append({
            "name": name, "optimizer": opt_name,
            "kwargs": {k: list(v) if isinstance(v, tuple) else v for k, v in kwargs.items()},
            "groups": None if groups is None else [
                {k: list(v) if isinstance(v, tuple) else v for k, v in g.items()}
                for g in groups],
            "lr_changes": {str(k): v for k, v in lr_changes.items()},
            "init": [_listify(p) for p in init],
            "grads": [[_listify(g) for g in gs] for gs in grads],
            "trajectory": trajectory,
        })
    return cases


# ------------------------------------------------------------------------------ schedulers
# A scheduler spec: ["Name", {kwargs}]; LambdaLR's lambdas are named in LAMBDAS (the tests
# define the same ones); SequentialLR / chains hold nested specs.
LAMBDAS = {
    "pow_0.9": lambda e: 0.9**e,
    "warmup_3": lambda e: (e + 1) / 3 if e < 3 else 1.0,
}

SCHED_CASES = [
    ("step", "SGD", [["StepLR", {"step_size": 3, "gamma": 0.5}]], 12, {}),
    ("multistep", "SGD", [["MultiStepLR", {"milestones": [2, 5, 5, 9], "gamma": 0.3}]], 12, {}),
    ("exponential", "SGD", [["ExponentialLR", {"gamma": 0.8}]], 12, {}),
    ("exponential_hand_change", "SGD", [["ExponentialLR", {"gamma": 0.8}]], 10, {4: [0.5, 0.3]}),
    ("cosine", "SGD", [["CosineAnnealingLR", {"T_max": 5, "eta_min": 0.001}]], 16, {}),
    ("cosine_no_min", "SGD", [["CosineAnnealingLR", {"T_max": 4}]], 12, {}),
    ("cosine_hand_change", "SGD", [["CosineAnnealingLR", {"T_max": 6, "eta_min": 0.01}]], 14,
     {3: [0.2, 0.02]}),
    ("linear_warmup", "SGD", [["LinearLR", {"start_factor": 0.25, "total_iters": 4}]], 8, {}),
    ("linear_decay", "SGD", [["LinearLR", {"start_factor": 1.0, "end_factor": 0.1,
                                           "total_iters": 5}]], 8, {}),
    ("lambda_pow", "SGD", [["LambdaLR", {"lr_lambda": "pow_0.9"}]], 8, {}),
    ("onecycle_cos", "SGD", [["OneCycleLR", {"max_lr": 1.0, "total_steps": 20}]], 19, {}),
    ("onecycle_linear", "SGD", [["OneCycleLR", {"max_lr": [1.0, 0.5], "total_steps": 16,
                                                "anneal_strategy": "linear",
                                                "pct_start": 0.25}]], 15, {}),
    ("onecycle_three_phase", "SGD", [["OneCycleLR", {"max_lr": 0.8, "epochs": 4,
                                                     "steps_per_epoch": 5,
                                                     "three_phase": True, "div_factor": 10.0,
                                                     "final_div_factor": 100.0}]], 19, {}),
    ("onecycle_adam_betas", "Adam", [["OneCycleLR", {"max_lr": 0.01, "total_steps": 12,
                                                     "base_momentum": 0.8,
                                                     "max_momentum": 0.9}]], 11, {}),
    ("onecycle_no_momentum", "Adam", [["OneCycleLR", {"max_lr": 0.01, "total_steps": 10,
                                                      "cycle_momentum": False}]], 9, {}),
    ("sequential_warmup_cosine", "SGD",
     [["SequentialLR", {"schedulers": [["LinearLR", {"start_factor": 0.1, "total_iters": 3}],
                                       ["CosineAnnealingLR", {"T_max": 6}]],
                        "milestones": [3]}]], 12, {}),
    ("sequential_three", "SGD",
     [["SequentialLR", {"schedulers": [["LambdaLR", {"lr_lambda": "warmup_3"}],
                                       ["ExponentialLR", {"gamma": 0.9}],
                                       ["StepLR", {"step_size": 2, "gamma": 0.5}]],
                        "milestones": [3, 7]}]], 12, {}),
    ("chained_step_exponential", "SGD", [["StepLR", {"step_size": 3, "gamma": 0.5}],
                                         ["ExponentialLR", {"gamma": 0.9}]], 10, {}),
    ("chained_cosine_multistep", "SGD", [["CosineAnnealingLR", {"T_max": 5}],
                                         ["MultiStepLR", {"milestones": [3, 6], "gamma": 0.5}]],
     10, {}),
]


def _build_sched(spec, opt, lib):
    name, kw = spec
    kw = dict(kw)
    if name == "LambdaLR":
        kw["lr_lambda"] = LAMBDAS[kw["lr_lambda"]]
    if name == "SequentialLR":
        kw["schedulers"] = [_build_sched(s, opt, lib) for s in kw["schedulers"]]
    return getattr(lib, name)(opt, **kw)


def _momenta(opt) -> list[float]:
    return [g["betas"][0] if "betas" in g else g["momentum"] for g in opt.param_groups]


def record_schedulers() -> list[dict]:
    cases = []
    for name, opt_name, specs, n_steps, hand in SCHED_CASES:
        params = [torch.zeros(2, requires_grad=True), torch.zeros(3, requires_grad=True)]
        groups = [{"params": [params[0]], "lr": 0.1}, {"params": [params[1]], "lr": 0.05}]
        extra = {"momentum": 0.9} if opt_name == "SGD" else {}
        opt = getattr(torch.optim, opt_name)(groups, **extra)
        scheds = [_build_sched(s, opt, torch.optim.lr_scheduler) for s in specs]
        lrs, momenta = [[g["lr"] for g in opt.param_groups]], [_momenta(opt)]
        last = [scheds[-1].get_last_lr()]
        for t in range(n_steps):
            opt.step()                        # no grads: parameters stay, order is right
            if t in hand:
                for g, lr in zip(opt.param_groups, hand[t], strict=True):
                    g["lr"] = lr
            for s in scheds:
                s.step()
            lrs.append([g["lr"] for g in opt.param_groups])
            momenta.append(_momenta(opt))
            last.append(scheds[-1].get_last_lr())
        cases.append({"name": name, "optimizer": opt_name, "optimizer_kwargs": extra,
                      "group_lrs": [0.1, 0.05], "schedulers": specs,
                      "hand_changes": {str(k): v for k, v in hand.items()},
                      "lrs": lrs, "last_lr": last, "momenta": momenta})
    return cases


# ------------------------------------------------------------------------------- clipping
def record_clip() -> list[dict]:
    rng = np.random.default_rng(7)
    base = [rng.normal(0, 1, (3,)), rng.normal(0, 2, (2, 3)), rng.normal(0, 0.5, (4,))]
    cases = []
    for max_norm in (0.5, 2.0, 100.0):
        for norm_type in (2.0, 1.0, 3.0, 0.5, math.inf):
            ts = [torch.tensor(g, requires_grad=True) for g in base]
            for t, g in zip(ts, base, strict=True):
                t.grad = torch.tensor(g)
            total = torch.nn.utils.clip_grad_norm_(ts, max_norm, norm_type=norm_type)
            cases.append({"kind": "norm", "max_norm": max_norm,
                          "norm_type": "inf" if math.isinf(norm_type) else norm_type,
                          "grads": [_listify(g) for g in base], "total_norm": float(total),
                          "clipped": [_listify(t.grad.numpy()) for t in ts]})
    for clip_value in (0.3, 1.5):
        ts = [torch.tensor(g, requires_grad=True) for g in base]
        for t, g in zip(ts, base, strict=True):
            t.grad = torch.tensor(g)
        torch.nn.utils.clip_grad_value_(ts, clip_value)
        cases.append({"kind": "value", "clip_value": clip_value,
                      "grads": [_listify(g) for g in base],
                      "clipped": [_listify(t.grad.numpy()) for t in ts]})
    return cases


def main() -> None:
    torch.set_default_dtype(torch.float64)
    torch.set_num_threads(1)
    meta = {"torch": torch.__version__, "numpy": np.__version__,
            "python": platform.python_version(), "script": "tools/record_torch_references.py"}
    OUT.mkdir(parents=True, exist_ok=True)
    for stem, data in (("optim", record_optim()), ("lr_scheduler", record_schedulers()),
                       ("clip", record_clip())):
        path = OUT / f"torch_{stem}.json"
        path.write_text(json.dumps({"meta": meta, "cases": data}, indent=None) + "\n")
        print(f"wrote {path.relative_to(OUT.parents[1])}: {len(data)} cases, "
              f"{path.stat().st_size / 1024:.0f} KiB")


if __name__ == "__main__":
    main()
