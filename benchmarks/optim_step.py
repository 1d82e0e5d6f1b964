"""Time one optimizer step on 2,000,000 float64 parameters: course_lib, torch.optim, naive NumPy.

    OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 MKL_NUM_THREADS=1 \\
        /work/main/.venv/bin/python benchmarks/optim_step.py --repeats 20 --out /tmp/table.md

(benchmarks/results/optim_step.md holds the latest tables, with torch's allocator both
default and tuned, and what they mean.)

* course_lib: ``opt.step([g])`` with the default ``nonfinite="raise"`` check, and with
  ``nonfinite="ignore"`` (no check, what torch does).
* torch (only if importable): ``torch.optim`` on one float64 CPU tensor,
  ``torch.set_num_threads(1)``, ``foreach=False`` (the single-tensor path) and the default.
* naive: the textbook NumPy expression (``m = b1*m + (1-b1)*g`` ...), allocating temporaries.

Each repetition runs every implementation once, in turn (so a noisy neighbour on the shared
cores hits them all alike).  Two tables, in milliseconds: the best step (interference only
ever adds time, so this is the fairest comparison on a shared machine) and the median.
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import time
from collections.abc import Callable

for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")      # one thread everywhere, as torch gets

import numpy as np  # noqa: E402

from course_lib import optim  # noqa: E402

try:
    import torch
except ImportError:                       # torch is not a project dependency
    torch = None

# name, course_lib class, kwargs, torch class name (None: no torch version)
CASES = [
    ("SGD", "SGD", {"lr": 0.01}, "SGD"),
    ("SGD momentum", "SGD", {"lr": 0.01, "momentum": 0.9}, "SGD"),
    ("SGD nesterov+wd", "SGD", {"lr": 0.01, "momentum": 0.9, "nesterov": True,
                                "weight_decay": 1e-4}, "SGD"),
    ("Adagrad", "Adagrad", {"lr": 0.01}, "Adagrad"),
    ("RMSprop", "RMSprop", {"lr": 0.01}, "RMSprop"),
    ("RMSprop centered+mom", "RMSprop", {"lr": 0.01, "centered": True, "momentum": 0.9},
     "RMSprop"),
    ("Adam", "Adam", {"lr": 1e-3}, "Adam"),
    ("Adam amsgrad", "Adam", {"lr": 1e-3, "amsgrad": True}, "Adam"),
    ("AdamW", "AdamW", {"lr": 1e-3}, "AdamW"),
    ("NAdam", "NAdam", {"lr": 2e-3}, "NAdam"),
    ("Adadelta", "Adadelta", {}, "Adadelta"),
    ("LAMB", "LAMB", {"lr": 1e-3, "weight_decay": 0.01}, None),
]


def naive_step(name: str, kw: dict, w: np.ndarray) -> Callable[[np.ndarray], None]:
    """The allocating textbook version of each rule (state in a closure)."""
    s: dict = {"t": 0, "m": np.zeros_like(w), "v": np.zeros_like(w), "b": None,
               "u": np.zeros_like(w), "ga": np.zeros_like(w), "vmax": np.zeros_like(w),
               "prod": 1.0}
    lr = kw.get("lr", 1.0)

    def step(g: np.ndarray) -> None:
        s["t"] += 1
        t = s["t"]
        if name.startswith("SGD"):
            g = g + kw.get("weight_decay", 0.0) * w
            if "momentum" in kw:
                s["b"] = g.copy() if s["b"] is None else kw["momentum"] * s["b"] + g
                g = g + kw["momentum"] * s["b"] if kw.get("nesterov") else s["b"]
            w[:] = w - lr * g
        elif name == "Adagrad":
            s["v"] = s["v"] + g * g
            w[:] = w - lr * g / (np.sqrt(s["v"]) + 1e-10)
        elif name.startswith("RMSprop"):
            s["v"] = 0.99 * s["v"] + 0.01 * g * g
            avg = s["v"]
            if kw.get("centered"):
                s["ga"] = 0.99 * s["ga"] + 0.01 * g
                avg = avg - s["ga"] ** 2
            step_dir = g / (np.sqrt(avg) + 1e-8)
            if kw.get("momentum"):
                s["u"] = kw["momentum"] * s["u"] + step_dir
                step_dir = s["u"]
            w[:] = w - lr * step_dir
        elif name in ("Adam", "Adam amsgrad", "AdamW", "LAMB"):
            if name == "AdamW":
                w[:] = w * (1 - lr * 0.01)
            s["m"] = 0.9 * s["m"] + 0.1 * g
            s["v"] = 0.999 * s["v"] + 0.001 * g * g
            v = s["v"]
            if name == "Adam amsgrad":
                s["vmax"] = np.maximum(s["vmax"], v)
                v = s["vmax"]
            r = (s["m"] / (1 - 0.9**t)) / (np.sqrt(v / (1 - 0.999**t)) + 1e-8)
            if name == "LAMB":
                r = r + kw["weight_decay"] * w
                r = r * (np.linalg.norm(w) / np.linalg.norm(r))
            w[:] = w - lr * r
        elif name == "NAdam":
            mu = 0.9 * (1 - 0.5 * 0.96 ** (t * 0.004))
            mu_next = 0.9 * (1 - 0.5 * 0.96 ** ((t + 1) * 0.004))
            s["prod"] *= mu
            s["m"] = 0.9 * s["m"] + 0.1 * g
            s["v"] = 0.999 * s["v"] + 0.001 * g * g
            d = np.sqrt(s["v"] / (1 - 0.999**t)) + 1e-8
            w[:] = (w - lr * (1 - mu) / (1 - s["prod"]) * g / d
                    - lr * mu_next / (1 - s["prod"] * mu_next) * s["m"] / d)
        elif name == "Adadelta":
            s["v"] = 0.9 * s["v"] + 0.1 * g * g
            delta = np.sqrt(s["u"] + 1e-6) / np.sqrt(s["v"] + 1e-6) * g
            s["u"] = 0.9 * s["u"] + 0.1 * delta * delta
            w[:] = w - lr * delta
    return step


def _timer(fn: Callable[[], None]) -> float:
    t0 = time.perf_counter()
    fn()
    return (time.perf_counter() - t0) * 1e3


def bench_case(case: tuple, n: int, repeats: int,
               warmup: int) -> tuple[dict[str, float], dict[str, float]]:
    """Best and median step time (ms) of every implementation of one case."""
    name, cls_name, kw, torch_name = case
    rng = np.random.default_rng(0)
    g = rng.normal(size=n) * 1e-3
    runners: dict[str, Callable[[], None]] = {}
    w1 = rng.normal(size=n)
    opt1 = getattr(optim, cls_name)([w1], **kw)
    runners["course_lib"] = lambda: opt1.step([g])
    w2 = w1.copy()
    opt2 = getattr(optim, cls_name)([w2], nonfinite="ignore", **kw)
    runners["course_lib_nocheck"] = lambda: opt2.step([g])
    w3 = w1.copy()
    naive = naive_step(name, kw, w3)
    runners["naive"] = lambda: naive(g)
    if torch is not None and torch_name is not None:
        tg = torch.from_numpy(g.copy())
        for label, extra in (("torch_single", {"foreach": False}), ("torch_default", {})):
            p = torch.from_numpy(w1.copy())
            p.grad = tg
            topt = getattr(torch.optim, torch_name)([p], **kw, **extra)
            runners[label] = topt.step
    times: dict[str, list[float]] = {k: [] for k in runners}
    for i in range(warmup + repeats):
        for label, fn in runners.items():
            ms = _timer(fn)
            if i >= warmup:
                times[label].append(ms)
    return ({k: min(v) for k, v in times.items()},
            {k: statistics.median(v) for k, v in times.items()})


def _fmt(x: float | None) -> str:
    return "–" if x is None else f"{x:.2f}"


def _ratio(r: dict[str, float], key: str) -> str:
    t = r.get("torch_single")
    return "–" if t is None else f"{r[key] / t:.2f}"


def table(results: dict[str, dict[str, float]]) -> str:
    """Markdown table; ratios are against torch's single-tensor path (foreach=False)."""
    head = ("| optimizer | course_lib | course_lib, no NaN check | torch foreach=False"
            " | torch default | naive NumPy | course_lib / torch | no check / torch"
            " | naive / torch |")
    lines = [head, "|" + "---|" * 9]
    for name, r in results.items():
        lines.append(f"| {name} | {_fmt(r['course_lib'])} | {_fmt(r['course_lib_nocheck'])} | "
                     f"{_fmt(r.get('torch_single'))} | {_fmt(r.get('torch_default'))} | "
                     f"{_fmt(r['naive'])} | {_ratio(r, 'course_lib')} | "
                     f"{_ratio(r, 'course_lib_nocheck')} | {_ratio(r, 'naive')} |")
    return "\n".join(lines)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=2_000_000, help="number of float64 parameters")
    ap.add_argument("--repeats", type=int, default=15)
    ap.add_argument("--warmup", type=int, default=3)
    ap.add_argument("--only", nargs="*", help="optimizer names to run (default: all)")
    ap.add_argument("--out", help="also write the table (markdown) to this file")
    args = ap.parse_args()
    if torch is not None:
        torch.set_num_threads(1)
    cases = [c for c in CASES if not args.only or c[0] in args.only]
    best, median = {}, {}
    for case in cases:
        best[case[0]], median[case[0]] = bench_case(case, args.n, args.repeats, args.warmup)
        print(f"{case[0]}: " + ", ".join(f"{k} {v:.2f} ms" for k, v in best[case[0]].items()),
              flush=True)
    env = (f"n = {args.n:,} float64 parameters, {args.repeats} steps after "
           f"{args.warmup} warm-up steps; Python {platform.python_version()}, "
           f"NumPy {np.__version__}, torch {torch.__version__ if torch else 'not installed'}, "
           f"{platform.processor() or platform.machine()}, {os.cpu_count()} logical CPUs, "
           "one thread")
    text = (f"Best of {args.repeats} (the least disturbed step):\n\n{table(best)}\n\n"
            f"Median of {args.repeats}:\n\n{table(median)}\n\n{env}\n")
    print("\n" + text)
    if args.out:
        with open(args.out, "w", encoding="utf-8") as fh:
            fh.write(text)


if __name__ == "__main__":
    main()
