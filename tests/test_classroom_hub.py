"""A class on a real JupyterHub: release, fetch, submit, collect, grade, feedback, culling.

Starts ``jupyterhub`` (PyPI) with ``configurable-http-proxy`` (npm, pinned in
``classroom/package-lock.json``) on 127.0.0.1, configured by
``classroom/jupyterhub_config.py``, with a teacher and three students who are real local
Unix accounts (PAM logins, their own server processes, nbgrader's exchange permissions).

1. The teacher links ex01 into ``~/course`` (``classroom/new_course.py``), logs in, and
   generates and releases it with the formgrader's API, as its buttons do.
2. Each student logs in through the login form, waits for their server, lists and fetches
   ex01 through nbgrader's assignment endpoints, fills in the answers through the contents
   API (one correct, one wrong, one correct plus a hostile cell) and submits.
3. A student's cookie cannot open another student's server; a student's kernel cannot list
   the exchange's inbound folder or the teacher's home; students have no formgrader.
4. The teacher collects, grades with ``classroom/grade.py`` (``python -m
   course_lib.grading``) and releases feedback; each student fetches theirs.
5. The hostile cell tried to write into the exchange, the teacher's home and course
   folder, other students' files, the course checkout and ``/tmp``, to reach a listener on
   127.0.0.1 and to leave a process running: graded in the sandbox (``grade.py``'s
   default), nothing of it may be found afterwards.
6. The control: the same notebook, its cell aimed at throwaway copies of those targets
   (same owners and modes), graded with ``--no-sandbox`` as the teacher, does write every
   copy the teacher's permissions allow, reaches the listener and leaves its process: so
   the check above can fail, and it is the sandbox that stops the cell.
7. The idle culler (a hub service) stops the teacher's idle server and spares the
   students' open ones.

Needs root (it makes and removes the accounts ``gd<random><role>``) and npm. Skipped
otherwise, unless ``CI=true``: then it fails. Every process is started and stopped by its
own PID (the accounts' processes are found by their uids), and everything is removed at
the end, whatever happened.
"""

from __future__ import annotations

import concurrent.futures
import contextlib
import csv
import json
import os
import pwd
import shutil
import socket
import stat
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
ARTIFACTS = ROOT / "test-artifacts" / "classroom"
sys.path.insert(0, str(ROOT / "classroom"))
import harness  # noqa: E402

pytestmark = [pytest.mark.hub, pytest.mark.slow]

SET, NOTEBOOK = "ex01", "ex01_intuition.ipynb"
TMP = Path("/tmp")
MAX_SCORE = 5.0  # ex01: q1 1 point, q2 2, q3 2 (+1 written point, graded by hand)
BUDGET_S = 360  # the whole class, from the first account to the last feedback page
# Short enough to see the culler stop the teacher's idle server during the class, long
# enough for the longest request (the formgrader's generate blocks its server, and the
# proxy sees no activity meanwhile: 14 s on a loaded machine).
CULL = {"cull_timeout": 30, "cull_every": 2, "activity_interval": 1}

# the wrong student's q2 takes one step too many (tests/test_exercises_wrong_answers.py)
WRONG_Q2 = """def gd_1d(x0, lr, steps):
    xs = [float(x0)]
    for _ in range(steps + 1):
        xs.append(xs[-1] - lr * grad_f(xs[-1]))
    return np.array(xs)
"""

# An extra cell in an otherwise correct submission. It writes a marker it builds at run
# time (so the submission's own copies never contain it) wherever it can, sends it to a
# listener on 127.0.0.1, and leaves a process behind (which ends by itself after 90 s).
HOSTILE_CELL = """def _attack():
    import pathlib, socket, subprocess, sys
    mark = {half!r} + {half2!r}
    def attempt(action):
        try:
            action()
        except Exception:
            pass
    for folder in {folders!r}:
        attempt(lambda f=folder: pathlib.Path(f, "HOSTILE-" + mark).write_text(mark))
    for path in {files!r}:
        attempt(lambda p=path: open(p, "a").write("\\n# " + mark + "\\n"))
    def call_home():
        with socket.create_connection(("127.0.0.1", {port}), timeout=3) as conn:
            conn.sendall(mark.encode())
    attempt(call_home)
    attempt(lambda: subprocess.Popen([sys.executable, "-c", "import time; time.sleep(90)",
                                      mark], start_new_session=True,
                                     stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))
_attack()
"""


