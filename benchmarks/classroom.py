"""How many students one machine serves: a real class on the course's JupyterHub, measured.

Runs the hub of ``classroom/jupyterhub_config.py`` on 127.0.0.1 with a teacher and N
students who are real local accounts (``classroom/harness.py``; needs root), and measures:

* login -> ready: from the login form's POST to JupyterLab answering, for students logging
  in one at a time, then for all the others at once (a class arriving together);
* memory (PSS and RSS, summed over each student's processes): an idle server (JupyterLab
  open, no kernel), then the same server with one kernel that ran lesson 01's imports and
  drew a figure; and the hub, its proxy and the idle culler;
* the whole class fetching and submitting ex01, the teacher's ``nbgrader collect``, and
  grading the class with ``classroom/grade.py`` (``python -m course_lib.grading``), against
  nbgrader's own ``autograde`` of the same submissions as the peer.

From these it estimates how many students this machine serves (memory-bound) and how long a
class waits at the start (CPU-bound). Usage, as root::

    python benchmarks/classroom.py                  # 12 students, print the table
    python benchmarks/classroom.py --students 20 --write   # ... and record results/
"""

from __future__ import annotations

import argparse
import concurrent.futures
import contextlib
import csv
import os
import platform
import pwd
import statistics
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(ROOT / "classroom"))
import harness  # noqa: E402

RESULT = HERE / "results" / "classroom.md"
SET, NOTEBOOK = "ex01", "ex01_intuition.ipynb"
ALONE = 3  # students who log in one at a time (and whose memory is measured)
HEADROOM = 1.3  # TLJH's sizing advice: measured peak plus 20-40 %
RESERVE_MIB = 2048  # the system, the hub's database, the teacher's grading

# what a student's kernel holds after the first cells of lesson 01
LESSON_CODE = """
import numpy as np
import matplotlib.pyplot as plt
from course_lib import set_language, landscapes, plotting
from course_lib.training import gradient_descent
set_language("ko")
fig, ax = plt.subplots(figsize=(5, 3))
ax.plot(np.linspace(-1, 5, 200), (np.linspace(-1, 5, 200) - 3) ** 2 + 1)
plt.show()
print("ok")
"""


def _login(person: harness.Person) -> float:
    start = time.monotonic()
    person.login()
    person.wait_ready(timeout=600)
    return time.monotonic() - start


def _submit(person: harness.Person, answers: dict[str, str]) -> None:
    person.assignment_action("fetch", SET)
    path = f"{SET}/{NOTEBOOK}"
    person.save_notebook(path, harness.fill(person.read_notebook(path), answers))
    if not person.assignment_action("submit", SET).get("success"):
        raise RuntimeError(f"{person.name} could not submit")


def _hub_memory(hub: harness.Hub, user_uids: set[int]) -> float:
    """PSS (MiB) of the hub, the proxy and the culler (the hub's processes not run as users)."""
    pids = [hub.proc.pid, *harness.descendants(hub.proc.pid)]
    proxy = hub.hub_state / "proxy.pid"
    if proxy.exists():
        pids.append(int(proxy.read_text().strip()))
    total = 0.0
    for pid in set(pids):
        status = harness._status(pid)
        if not status or int(status.get("Uid", "0").split("\t")[0]) in user_uids:
            continue
        total += harness.memory_of_pid(pid)["pss_mib"]
    return total


