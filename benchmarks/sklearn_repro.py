"""Fit time of course_lib.sklearn_repro against scikit-learn's own fit, same data, same process.

For every case both fits run ``--repeat`` times, alternating (so that load from other
processes hits both alike), and the fastest run of each is kept (other processes only
ever add time; the minimum is what the code itself costs, as ``timeit`` advises).
BLAS runs on one thread (threadpoolctl, a scikit-learn dependency): on a shared 2-core
machine, multi-threaded BLAS made single timings swing by 10x.  The table also shows
the largest difference between the fitted numbers (0 means bit-identical).

Run:  .venv/bin/python benchmarks/sklearn_repro.py [--repeat 7] [--output FILE.md]
"""

from __future__ import annotations

import argparse
import platform
import sys
import time
import warnings

import numpy as np
import sklearn
from sklearn.datasets import load_breast_cancer, load_digits, load_iris, make_classification
from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model import SGDClassifier
from sklearn.neural_network import MLPClassifier
from sklearn.preprocessing import StandardScaler
from threadpoolctl import threadpool_limits

from course_lib.sklearn_repro import fit_like_mlp_classifier, fit_like_sgd_classifier


def _data():
    out = {}
    for name, loader in [("iris", load_iris), ("breast_cancer", load_breast_cancer),
                         ("digits", load_digits)]:
        X, y = loader(return_X_y=True)
        out[name] = (StandardScaler().fit_transform(X), y)
    out["generated"] = make_classification(2000, 20, n_informative=10, random_state=0)
    return out


# (label, data set, parameters); fixed work (tol=None / fixed max_iter) where it matters
SGD_CASES = [
    ("hinge, optimal", "iris", dict(shuffle=False, max_iter=20, tol=None)),
    ("log_loss, optimal", "breast_cancer", dict(shuffle=False, loss="log_loss", max_iter=20,
                                                tol=None)),
    ("hinge, shuffle, default stop", "breast_cancer", dict(random_state=0)),
    ("hinge, invscaling", "generated", dict(shuffle=False, learning_rate="invscaling",
                                            eta0=0.1, max_iter=10, tol=None)),
    ("hinge, 10-class OvR", "digits", dict(shuffle=False, max_iter=5, tol=None)),
]
MLP_CASES = [
    ("adam, (100,) relu", "digits", dict(shuffle=False, random_state=0, max_iter=30)),
    ("adam, shuffle, (100,) relu", "digits", dict(random_state=0, max_iter=30)),
    ("sgd nesterov, (64, 32) tanh", "digits", dict(solver="sgd", hidden_layer_sizes=(64, 32),
                                                   activation="tanh", shuffle=False,
                                                   random_state=0, max_iter=30)),
    ("sgd, batch 32, (50,) logistic", "breast_cancer", dict(
        solver="sgd", activation="logistic", hidden_layer_sizes=(50,), batch_size=32,
        learning_rate="invscaling", shuffle=False, random_state=0, max_iter=50)),
    ("adam, batch 50, (32, 32) relu", "generated", dict(hidden_layer_sizes=(32, 32),
                                                        batch_size=50, shuffle=False,
                                                        random_state=0, max_iter=20)),
    ("adam, (10,) relu", "iris", dict(hidden_layer_sizes=(10,), shuffle=False,
                                      random_state=0, max_iter=200)),
]


def _time_both(fit_ref, fit_ours, repeat):
    """Fastest time (s) of each fit, run alternately, and the last results."""
    times = {fit_ref: [], fit_ours: []}
    results = {}
    for _ in range(repeat):
        for fit in (fit_ref, fit_ours):
            start = time.perf_counter()
            results[fit] = fit()
            times[fit].append(time.perf_counter() - start)
    return (min(times[fit_ref]), min(times[fit_ours]),
            results[fit_ref], results[fit_ours])


def _max_diff(ours, ref, names):
    diffs = [0.0]
    for name in names:
        a, b = getattr(ours, name), getattr(ref, name)
        pairs = zip(a, b, strict=True) if isinstance(a, list) and name != "loss_curve_" \
            else [(a, b)]
        diffs += [float(np.max(np.abs(np.asarray(u) - np.asarray(v)))) for u, v in pairs]
    return max(diffs)


