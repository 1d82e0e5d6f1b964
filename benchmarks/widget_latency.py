"""Measure how fast each playground answers a slider move, inside a real Jupyter kernel.

A front end moves a slider by sending a comm message; the kernel sets the control's
``value``, which calls the playground's observer synchronously: recompute, redraw, encode
the PNG, send it back.  Setting ``.value`` in the kernel therefore runs exactly the code a
real move runs, and the time around it is the kernel's share of the answer.  This script
starts a kernel (the default inline matplotlib backend, as in a lesson), builds every
playground, drives each of its sliders through a sweep of values, times every move with
``time.perf_counter`` and prints median and 90th percentile per playground and per control.

Usage::

    python benchmarks/widget_latency.py            # print the table
    python benchmarks/widget_latency.py --write    # ... and record it in results/
    python benchmarks/widget_latency.py --baseline DIR --write
        # ... and the same sweeps of the course_lib in DIR (an older checkout, say
        # `git worktree add /tmp/base main`), measured in the same run, with the ratios

The baseline runs in its own kernel right before the current code, so both see the same load;
``--rounds N`` alternates them N times and keeps, per playground, the round with the lowest
median (a shared machine's load comes and goes; the best round is the least disturbed one).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import time
from pathlib import Path

from jupyter_client.manager import start_new_kernel

HERE = Path(__file__).resolve().parent
RESULT = HERE / "results" / "widget_latency.md"
TARGET_MEDIAN_MS, TARGET_P90_MS = 60.0, 150.0

# Runs inside the kernel: builds each playground and sweeps its controls.
KERNEL_CODE = r"""
import json, time, warnings
import numpy as np
import ipywidgets
import matplotlib, matplotlib.pyplot as plt
from course_lib import set_language, widgets as W
set_language("ko")
warnings.simplefilter("error")      # a warning during a move is a bug: fail loudly

def sweep(control, n):
    if isinstance(control, ipywidgets.FloatLogSlider):
        lo, hi = control.base ** control.min, control.base ** control.max
        up = list(np.geomspace(lo, hi, n))
    elif isinstance(control, (ipywidgets.FloatSlider, ipywidgets.IntSlider)):
        up = list(np.linspace(control.min, control.max, n))
        if isinstance(control, ipywidgets.IntSlider):
            up = [int(round(v)) for v in up]
    elif isinstance(control, (ipywidgets.SelectionSlider, ipywidgets.Dropdown)):
        up = [v for _, v in control.options] if isinstance(control.options[0], tuple) \
            else list(control.options)
    else:
        return []
    return up + up[::-1]

rows, figs_before, pixels = [], plt.get_fignums(), {}
import io
from PIL import Image
for name in NAMES:
    if not hasattr(W, name):
        continue
    t0 = time.perf_counter(); pg = getattr(W, name)(); build = time.perf_counter() - t0
    pixels[name] = Image.open(io.BytesIO(pg.png)).size
    for cname, control in pg.controls.items():
        if isinstance(control, ipywidgets.Checkbox):
            continue
        start, times = control.value, []
        for v in sweep(control, N):
            if v == control.value:
                continue
            t = time.perf_counter(); control.value = v; times.append(time.perf_counter() - t)
        control.value = start
        kind = "switch" if isinstance(control, ipywidgets.Dropdown) else "slider"
        rows.append({"playground": name, "control": cname, "kind": kind,
                     "build_s": build, "ms": [1e3 * x for x in times]})
print("RESULT" + json.dumps({"rows": rows, "backend": matplotlib.get_backend(), "pixels": pixels,
                             "new_figures": len(plt.get_fignums()) - len(figs_before)}))