def _require() -> None:
    missing = []
    if os.geteuid() != 0:
        missing.append("root (it creates local user accounts)")
    for tool in ("npm", "node", "useradd", "userdel", "chpasswd", "runuser"):
        if shutil.which(tool) is None:
            missing.append(tool)
    if not missing:
        return
    reason = "the classroom hub test needs " + ", ".join(missing)
    if os.environ.get("CI") == "true":
        pytest.fail(f"CI=true but {reason}")
    pytest.skip(reason)


class Budget:
    """Fails the run when the class takes longer than ``BUDGET_S`` in total."""

    def __init__(self, seconds: float) -> None:
        self.start, self.seconds = time.monotonic(), seconds
        self.marks: dict[str, float] = {}

    def mark(self, step: str) -> None:
        elapsed = time.monotonic() - self.start
        self.marks[step] = round(elapsed, 1)
        if elapsed > self.seconds:
            raise TimeoutError(f"the class took over {self.seconds} s (at {step}): {self.marks}")


class Listener:
    """A TCP server on 127.0.0.1 (where the hub and the teacher's server listen too) that
    keeps the first bytes of each connection: which marks reached it."""

    def __init__(self) -> None:
        self.server = socket.create_server(("127.0.0.1", 0))
        self.server.settimeout(0.2)
        self.port = self.server.getsockname()[1]
        self.received: list[bytes] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._serve, name="loopback", daemon=True)
        self._thread.start()

    def _serve(self) -> None:
        while not self._stop.is_set():
            try:
                conn, _ = self.server.accept()
            except OSError:  # the 0.2 s timeout: look at the stop flag again
                continue
            with conn, contextlib.suppress(OSError):
                conn.settimeout(2)
                self.received.append(conn.recv(200))

    def reached_by(self, mark: str, wait: float = 0.0) -> int:
        """Connections that sent ``mark`` (waiting up to ``wait`` s for the first)."""
        deadline = time.monotonic() + wait
        while True:
            count = sum(mark.encode() in data for data in self.received)
            if count or time.monotonic() >= deadline:
                return count
            time.sleep(0.1)

    def close(self) -> None:
        self._stop.set()
        self._thread.join(5)
        self.server.close()


def _student_work(person: harness.Person, answers: dict[str, str], extra: dict[str, str],
                  tabs: contextlib.ExitStack, lock: threading.Lock) -> dict:
    """Log in, fetch ex01, answer, save, submit: what one student does in the browser.

    The student's JupyterLab tab then stays open (``tabs``) until the class is over.
    """
    start = time.monotonic()
    person.login()
    ready = person.wait_ready()
    with lock:
        tabs.enter_context(person.tab_open())
    listed = person.assignments()
    person.assignment_action("fetch", SET)
    path = f"{SET}/{NOTEBOOK}"
    person.save_notebook(path, harness.fill(person.read_notebook(path), answers, extra))
    submitted = person.assignment_action("submit", SET)
    return {"login_to_ready_s": time.monotonic() - start, "wait_ready_s": ready,
            "released_before_fetch": [a["assignment_id"] for a in listed
                                      if a["status"] == "released"],
            "submit": submitted}


def _traces(mark: str, roots: list[Path]) -> list[str]:
    """Files under ``roots`` whose name or content holds ``mark`` (symlinks not followed)."""
    found = []
    for root in roots:
        for folder, dirs, files in os.walk(root):
            dirs[:] = [d for d in dirs if d not in ("node_modules", ".venv", ".git")]
            for name in dirs + files:
                path = Path(folder, name)
                if mark in name:
                    found.append(str(path))
                elif name in files and not path.is_symlink():
                    with contextlib.suppress(OSError):
                        if path.stat().st_size < 10_000_000 and mark.encode() in path.read_bytes():
                            found.append(str(path))
    return found


def _tmp_traces(mark: str) -> list[str]:
    return [str(p) for p in Path("/tmp").iterdir() if mark in p.name]


def _mark_processes(mark: str) -> list[int]:
    return [pid for pid in harness._proc_ids() if mark in harness.cmdline(pid)]