def measure(students: int) -> dict:
    out: dict = {"students": students}
    with harness.LocalUsers(["t", *(f"s{i:02d}" for i in range(1, students + 1))]) as users, \
            harness.traversable(ROOT):
        teacher_name, *names = users.names
        uids = {users.uid(n) for n in users.names}
        with harness.Hub([teacher_name], names) as hub, \
                contextlib.ExitStack() as stack:
            stack.callback(users.stop_processes)  # before the hub stops: quicker
            course = Path(pwd.getpwnam(teacher_name).pw_dir) / "course"
            env = {"JUPYTER_CONFIG_PATH": os.pathsep.join(
                str(ROOT / "classroom" / "jupyter" / d) for d in ("teacher", "common")),
                **{k: hub.settings[k] for k in ("COURSE_ID", "COURSE_EXCHANGE")}}
            harness.run_as(teacher_name, [sys.executable, str(ROOT / "classroom" /
                                                              "new_course.py"), SET])
            teacher = harness.Person(hub, teacher_name, users.passwords[teacher_name])
            out["teacher_ready_s"] = _login(teacher)
            teacher.formgrader(f"assignment/{SET}/assign")
            teacher.formgrader(f"assignment/{SET}/release")

            people = [harness.Person(hub, n, users.passwords[n]) for n in names]
            out["alone_s"] = [_login(p) for p in people[:ALONE]]
            time.sleep(5)  # let the servers settle into idle
            out["idle"] = [harness.memory_of_uid(users.uid(p.name)) for p in people[:ALONE]]

            start = time.monotonic()
            with concurrent.futures.ThreadPoolExecutor(len(people) - ALONE or 1) as pool:
                out["storm_s"] = list(pool.map(_login, people[ALONE:]))
            out["storm_wall_s"] = time.monotonic() - start

            kernels = []
            for p in people[:ALONE]:
                kernel = p.start_kernel()
                reply = p.execute(kernel, LESSON_CODE, timeout=120)
                if reply["error"] or "ok" not in reply["stdout"]:
                    raise RuntimeError(f"lesson code failed for {p.name}: {reply}")
                kernels.append((p, kernel))
            time.sleep(3)
            out["working"] = [harness.memory_of_uid(users.uid(p.name)) for p in people[:ALONE]]
            for p, kernel in kernels:
                p.stop_kernel(kernel)
            out["hub_pss_mib"] = _hub_memory(hub, uids)

            answers = harness.model_answers(NOTEBOOK)
            start = time.monotonic()
            with concurrent.futures.ThreadPoolExecutor(4) as pool:
                list(pool.map(lambda p: _submit(p, answers), people))
            out["submit_wall_s"] = time.monotonic() - start

            out["collect_s"] = _timed(teacher_name, ["nbgrader", "collect", SET], env, course)
            out["grade_s"] = _timed(teacher_name, [sys.executable, str(ROOT / "classroom" /
                                                                       "grade.py"), SET],
                                    env, course)
            out["sandboxed"] = _sandboxed(course / f"grades-{SET}.csv")
            out["autograde_s"] = _timed(teacher_name, ["nbgrader", "autograde", SET,
                                                       "--create", "--force"], env, course)
            out["mem_total_mib"] = _mem_total_mib()
    return out


def _timed(user: str, cmd: list[str], env: dict, cwd: Path) -> float:
    start = time.monotonic()
    done = harness.run_as(user, cmd, env=env, cwd=cwd, timeout=3600)
    if done.returncode != 0:
        raise RuntimeError(f"{cmd} failed:\n{done.stdout[-2000:]}\n{done.stderr[-4000:]}")
    return time.monotonic() - start


def _sandboxed(csv_path: Path) -> int:
    """How many submissions the grades CSV says were graded in a sandbox."""
    with open(csv_path, encoding="utf-8") as fh:
        return sum(row["question"] == "TOTAL" and row["sandboxed"] == "True"
                   for row in csv.DictReader(fh))