"""

PLAYGROUNDS = (
    "lr_1d_playground",
    "linear_regression_playground",
    "batch_size_playground",
    "schedule_explorer",
    "momentum_playground",
    "optimizer_race",
)


def run_in_kernel(names: tuple[str, ...], n: int, course_lib_dir: Path | None = None) -> dict:
    """Start a kernel, run the sweeps, return the decoded result.

    ``course_lib_dir``: import course_lib from that folder instead (the baseline).
    """
    env = dict(os.environ)
    if course_lib_dir is not None:
        env["PYTHONPATH"] = os.pathsep.join([str(course_lib_dir), env.get("PYTHONPATH", "")])
    km, kc = start_new_kernel(kernel_name="python3", env=env)
    out: list[str] = []

    def hook(msg):
        if msg["msg_type"] == "stream":
            out.append(msg["content"]["text"])
        elif msg["msg_type"] == "error":
            out.append("\n".join(msg["content"]["traceback"]))

    try:
        code = f"NAMES = {list(names)!r}\nN = {n}\n" + KERNEL_CODE
        reply = kc.execute_interactive(code, output_hook=hook, timeout=600)
    finally:
        kc.stop_channels()
        km.shutdown_kernel(now=True)
    text = "".join(out)
    if reply["content"]["status"] != "ok" or "RESULT" not in text:
        raise RuntimeError(f"the kernel failed:\n{text}")
    return json.loads(text.split("RESULT", 1)[1])


def percentile(values: list[float], q: float) -> float:
    s = sorted(values)
    k = (len(s) - 1) * q / 100
    lo = int(k)
    hi = min(lo + 1, len(s) - 1)
    return s[lo] + (s[hi] - s[lo]) * (k - lo)


def table(result: dict) -> str:
    """Markdown table: one line per playground (its sliders together) and per control."""
    lines = ["| playground | control | moves | median ms | p90 ms | max ms | build s |",
             "|---|---|---:|---:|---:|---:|---:|"]
    by_pg: dict[str, list[dict]] = {}
    for row in result["rows"]:
        by_pg.setdefault(row["playground"], []).append(row)
    for pg, rows in by_pg.items():
        sliders = [ms for r in rows if r["kind"] == "slider" for ms in r["ms"]]
        lines.append(_line(f"**{pg}**", "all sliders", sliders, rows[0]["build_s"]))
        for r in rows:
            label = r["control"] + (" (switch)" if r["kind"] == "switch" else "")
            lines.append(_line("", label, r["ms"], None))
    return "\n".join(lines)


def _line(pg: str, control: str, ms: list[float], build: float | None) -> str:
    if not ms:
        return f"| {pg} | {control} | 0 | | | | |"
    b = "" if build is None else f"{build:.2f}"
    return (f"| {pg} | {control} | {len(ms)} | {percentile(ms, 50):.1f} | "
            f"{percentile(ms, 90):.1f} | {max(ms):.1f} | {b} |")


def best_of(results: list[dict]) -> dict:
    """Per playground, the rows of the round whose slider moves have the lowest median."""
    best: dict[str, list[dict]] = {}
    for result in results:
        for pg, ms in _slider_ms(result).items():
            rows = [r for r in result["rows"] if r["playground"] == pg]
            if pg not in best or percentile(ms, 50) < percentile(
                    [m for r in best[pg] if r["kind"] == "slider" for m in r["ms"]], 50):
                best[pg] = rows
    return {**results[0], "rows": [r for rows in best.values() for r in rows],
            "new_figures": max(r["new_figures"] for r in results)}


def _slider_ms(result: dict) -> dict[str, list[float]]:
    by_pg: dict[str, list[float]] = {}
    for r in result["rows"]:
        if r["kind"] == "slider":
            by_pg.setdefault(r["playground"], []).extend(r["ms"])
    return by_pg


def comparison(base: dict, now: dict) -> str:
    """Per playground: picture size, median and p90 of the slider moves, before and now."""
    lines = ["| playground | picture px before → now | median ms before → now (×) "
             "| p90 ms before → now (×) |", "|---|---|---|---|"]
    old, new = _slider_ms(base), _slider_ms(now)
    for pg, ms in new.items():
        if pg not in old:
            continue
        m0, m1 = percentile(old[pg], 50), percentile(ms, 50)
        q0, q1 = percentile(old[pg], 90), percentile(ms, 90)
        size0 = "×".join(map(str, base.get("pixels", {}).get(pg, ("?",))))
        size1 = "×".join(map(str, now.get("pixels", {}).get(pg, ("?",))))
        lines.append(f"| {pg} | {size0} → {size1} | {m0:.1f} → {m1:.1f} ({m1 / m0:.2f}) | "
                     f"{q0:.1f} → {q1:.1f} ({q1 / q0:.2f}) |")
    return "\n".join(lines)


def verdict(result: dict) -> list[str]:
    """Playgrounds whose slider moves miss the targets."""
    misses = []
    for pg, ms in _slider_ms(result).items():
        med, p90 = percentile(ms, 50), percentile(ms, 90)
        if med > TARGET_MEDIAN_MS or p90 > TARGET_P90_MS:
            misses.append(f"{pg}: median {med:.1f} ms, p90 {p90:.1f} ms")
    return misses


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--write", action="store_true", help=f"record the table in {RESULT}")
    parser.add_argument("--moves", type=int, default=30,
                        help="values per sweep direction and control (default 30)")
    parser.add_argument("--baseline", type=Path, default=None,
                        help="a checkout whose course_lib is measured too, as the peer")
    parser.add_argument("--rounds", type=int, default=1,
                        help="alternate baseline and current this many times; keep the best")
    args = parser.parse_args(argv)
    t0 = time.perf_counter()
    bases, results = [], []
    for _ in range(args.rounds):
        if args.baseline:
            bases.append(run_in_kernel(PLAYGROUNDS, args.moves, args.baseline))
        results.append(run_in_kernel(PLAYGROUNDS, args.moves))
    base = best_of(bases) if bases else None
    result = best_of(results)
    elapsed = time.perf_counter() - t0
    body = table(result)
    if base is not None:
        body = ("## Now\n\n" + body + "\n\n## Baseline (the same sweeps, same run)\n\n"
                + table(base) + "\n\n## Baseline → now, slider moves\n\n"
                + comparison(base, result))
    misses = verdict(result)
    summary = (f"backend in the kernel: `{result['backend']}`; pyplot figures created by all "
               f"the moves: {result['new_figures']}; targets: median <= {TARGET_MEDIAN_MS:g} ms, "
               f"p90 <= {TARGET_P90_MS:g} ms per slider move; "
               + ("all met." if not misses else "MISSED: " + "; ".join(misses)))
    print(body)
    print()
    print(summary)
    if args.write:
        load = os.getloadavg() if hasattr(os, "getloadavg") else ("?",) * 3
        RESULT.parent.mkdir(parents=True, exist_ok=True)
        RESULT.write_text(
            "# Widget latency: one slider move, computed and redrawn inside a kernel\n\n"
            "Command: `python benchmarks/widget_latency.py --write"
            + (" --baseline <checkout of the baseline>" if base is not None else "")
            + (f" --rounds {args.rounds}" if args.rounds > 1 else "") + "` "
            f"(moves per sweep direction: {args.moves}; best of {args.rounds} round(s) "
            "per playground)\n\n"
            f"Measured {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())} on "
            f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}, "
            f"load average at the end {load[0]:.2f} (other jobs share the machine), "
            f"run took {elapsed:.0f} s.\n\n"
            "Each value is the time from setting a control's `value` in the kernel (what a "
            "front end's comm message does) to the new PNG being handed to the Image widget: "
            "computation, blitted redraw and PNG encoding. `(switch)` rows are drop-down "
            "changes, which redraw the whole figure; they are not slider moves and are listed "
            "for information.\n\n" + body + "\n\n" + summary + "\n",
            encoding="utf-8",
        )
        print(f"wrote {RESULT}")
    return 1 if misses else 0


if __name__ == "__main__":
    sys.exit(main())