def _mirror(path: Path, spare: Path, folder: bool) -> Path:
    """``spare/<path>``: an empty folder or a copy of the file ``path``, where ``spare``
    and every folder below it has the owner and mode of the real one (so the same Unix
    permissions decide what a process may write there)."""
    for real in [*reversed(path.parents[:-1]), path]:
        copy = spare / real.relative_to("/")
        if real != path or folder:
            copy.mkdir(exist_ok=True)
        else:
            shutil.copyfile(real, copy)
        info = real.stat()
        os.chown(copy, info.st_uid, info.st_gid)
        copy.chmod(stat.S_IMODE(info.st_mode))
    return spare / path.relative_to("/")


def _scores(csv_path: Path) -> dict[str, float]:
    with open(csv_path, encoding="utf-8") as fh:
        return {row["submission"].split("/")[0]: float(row["score"])
                for row in csv.DictReader(fh) if row["question"] == "TOTAL"}


def _sandboxed(csv_path: Path) -> dict[str, str]:
    """Submission -> the CSV's ``sandboxed`` column on its TOTAL row."""
    with open(csv_path, encoding="utf-8") as fh:
        return {row["submission"]: row["sandboxed"]
                for row in csv.DictReader(fh) if row["question"] == "TOTAL"}


@pytest.fixture(scope="module")
def classroom():
    _require()
    budget = Budget(BUDGET_S)
    marks = {"sandboxed": "m" + os.urandom(8).hex(), "control": "c" + os.urandom(8).hex()}
    result: dict = {"marks": marks}
    with contextlib.ExitStack() as stack:
        users = stack.enter_context(harness.LocalUsers(["t", "s1", "s2", "s3"]))
        result["made_traversable"] = stack.enter_context(harness.traversable(ROOT))
        spare = Path(tempfile.mkdtemp(prefix="course-control-"))  # the control's targets
        stack.callback(shutil.rmtree, spare, ignore_errors=True)
        listener = Listener()
        stack.callback(listener.close)
        hub = stack.enter_context(harness.Hub(users.names[:1], users.names[1:], **CULL))
        stack.callback(users.stop_processes)  # before the hub stops: quicker than its clean-up
        for mark in marks.values():
            stack.callback(_remove_tmp_traces, mark)
            # the hostile cell's process, whatever uid a sandbox gave it (its argv: the mark)
            stack.callback(lambda m=mark: harness.stop_pids(_mark_processes(m), grace=2.0))
        budget.mark("hub started")
        try:
            _run_class(ClassRun(hub, users, marks, result, budget, listener, spare))
        except BaseException:
            print(f"--- hub log ---\n{hub.log(20000)}")
            raise
        result["budget"] = budget.marks
        result["users"] = users.names
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        (ARTIFACTS / "timings.json").write_text(json.dumps(
            {k: result[k] for k in ("budget", "timings", "scores")}, indent=1) + "\n")
        yield result


def _remove_tmp_traces(mark: str) -> None:
    for path in _tmp_traces(mark):
        with contextlib.suppress(OSError):
            Path(path).unlink()