def _mem_total_mib() -> float:
    for line in Path("/proc/meminfo").read_text().splitlines():
        if line.startswith("MemTotal:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError("no MemTotal in /proc/meminfo")


def table(m: dict) -> str:
    med = statistics.median
    idle_pss = med(x["pss_mib"] for x in m["idle"])
    idle_rss = med(x["rss_mib"] for x in m["idle"])
    work_pss = med(x["pss_mib"] for x in m["working"])
    work_rss = med(x["rss_mib"] for x in m["working"])
    n, storm = m["students"], len(m["storm_s"])
    usable = m["mem_total_mib"] - RESERVE_MIB - m["hub_pss_mib"]
    serves_working = int(usable // (work_pss * HEADROOM))
    serves_idle = int(usable // (idle_pss * HEADROOM))
    per_login = m["storm_wall_s"] / max(storm, 1)
    per_grade = m["grade_s"] / n
    per_autograde = m["autograde_s"] / n
    rows = [
        (f"login -> ready, one student at a time (median of {ALONE})",
         f"{med(m['alone_s']):.1f} s"),
        (f"login -> ready, {storm} students at once: median / slowest",
         f"{med(m['storm_s']):.1f} s / {max(m['storm_s']):.1f} s"),
        ("  servers started per second while they all log in", f"{1 / per_login:.2f}"),
        ("idle user server (JupyterLab open, no kernel): PSS / RSS",
         f"{idle_pss:.0f} MiB / {idle_rss:.0f} MiB"),
        ("working user (server + a kernel after lesson 01's first cells): PSS / RSS",
         f"{work_pss:.0f} MiB / {work_rss:.0f} MiB"),
        ("hub + proxy + idle culler: PSS", f"{m['hub_pss_mib']:.0f} MiB"),
        (f"{n} students fetch and submit ex01 (4 at a time)", f"{m['submit_wall_s']:.1f} s"),
        (f"teacher: nbgrader collect ({n} submissions)", f"{m['collect_s']:.1f} s"),
        (f"teacher: classroom/grade.py ({n} submissions, {m['sandboxed']} in a sandbox)",
         f"{m['grade_s']:.1f} s ({per_grade:.2f} s each)"),
        (f"peer: nbgrader autograde (same {n} submissions)",
         f"{m['autograde_s']:.1f} s ({per_autograde:.2f} s each)"),
        ("grading time, course grader / nbgrader autograde",
         f"{m['grade_s'] / m['autograde_s']:.2f}"),
    ]
    width = max(len(r[0]) for r in rows)
    lines = [f"| {'measured':<{width}} | value |", f"|{'-' * (width + 2)}|-------|"]
    lines += [f"| {a:<{width}} | {b} |" for a, b in rows]
    lines += [
        "",
        f"Memory: {m['mem_total_mib'] / 1024:.1f} GiB, less {RESERVE_MIB} MiB reserved and the "
        f"hub's {m['hub_pss_mib']:.0f} MiB, with {HEADROOM:.1f}x headroom per user: "
        f"**about {serves_working} students working at once** "
        f"({serves_idle} with idle servers).",
        f"CPU: servers start at {1 / per_login:.2f} per second on {os.cpu_count()} cores, so "
        f"30 students arriving together wait up to about {30 * per_login:.0f} s "
        f"and 100 about {100 * per_login:.0f} s; grading 100 submissions takes about "
        f"{100 * per_grade / 60:.1f} min.",
    ]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--students", type=int, default=12,
                        help=f"class size, at least {ALONE + 1} (default 12)")
    parser.add_argument("--write", action="store_true", help=f"record the table in {RESULT}")
    args = parser.parse_args(argv)
    if args.students <= ALONE:
        parser.error(f"--students must be at least {ALONE + 1}, got {args.students}")
    if os.geteuid() != 0:
        parser.error("run as root: the hub's spawner and the accounts need it")
    load = os.getloadavg()[0]
    text = table(measure(args.students))
    print(text)
    if args.write:
        command = "python benchmarks/classroom.py " + " ".join(argv or sys.argv[1:])
        RESULT.write_text(
            f"# Classroom hub capacity\n\nCommand: `{command.strip()}` (as root)\n\n"
            f"Machine: {platform.platform()}, {os.cpu_count()} cores, Python "
            f"{platform.python_version()}, recorded {time.strftime('%Y-%m-%d')}; load average "
            f"{load:.1f} at the start (the machine is shared: CPU figures vary between "
            "runs, memory figures hardly)\n\n"
            f"{text}\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