def run(repeat: int) -> tuple[list[tuple], str]:
    """Time every case; return the table rows and a per-sample-step line for SGD."""
    data = _data()
    rows, per_step = [], ""
    jobs = [("SGDClassifier", c, SGDClassifier, fit_like_sgd_classifier,
             ("coef_", "intercept_")) for c in SGD_CASES]
    jobs += [("MLPClassifier", c, MLPClassifier, fit_like_mlp_classifier,
              ("coefs_", "intercepts_", "loss_curve_")) for c in MLP_CASES]
    for estimator, (label, data_name, params), cls, ours_fit, names in jobs:
        X, y = data[data_name]
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)  # fixed work, on purpose
            t_ref, t_ours, ref, ours = _time_both(
                lambda: cls(**params).fit(X, y),  # noqa: B023
                lambda: ours_fit(X, y, **params),  # noqa: B023
                repeat)
        assert ours.n_iter_ == ref.n_iter_, (label, ours.n_iter_, ref.n_iter_)
        rows.append((estimator, label, f"{data_name} {X.shape[0]}x{X.shape[1]}", ref.n_iter_,
                     t_ref, t_ours, _max_diff(ours, ref, names)))
        if label == "hinge, 10-class OvR":
            steps = ref.n_iter_ * X.shape[0] * len(ref.classes_)  # one problem per class
            per_step = (f"Per sample step ({label}, {steps} steps): scikit-learn "
                        f"{1e9 * t_ref / steps:.0f} ns, course_lib {1e9 * t_ours / steps:.0f} ns.")
    return rows, per_step


def table(rows: list[tuple]) -> str:
    lines = ["| estimator | setting | data | epochs | scikit-learn (ms) | course_lib (ms) "
             "| ratio (course_lib / sklearn) | max abs diff |",
             "|---|---|---|---:|---:|---:|---:|---:|"]
    for est, label, data, n_iter, t_ref, t_ours, diff in rows:
        lines.append(f"| {est} | {label} | {data} | {n_iter} | {1e3 * t_ref:.1f} | "
                     f"{1e3 * t_ours:.1f} | {t_ours / t_ref:.2f} | {diff:.1e} |")
    return "\n".join(lines)


NOTES = """\
## How to read it

* **max abs diff 0** means the fitted numbers (`coef_`/`intercept_`, or `coefs_`/
  `intercepts_`/`loss_curve_`) are bit-identical to scikit-learn's, and `n_iter_` agrees
  (the script asserts it).
* **MLPClassifier: no slower.**  Both sides run the same NumPy operations (matrix
  products in BLAS, element-wise ufuncs); the reproduction skips scikit-learn's
  parameter validation and input checks, and updates Adam's moments in place, so it is
  a little faster (ratio below 1).
* **SGDClassifier: an order of magnitude slower, by design** (ratio column; the
  per-sample-step line under the table gives the same comparison without scikit-learn's
  fixed per-fit overhead).  scikit-learn's per-sample loop is
  compiled Cython: one sample's dot product, weight update and bookkeeping cost tens of
  nanoseconds.  The reproduction runs the same loop in the Python interpreter, one sample
  at a time, and every NumPy call on a short row (the sequential dot product, the
  weight update) carries about a microsecond of call overhead whatever the row length.
  The loop cannot be vectorised across samples: each step uses the weights the previous
  step produced, and bit-for-bit equality needs the same sequential sums.  (No numba or
  other compiler: the course keeps to plain Python and NumPy.)  The ratio is smallest
  on tiny data (iris), where scikit-learn's fixed per-fit overhead dominates its time.
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument("--output", help="also write the table (markdown) to this file")
    args = parser.parse_args()
    with threadpool_limits(limits=1):
        rows, per_step = run(args.repeat)
    text = table(rows) + "\n\n" + per_step
    env = (f"Python {platform.python_version()}, NumPy {np.__version__}, "
           f"scikit-learn {sklearn.__version__}, {platform.machine()}, 1 BLAS thread, "
           f"best of {args.repeat} alternating runs")
    print(text)
    print(env)
    if args.output:
        with open(args.output, "w", encoding="utf-8") as f:
            f.write("# course_lib.sklearn_repro vs scikit-learn: fit time\n\n"
                    f"Command: `.venv/bin/python {' '.join(sys.argv)}`\n\n"
                    f"{text}\n\n{env}\n\n{NOTES}")


if __name__ == "__main__":
    main()