class ClassRun:
    """One class, phase by phase; each phase records what the tests assert in ``result``."""

    def __init__(self, hub, users, marks: dict[str, str], result: dict, budget: Budget,
                 listener: Listener, spare: Path) -> None:
        self.hub, self.users, self.result, self.budget = hub, users, result, budget
        self.mark, self.control_mark = marks["sandboxed"], marks["control"]
        self.listener, self.spare = listener, spare
        self.teacher_name, *self.student_names = users.names
        self.teacher_home = Path(pwd.getpwnam(self.teacher_name).pw_dir)
        self.homes = [Path(pwd.getpwnam(n).pw_dir) for n in self.student_names]
        self.course = self.teacher_home / "course"
        self.exchange = hub.exchange / harness.COURSE_ID
        self.teacher = harness.Person(hub, self.teacher_name, users.passwords[self.teacher_name])
        self.people = {n: harness.Person(hub, n, users.passwords[n]) for n in self.student_names}
        self.victims = [self.exchange / "outbound" / SET / NOTEBOOK, self.teacher_home / ".bashrc"]
        self.roots = [hub.state, self.teacher_home, *self.homes,  # hub.state holds the exchange
                      ROOT / "solutions", ROOT / "course_lib", ROOT / "classroom"]
        self.timings: dict = result.setdefault("timings", {})

    def teacher_runs(self, *cmd: str, timeout: float = 120) -> subprocess.CompletedProcess:
        """A command in the teacher's terminal, with the environment the hub gives them."""
        env = {"JUPYTER_CONFIG_PATH": os.pathsep.join(
            str(ROOT / "classroom" / "jupyter" / d) for d in ("teacher", "common")),
            **{k: self.hub.settings[k] for k in ("COURSE_ID", "COURSE_EXCHANGE")}}
        done = harness.run_as(self.teacher_name, list(cmd), env=env, cwd=self.course,
                              timeout=timeout)
        assert done.returncode == 0, f"{cmd} failed:\n{done.stdout}\n{done.stderr}"
        return done

    def release(self) -> None:
        """The teacher links ex01, generates and releases it with the formgrader, and leaves."""
        linked = harness.run_as(self.teacher_name, [sys.executable, str(ROOT / "classroom" /
                                                                         "new_course.py"), SET])
        assert linked.returncode == 0, linked.stderr
        t0 = time.monotonic()
        self.teacher.login()
        self.teacher.wait_ready()
        self.timings["teacher_login_to_ready_s"] = round(time.monotonic() - t0, 2)
        self.teacher.formgrader(f"assignment/{SET}/assign")
        self.teacher.formgrader(f"assignment/{SET}/release")
        self.budget.mark("released")

    def targets(self) -> tuple[list[Path], list[Path]]:
        """Where the hostile cell tries to write: (folders, files)."""
        s1 = self.student_names[0]
        folders = [self.hub.exchange, self.exchange, self.exchange / "inbound",
                   self.exchange / "outbound" / SET, self.teacher_home, self.course,
                   self.course / "submitted" / s1 / SET, self.homes[0], ROOT / "solutions",
                   ROOT / "course_lib" / "grading", self.hub.state, TMP]
        files = [*self.victims, self.course / "submitted" / s1 / SET / NOTEBOOK,
                 self.course / "grading" / SET / s1 / NOTEBOOK, ROOT / "solutions" / NOTEBOOK]
        return folders, files

    def hostile_cell(self, folders: list[Path], files: list[Path], mark: str) -> str:
        return HOSTILE_CELL.format(half=mark[:8], half2=mark[8:], port=self.listener.port,
                                   folders=[str(p) for p in folders],
                                   files=[str(p) for p in files])

    def students_submit(self, tabs: contextlib.ExitStack) -> None:
        """All three at once: log in, fetch, answer (correct, wrong, hostile), submit."""
        answers = harness.model_answers(NOTEBOOK)
        s1, s2, s3 = self.student_names
        work = {s1: (answers, {}), s2: (dict(answers, ex01_q2_answer=WRONG_Q2), {}),
                s3: (answers, {"ex01_q3_answer": self.hostile_cell(*self.targets(),
                                                                   self.mark)})}
        lock = threading.Lock()
        with concurrent.futures.ThreadPoolExecutor(len(self.people)) as pool:
            futures = {n: pool.submit(_student_work, p, *work[n], tabs, lock)
                       for n, p in self.people.items()}
            done = {n: f.result(timeout=180) for n, f in futures.items()}
        self.result["students"] = done
        self.timings["student_login_to_ready_s"] = {n: round(d["wait_ready_s"], 2)
                                                    for n, d in done.items()}
        self.budget.mark("submitted")
        _check_access(self.hub, self.people, self.teacher_home, self.exchange, self.result)
        self.budget.mark("access checked")

    def grade(self) -> None:
        """The teacher collects and grades in a terminal; what the hostile cell left is noted."""
        t0 = time.monotonic()
        self.teacher_runs("nbgrader", "collect", SET)
        self.timings["collect_s"] = round(time.monotonic() - t0, 2)
        victim_bytes = {str(p): p.read_bytes() for p in self.victims}
        self.result["traces_before"] = self.traces()
        t0 = time.monotonic()
        done = self.teacher_runs(sys.executable, str(ROOT / "classroom" / "grade.py"), SET,
                                 timeout=240)
        self.result["grade_output"] = done.stdout + done.stderr
        self.timings["grade_s"] = round(time.monotonic() - t0, 2)
        self.result["traces_after"] = self.traces()
        self.result["victims_changed"] = [p for p, data in victim_bytes.items()
                                          if Path(p).read_bytes() != data]
        self.result["processes_left"] = [harness.cmdline(p) for p in _mark_processes(self.mark)]
        self.result["reached_listener"] = self.listener.reached_by(self.mark)
        self.result["scores"] = _scores(self.course / f"grades-{SET}.csv")
        self.result["sandboxed"] = _sandboxed(self.course / f"grades-{SET}.csv")
        self.budget.mark("graded")

    def control(self) -> None:
        """The same notebook, its hostile cell aimed at copies of its targets under
        ``spare`` (same owners and modes) and at a file of its own in ``/tmp``, graded with
        ``--no-sandbox`` as the teacher: what the sandbox kept the cell from doing."""
        folders, files = self.targets()
        copy = {p: _mirror(p, self.spare, p in folders) for p in folders + files if p != TMP}
        copy[TMP] = TMP  # the shared /tmp itself: the file the cell puts there is removed
        self.spare.chmod(0o755)  # as / is
        nb = json.loads((self.course / "submitted" / self.student_names[2] / SET /
                         NOTEBOOK).read_text(encoding="utf-8"))
        cells = [c for c in nb["cells"] if "".join(c["source"]) ==
                 self.hostile_cell(folders, files, self.mark)]
        assert len(cells) == 1, "the collected notebook lacks the hostile cell it was given"
        cells[0]["source"] = self.hostile_cell([copy[p] for p in folders],
                                               [copy[p] for p in files], self.control_mark)
        notebook = self.spare / "submission" / NOTEBOOK
        notebook.parent.mkdir()
        notebook.write_text(json.dumps(nb), encoding="utf-8")
        shutil.chown(notebook, self.teacher_name)
        writable = self.teacher_may_write(folders, files)
        done = self.teacher_runs(sys.executable, "-m", "course_lib.grading", str(notebook),
                                 "--no-sandbox", "--json", "--solutions", str(ROOT / "solutions"),
                                 timeout=240)
        report = json.loads(done.stdout)
        mark = self.control_mark
        left = _mark_processes(mark)
        self.result["control"] = {
            "score": report["score"], "sandbox": report["sandbox"],
            "warning": done.stderr,
            "may_write": {name: writable[path] for name, path in self.named_targets().items()},
            "expected": sorted([str(copy[p] / f"HOSTILE-{mark}") for p in folders if writable[p]]
                               + [str(copy[p]) for p in files if writable[p]]),
            "traces": sorted(_traces(mark, [self.spare]) + _tmp_traces(mark)),
            "escaped": _traces(mark, self.roots),
            "reached_listener": self.listener.reached_by(mark, wait=3.0),
            "processes": [(harness.cmdline(p), harness._status(p).get("Uid", "").split("\t")[0])
                          for p in left],
        }
        harness.stop_pids(left, grace=2.0)  # by its own pid, now
        self.result["control"]["processes_after_stop"] = _mark_processes(mark)
        self.budget.mark("control graded")

    def named_targets(self) -> dict[str, Path]:
        """Some of the targets, by what they are to the class."""
        return {"the exchange": self.hub.exchange, "its inbound folder": self.exchange /
                "inbound", "the released set": self.victims[0], "the teacher's home":
                self.teacher_home, "the teacher's .bashrc": self.victims[1],
                "the course folder": self.course, "the shared /tmp": TMP,
                "a student's home": self.homes[0], "the solutions": ROOT / "solutions",
                "the grader's code": ROOT / "course_lib" / "grading",
                "the hub's state folder": self.hub.state}

    def teacher_may_write(self, folders: list[Path], files: list[Path]) -> dict[Path, bool]:
        """Which real targets the teacher's own permissions let them write (asked as them)."""
        probe = ("import json, os, sys\nprint(json.dumps([os.access(p, os.W_OK | (os.X_OK if d "
                 "else 0)) for p, d in json.loads(sys.argv[1])]))")
        asked = [(str(p), True) for p in folders] + [(str(p), False) for p in files]
        done = harness.run_as(self.teacher_name, [sys.executable, "-c", probe, json.dumps(asked)])
        assert done.returncode == 0, done.stderr
        return dict(zip(folders + files, json.loads(done.stdout), strict=True))

    def traces(self) -> list[str]:
        return _traces(self.mark, self.roots) + _tmp_traces(self.mark)

    def teacher_was_culled(self) -> None:
        """The teacher's server sat idle since the release: the culler stops it (bounded)."""
        deadline = time.monotonic() + CULL["cull_timeout"] + 3 * CULL["cull_every"] + 10
        while self.teacher.running() and time.monotonic() < deadline:
            time.sleep(0.5)
        self.result["teacher_running_after_idle"] = self.teacher.running()
        self.budget.mark("teacher culled")

    def return_feedback(self) -> None:
        self.teacher_runs("nbgrader", "release_feedback", SET)
        self.budget.mark("feedback released")
        with concurrent.futures.ThreadPoolExecutor(len(self.people)) as pool:
            pages = pool.map(_fetch_feedback, self.people.values())
            self.result["feedback"] = dict(zip(self.people, pages, strict=True))
        self.budget.mark("feedback fetched")
        self.result["students_running"] = [n for n, p in self.people.items() if p.running()]

    def culled(self) -> list[str]:
        log = self.hub.log(500_000).splitlines()
        return sorted({n for n in self.users.names for line in log
                       if "Culling server" in line and n in line})


def _run_class(run: ClassRun) -> None:
    run.release()
    with contextlib.ExitStack() as tabs:  # the students' JupyterLab tabs stay open
        run.students_submit(tabs)
        run.grade()
        run.control()  # while the teacher's server idles towards the culler
        run.teacher_was_culled()
        run.return_feedback()
    run.result["culled"] = run.culled()


def _check_access(hub, people, teacher_home, course_exchange, result) -> None:
    """What a student may and may not reach while every server runs."""
    s1, s2, _ = people
    result["own_api"] = people[s1].get("/api/contents").status_code
    result["cross_api"] = people[s1].session.get(f"{hub.url}/user/{s2}/api/contents",
                                                 timeout=60).status_code
    result["cross_lab"] = people[s1].session.get(f"{hub.url}/user/{s2}/lab",
                                                 timeout=60).status_code
    result["student_formgrader"] = people[s1].call(
        "POST", f"/formgrader/api/assignment/{SET}/collect").status_code
    probe = ("import os, sys, course_lib\nprint('KERNEL', sys.executable)\n"
             "for p in {paths!r}:\n    try:\n        os.listdir(p)\n"
             "        print(p, 'LISTED')\n    except PermissionError:\n"
             "        print(p, 'DENIED')\n")
    paths = [course_exchange / "inbound", teacher_home, course_exchange / "outbound"]
    out = people[s2].run_code(probe.format(paths=[str(p) for p in paths]))
    lines = [line.rsplit(" ", 1) for line in out["stdout"].split("\n") if line]
    result["student_kernel"] = [v for k, v in lines if k == "KERNEL"]
    result["student_listing"] = {k: v for k, v in lines if k != "KERNEL"}


def _fetch_feedback(person: harness.Person) -> list[str]:
    """Press "Fetch Feedback", then open every feedback page that arrived."""
    person.assignment_action("fetch_feedback", SET)
    listing = person.get(f"/api/contents/{SET}/feedback").json()
    pages = []
    for stamp in listing.get("content") or []:
        page = person.get(f"/api/contents/{stamp['path']}/{NOTEBOOK[:-6]}.html",
                          params={"content": "1"})
        if page.status_code == 200:
            pages.append(page.json()["content"])
    return pages


def test_each_student_fetched_the_released_set_and_submitted(classroom):
    for name, done in classroom["students"].items():
        assert done["released_before_fetch"] == [SET], name
        assert done["submit"]["success"], (name, done["submit"])
        statuses = {a["status"] for a in done["submit"]["value"]}
        assert "submitted" in statuses, (name, done["submit"]["value"])


def test_scores_of_the_class(classroom):
    s1, s2, s3 = sorted(classroom["students"])
    # correct: everything; wrong: q2 (2 points) lost; hostile: its answers are correct
    assert classroom["scores"] == {s1: MAX_SCORE, s2: MAX_SCORE - 2.0, s3: MAX_SCORE}, \
        classroom["grade_output"]


def test_feedback_reaches_each_student(classroom):
    s1, s2, s3 = sorted(classroom["students"])
    expected = {s1: MAX_SCORE, s2: MAX_SCORE - 2.0, s3: MAX_SCORE}
    for name, pages in classroom["feedback"].items():
        assert len(pages) == 1, (name, pages)
        assert f"<b>{expected[name]:g} / {MAX_SCORE:g}</b>" in pages[0], name
        assert "HIDDEN" not in pages[0]  # no test source in feedback
    assert "ex01_q2" in classroom["feedback"][s2][0]


def test_a_students_cookie_cannot_open_another_students_server(classroom):
    assert classroom["own_api"] == 200
    assert classroom["cross_api"] == 403
    assert classroom["cross_lab"] == 403


def test_students_cannot_list_inbound_or_the_teachers_home(classroom):
    listing = classroom["student_listing"]
    assert sorted(listing.values()) == ["DENIED", "DENIED", "LISTED"], listing
    assert listing[next(p for p in listing if p.endswith("outbound"))] == "LISTED"
    assert classroom["student_formgrader"] == 404  # students have no formgrader


def test_the_students_kernel_is_the_course_environment(classroom):
    assert classroom["student_kernel"] == [str(Path(sys.prefix) / "bin" / "python")]


def test_the_idle_culler_stops_idle_servers_and_spares_open_ones(classroom):
    teacher = next(n for n in classroom["users"] if n.endswith("t"))
    assert classroom["teacher_running_after_idle"] is False
    assert classroom["culled"] == [teacher]  # by the culler, not by anything else
    assert classroom["students_running"] == sorted(classroom["students"])


def test_grade_py_graded_every_submission_in_the_sandbox(classroom):
    assert sorted(classroom["sandboxed"].values()) == ["True"] * 3, classroom["sandboxed"]


def test_the_hostile_submission_changed_nothing_outside_its_sandbox(classroom):
    assert classroom["traces_before"] == []
    assert classroom["traces_after"] == []
    assert classroom["victims_changed"] == []
    assert classroom["processes_left"] == []
    assert classroom["reached_listener"] == 0


def test_without_the_sandbox_the_same_cell_does_all_the_teacher_may(classroom):
    """The control: the checks above can fail, and the sandbox is what stops the cell."""
    control = classroom["control"]
    assert control["sandbox"] == {"used": False}
    assert "--no-sandbox" in control["warning"]
    assert control["score"] == MAX_SCORE  # the same notebook: its answers are correct
    # what the teacher's own Unix permissions allow, asked as the teacher
    assert control["may_write"] == {
        "the exchange": True, "its inbound folder": True, "the released set": True,
        "the teacher's home": True, "the teacher's .bashrc": True, "the course folder": True,
        "the shared /tmp": True, "a student's home": False, "the solutions": False,
        "the grader's code": False, "the hub's state folder": False}
    # unsandboxed, the cell wrote into every target the teacher may write, and only there
    assert control["traces"] == control["expected"]
    assert control["escaped"] == []  # and nothing but its throwaway targets
    assert control["reached_listener"] == 1
    teacher = next(n for n in classroom["users"] if n.endswith("t"))
    uid = str(pwd.getpwnam(teacher).pw_uid)
    assert [u for _, u in control["processes"]] == [uid], control["processes"]  # as the teacher
    assert control["processes_after_stop"] == []



def test_accounts_an_interrupted_run_left_are_removed_and_no_others():
    """An interrupted run cannot clean up after itself: the next run deletes its marked,
    idle accounts, and never an account it did not mark, nor one that is recent."""
    _require()
    tag = os.urandom(3).hex()
    old, recent, other = f"gd{tag}old", f"gd{tag}new", f"gd{tag}oth"
    try:
        for name, comment in ((old, harness.MARK), (recent, harness.MARK), (other, "someone")):
            subprocess.run(["useradd", "--create-home", "--comment", comment, name],
                           check=True, capture_output=True)
        home = Path(pwd.getpwnam(old).pw_dir)
        two_hours_ago = time.time() - 7200
        os.utime(home, (two_hours_ago, two_hours_ago))
        os.utime(pwd.getpwnam(other).pw_dir, (two_hours_ago, two_hours_ago))
        gone = harness.remove_abandoned_accounts()
        assert old in gone and recent not in gone and other not in gone
        with pytest.raises(KeyError):
            pwd.getpwnam(old)
        assert not home.exists()
        assert pwd.getpwnam(recent) and pwd.getpwnam(other)
    finally:
        for name in (old, recent, other):
            with contextlib.suppress(KeyError):
                entry = pwd.getpwnam(name)
                subprocess.run(["userdel", "--remove", name], capture_output=True)
                shutil.rmtree(entry.pw_dir, ignore_errors=True)
