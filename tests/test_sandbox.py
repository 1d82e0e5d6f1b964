"""The sandbox contains what a hostile submission does; ``--no-sandbox`` shows it would not.

Each containment point is checked twice where that is practical: in the sandbox the
effect is contained, and unsandboxed the same code really has the effect (so each test
can fail). Hostile code aims only at targets the test makes: a copy of the course in a
temporary folder (the grader runs from it), a uniquely named file in /tmp, a listener the
test opens on 127.0.0.1, a sleeping process tagged with a token the test then ends by its
PID. Every hostile allocation, write and fork is bounded (at most 1 GiB, 100 MiB on disk,
100 processes), so nothing exhausts the machine even if the sandbox failed; nothing
signals anything but the grader's own parent and process group.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
import uuid
from pathlib import Path

import pytest
from submissions import TUNING_POINTS, make_submission, scores

from course_lib.grading.limits import MIB, Limits
from course_lib.grading.runner import grade
from course_lib.grading.sandbox import Sandbox

pytestmark = pytest.mark.sandbox
ROOT = Path(__file__).resolve().parents[1]
FAST = ["--cell-timeout", "3", "--call-timeout", "3"]  # the model answers take milliseconds
ANSWER = "ex09_q{}_answer"


# -- helpers ---------------------------------------------------------------------------
@pytest.fixture()
def course(tmp_path):
    """A copy of the course package and solutions to grade from, and a teacher's file."""
    root = tmp_path / "course"
    skip = shutil.ignore_patterns("__pycache__")
    shutil.copytree(ROOT / "course_lib", root / "course_lib", ignore=skip)
    shutil.copytree(ROOT / "solutions", root / "solutions", ignore=skip)
    (root / "teacher-secret.txt").write_text("TEACHER-SECRET", encoding="utf-8")
    return root


def fingerprint(root: Path) -> str:
    digest = hashlib.sha256()
    for path in sorted(root.rglob("*")):
        if path.is_file() and "__pycache__" not in path.parts:
            digest.update(str(path.relative_to(root)).encode() + path.read_bytes())
    return digest.hexdigest()


class Listener:
    """A TCP server on 127.0.0.1 (like a teacher's JupyterLab) counting connections."""

    def __init__(self) -> None:
        self.server = socket.create_server(("127.0.0.1", 0))
        self.server.settimeout(0.2)
        self.port = self.server.getsockname()[1]
        self.connections = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._thread.start()

    def _serve(self) -> None:
        while not self._stop.is_set():
            try:
                conn, _ = self.server.accept()
            except OSError:
                continue
            self.connections += 1
            conn.close()

    def close(self) -> None:
        self._stop.set()
        self._thread.join(5)
        self.server.close()


def pids_with(token: str) -> list[int]:
    """PIDs of processes whose command line carries ``token``."""
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if token.encode() in (entry / "cmdline").read_bytes():
                    found.append(int(entry.name))
            except OSError:
                pass
    return found


def end(pids: list[int]) -> None:
    for pid in pids:
        try:
            os.kill(pid, signal.SIGKILL)
        except ProcessLookupError:
            pass


def children(pid: int) -> list[int]:
    try:
        return [int(c) for c in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
    except OSError:
        return []


def run_grader(course: Path, sub: Path, *extra: str) -> subprocess.Popen:
    """The command line, run from the course copy (``course_lib`` is imported from it).

    Its output goes to files: a process left behind must not hold a pipe open."""
    env = dict(os.environ, PYTHONPATH=str(course))
    out = open(sub.with_suffix(".out"), "w+")  # noqa: SIM115 - closed by finished()
    err = open(sub.with_suffix(".err"), "w+")  # noqa: SIM115
    proc = subprocess.Popen(
        [sys.executable, "-m", "course_lib.grading", str(sub), "--json", *FAST, *extra],
        cwd=course, env=env, stdout=out, stderr=err, text=True,
        start_new_session=True)  # the grader's own process group: only it can be hit
    proc.output_files = (out, err)
    return proc


def finished(proc: subprocess.Popen, timeout: float = 240) -> tuple[str, str]:
    """Wait for the grader; return what it printed (stdout, stderr)."""
    proc.wait(timeout=timeout)
    texts = []
    for fh in proc.output_files:
        fh.seek(0)
        texts.append(fh.read())
        fh.close()
    return texts[0], texts[1]


# -- hostile cells (each also runs unsandboxed: targets only what the test made) ---------------
def tamper_and_steal(course: Path, token: str) -> str:
    return f"""
import glob, os
COURSE = {str(course)!r}
import course_lib
targets = glob.glob(os.path.join(os.path.dirname(course_lib.__file__), "grading", "*.py"))
targets += glob.glob(os.path.join(COURSE, "solutions", "*.ipynb"))
for path in targets:
    if os.path.realpath(path).startswith(COURSE + os.sep):  # never the real checkout
        try:
            with open(path, "a") as fh:
                fh.write("\\n# backdoor\\n")
        except OSError:
            pass
stolen = []
for path in (os.path.join(COURSE, "teacher-secret.txt"),
             os.path.join(COURSE, "solutions", "ex09_tuning.ipynb")):
    try:
        stolen.append(open(path).read(200))
    except OSError:
        pass
try:
    with open("/tmp/course-hostile-{token}", "w") as fh:
        fh.write("\\n".join(stolen) + "x" * 100_000)
except OSError:
    pass
"""


def reach_loopback(port: int) -> str:
    return f"""
import socket
try:
    socket.create_connection(("127.0.0.1", {port}), timeout=2).close()
except OSError:
    pass
"""


def leave_a_process(token: str) -> str:
    return f"""
import os, sys
pid = os.fork()
if pid == 0:
    try:
        os.setsid()
        if os.fork() == 0:
            os.execv(sys.executable, [sys.executable, "-c", "import time; time.sleep(120)",
                                      {token!r}])
    finally:
        os._exit(0)
os.waitpid(pid, 0)
"""


SIGNAL_PARENT = {
    "kill": "import os, signal\nos.kill(os.getppid(), signal.SIGKILL)",
    "killpg": "import os, signal\nos.killpg(os.getpgid(os.getppid()), signal.SIGKILL)",
    "stop": "import os, signal\nos.kill(os.getppid(), signal.SIGSTOP)",
}
STOP_ITSELF = ["import os, signal\nos.kill(os.getpid(), signal.SIGSTOP)",
               "import os, signal\nos.killpg(0, signal.SIGSTOP)"]


def hostile_submission(tmp: Path, course: Path, token: str, port: int, *, signals: bool) -> Path:
    extra = {ANSWER.format(1): [tamper_and_steal(course, token)],
             ANSWER.format(2): [reach_loopback(port)],
             ANSWER.format(3): [leave_a_process(token)]}
    if signals:  # these would stop or kill an unsandboxed grader: see the tests below
        extra[ANSWER.format(4)] = list(SIGNAL_PARENT.values())
        extra[ANSWER.format(5)] = STOP_ITSELF
    return make_submission(tmp, f"hostile-{signals}", {}, extra_after=extra)


# -- the containment tests -------------------------------------------------------------------
def test_a_hostile_submission_is_contained(course, tmp_path):
    token = uuid.uuid4().hex
    listener = Listener()
    before = fingerprint(course)
    try:
        sub = hostile_submission(tmp_path, course, token, listener.port, signals=True)
        proc = run_grader(course, sub)
        out, err = finished(proc)
        leftovers = pids_with(token)
    finally:
        listener.close()
    end(leftovers)
    assert proc.returncode == 0, err  # signalled and stopped, the grader still reports
    report = json.loads(out)
    assert report["sandbox"]["used"] is True
    assert fingerprint(course) == before  # no backdoor in course_lib/ or solutions/
    assert not os.path.exists(f"/tmp/course-hostile-{token}")  # nothing in the shared /tmp
    assert listener.connections == 0  # 127.0.0.1 unreachable
    assert leftovers == []  # every process it started is gone
    # the stopped kernel cost question 5 alone, and the report names the limit
    assert scores(report) == TUNING_POINTS[:4] + [0]
    assert [q["limit"] for q in report["questions"]] == [None] * 4 + ["cell time"]
    assert "cell time limit (3 s) was reached" in report["questions"][4]["feedback"]


def test_unsandboxed_the_same_submission_breaks_out(course, tmp_path):
    token = uuid.uuid4().hex
    listener = Listener()
    before = fingerprint(course)
    stolen = Path(f"/tmp/course-hostile-{token}")
    try:
        sub = hostile_submission(tmp_path, course, token, listener.port, signals=False)
        proc = run_grader(course, sub, "--no-sandbox")
        out, err = finished(proc)
        leftovers = pids_with(token)
        assert proc.returncode == 0, err
        assert json.loads(out)["sandbox"]["used"] is False
        assert fingerprint(course) != before  # a backdoor was appended to the copy
        assert "# backdoor" in (course / "course_lib/grading/runner.py").read_text()
        assert "TEACHER-SECRET" in stolen.read_text()  # read and left in the shared /tmp
        assert listener.connections >= 1
        assert leftovers  # still running after grading
    finally:
        listener.close()
        end(pids_with(token))
        stolen.unlink(missing_ok=True)


@pytest.mark.parametrize("how", sorted(SIGNAL_PARENT))
def test_unsandboxed_a_submission_kills_or_freezes_the_grader(course, tmp_path, how):
    sub = make_submission(tmp_path, how, {}, extra_after={ANSWER.format(1): [SIGNAL_PARENT[how]]})
    proc = run_grader(course, sub, "--no-sandbox")
    kernels: set[int] = set()
    deadline = time.monotonic() + 120
    try:  # watch the grader (and note its kernel, to end it afterwards)
        while proc.poll() is None and _state(proc.pid) != "T" and time.monotonic() < deadline:
            kernels |= set(children(proc.pid))
            time.sleep(0.1)
        if how == "stop":
            assert _state(proc.pid) == "T"  # frozen: it would never report
        else:
            assert proc.wait(timeout=10) == -signal.SIGKILL  # killed: no report at all
    finally:
        work = [os.path.realpath(f"/proc/{pid}/cwd") for pid in kernels]
        end([proc.pid, *kernels])
        out, _ = finished(proc, timeout=30)
        for folder in work:  # the killed grader could not remove its kernel's folder
            if os.path.basename(folder).startswith("grade-"):
                shutil.rmtree(folder, ignore_errors=True)
    assert out == ""  # no report

def _state(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return ""


# -- what the kernel sees ----------------------------------------------------------------------
LOOK_AROUND = """
import json, os, socket, sys
course, secret, submissions, port = sys.argv[1:5]
def writable(folder):  # access(2) answers EROFS for a read-only mount: nothing is written
    return os.access(folder, os.W_OK)
try:
    socket.create_connection(("127.0.0.1", int(port)), timeout=2).close()
    reached = True
except OSError:
    reached = False
status = dict(l.split(":", 1) for l in open("/proc/self/status") if ":" in l)
print(json.dumps({
    "root": sorted(os.listdir("/")),
    "solutions": os.path.exists(os.path.join(course, "solutions")),
    "course_lib": sorted(os.listdir(os.path.join(course, "course_lib", "grading")))
                  if os.path.isdir(os.path.join(course, "course_lib")) else [],
    "secret": os.path.exists(secret),
    "submissions": os.path.exists(submissions),
    "home": os.path.exists("/home") and bool(os.listdir("/home")),
    "root_home": sorted(os.listdir("/root")) if os.path.isdir("/root") else [],
    "writable": [d for d in ("/", "/usr", "/etc", "/root", "/dev", "/dev/shm", "/tmp",
                             os.path.join(course, "course_lib"), sys.prefix) if writable(d)],
    "loopback": reached,
    "processes": len([p for p in os.listdir("/proc") if p.isdigit()]),
    "caps": status["CapEff"].strip(), "uid": os.getuid(),
}))
"""


def test_the_kernel_sees_only_what_it_needs(course, tmp_path):
    subs = tmp_path / "other-submissions"
    subs.mkdir()
    listener = Listener()
    args = [str(course), str(course / "teacher-secret.txt"), str(subs), str(listener.port)]
    env = dict(os.environ, PYTHONPATH=str(course))
    try:
        code = ("import sys; sys.path.insert(0, sys.argv[1])\n"
                "from course_lib.grading.sandbox import Sandbox\n"
                "status, out, err = Sandbox().run([sys.executable, '-c', sys.argv[2], "
                "*sys.argv[3:]], timeout=60)\nprint(out)")
        inside = subprocess.run([sys.executable, "-c", code, str(course), LOOK_AROUND, *args],
                                env=env, capture_output=True, text=True, timeout=120)
        outside = subprocess.run([sys.executable, "-c", LOOK_AROUND, *args],
                                 capture_output=True, text=True, timeout=60)
    finally:
        listener.close()
    seen, unsandboxed = json.loads(inside.stdout), json.loads(outside.stdout)
    assert seen["writable"] == ["/tmp"], seen
    assert "runner.py" in seen["course_lib"]  # what the kernel imports is there, read-only
    assert not (seen["solutions"] or seen["secret"] or seen["submissions"] or seen["home"])
    assert seen["loopback"] is False and listener.connections == 1  # only the unsandboxed run
    assert seen["processes"] <= 3  # bwrap's init, this one, nothing of the host's
    assert int(seen["caps"], 16) == 0 and seen["uid"] != 0
    assert set(seen["root"]) <= {"bin", "dev", "etc", "lib", "lib32", "lib64", "libx32", "proc",
                                 "root", "sbin", "tmp", "usr", *Path(sys.prefix).parts[1:2],
                                 *course.parts[1:2], *Path(sys.base_prefix).parts[1:2]}
    under_root = [p.relative_to("/root").parts[0] for p in (Path(sys.base_prefix), Path(sys.prefix))
                  if p.is_relative_to("/root") and p != Path("/root")]
    assert seen["root_home"] == sorted(set(under_root))  # only the Python installation
    # the same look around without the sandbox
    assert unsandboxed["solutions"] and unsandboxed["secret"] and unsandboxed["submissions"]
    assert unsandboxed["loopback"] and unsandboxed["processes"] > 3
    assert len(unsandboxed["writable"]) > 1


# -- limits ----------------------------------------------------------------------------------
# the kernel takes ~300 MB of address space with NumPy: 768 MiB leaves each process ~450 MB
SMALL = Limits(memory=768 * MIB, processes=32, file_size=16 * MIB, scratch=48 * MIB,
               cpu_time=3.0)
BIG_ALLOCATION = "x = bytearray(1 << 30)\ndel x"  # 1 GiB in one process (then freed)
BIG_FILE = "open('big.bin', 'wb').write(b'x' * (32 << 20))"  # 32 MiB in one file
MANY_FILES = ("for i in range(6):\n"  # 72 MiB in 12 MiB files (each under the file limit)
              "    open(f'part{i}.bin', 'wb').write(b'x' * (12 << 20))")
MANY_PROCESSES = ("import os, time\n"  # 100 children that exit by themselves after 2 s
                  "for i in range(100):\n"
                  "    if os.fork() == 0:\n"
                  "        time.sleep(2)\n"
                  "        os._exit(0)")
MEMORY_IN_CHILDREN = ("import os, time\n"  # 3 x 300 MB at once, each under the process limit
                      "pids = []\n"
                      "for i in range(3):\n"
                      "    pid = os.fork()\n"
                      "    if pid == 0:\n"
                      "        try:\n"
                      "            b = bytearray(300 << 20)\n"
                      "            b[::4096] = b'x' * len(b[::4096])\n"
                      "            time.sleep(2)  # held while the others allocate\n"
                      "        finally:\n"
                      "            os._exit(0)\n"
                      "    pids.append(pid)\n"
                      "for pid in pids:\n"
                      "    os.waitpid(pid, 0)")
BUSY = "import time\nt = time.time()\nwhile time.time() - t < 6:\n    pass"


def _graded(tmp: Path, extra: dict[int, str], sandbox: bool | Sandbox) -> dict:
    sub = make_submission(tmp, f"limits-{bool(sandbox)}", {},
                          extra_after={ANSWER.format(q): [c] for q, c in extra.items()})
    return grade(sub, sandbox=sandbox, cell_timeout=20, call_timeout=5)


def test_memory_disk_and_process_limits_hold_and_cost_only_their_question(tmp_path):
    extra = {1: BIG_ALLOCATION, 3: BIG_FILE, 4: MANY_FILES, 5: MANY_PROCESSES}
    report = _graded(tmp_path, extra, Sandbox(SMALL))
    assert [q["limit"] for q in report["questions"]] == \
        ["memory", None, "file size", "scratch space", "processes"]
    assert scores(report) == [0, 2, 0, 0, 0]  # question 2 keeps its marks
    feedback = report["questions"][0]["feedback"]
    assert feedback.startswith("메모리 한도(768 MiB)에 걸렸습니다 / the memory limit (768 MiB)")
    # unsandboxed nothing stops them (bounded: 1 GiB, 104 MiB of files, 100 short sleepers)
    free = _graded(tmp_path, extra, False)
    assert scores(free) == TUNING_POINTS and not any(q["limit"] for q in free["questions"])


def test_memory_of_all_processes_and_cpu_time_are_capped(tmp_path):
    box = Sandbox(SMALL)
    if box.cgroups is None:
        pytest.skip("no writable cgroup v1 here: memory is capped per process only")
    report = _graded(tmp_path, {1: MEMORY_IN_CHILDREN, 5: BUSY}, box)
    assert [q["limit"] for q in report["questions"]] == ["memory", None, None, None, "CPU time"]
    assert scores(report) == [0, 2, 2, 1, 0]
    free = _graded(tmp_path, {1: MEMORY_IN_CHILDREN, 5: BUSY}, False)
    assert scores(free) == TUNING_POINTS


FORKS = """
import os, time
n = 0
for i in range(60):
    try:
        pid = os.fork()
    except OSError:
        break
    if pid == 0:
        time.sleep(3)
        os._exit(0)
    n += 1
time.sleep(2)  # hold them while the other sandbox forks too
print(n)
"""


def test_the_process_cap_holds_without_cgroups_and_per_sandbox():
    """RLIMIT_NPROC binds only a non-root host uid: each sandbox gets its own, so the cap
    holds without a pids cgroup and one sandbox's processes never count against another's."""
    box = Sandbox(Limits(processes=20))
    box.cgroups = None  # rlimits alone
    first, second = (box.spawn([sys.executable, "-c", FORKS], stdout=subprocess.PIPE)
                     for _ in range(2))
    try:
        counts = [int(p.output(timeout=60)) for p in (first, second)]
    finally:
        first.kill()
        second.kill()
    assert all(10 <= n < 20 for n in counts), counts  # each capped, neither starved
    unsandboxed = subprocess.run([sys.executable, "-c", FORKS], capture_output=True, text=True,
                                 timeout=60)
    assert int(unsandboxed.stdout) == 60


def test_nothing_outlives_its_sandbox():
    box = Sandbox()
    proc = box.spawn([sys.executable, "-c", leave_a_process("outlive") + "\nimport time\n"
                      "time.sleep(60)"])
    pidns = os.readlink(f"/proc/{proc.pid()}/ns/pid")
    deadline = time.monotonic() + 30
    while len(_in_namespace(pidns)) < 3 and time.monotonic() < deadline:
        time.sleep(0.1)
    assert len(_in_namespace(pidns)) >= 3  # bwrap's init, the program, its daemon
    host_uids = {_uid(pid) for pid in _in_namespace(pidns) if pid != proc.pid()}
    assert host_uids and 0 not in host_uids  # the programs run as an unprivileged host uid
    proc.kill()
    assert _in_namespace(pidns) == []


def test_a_sandbox_killed_while_it_starts_leaves_nothing():
    """Killed during bwrap's set-up, a sandbox must not leave its first process waiting
    forever for a bwrap that is gone."""
    box = Sandbox()
    procs = [box.spawn([sys.executable, "-c", "import time; time.sleep(60)"]) for _ in range(4)]
    for proc in procs:
        proc.kill()
    assert not any(p.alive() for p in procs)
    assert pids_with('"/tmp/.kernel"') == []  # bwrap's command line names the kernel folder


def _in_namespace(pidns: str) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if os.readlink(entry / "ns" / "pid") == pidns:
                    found.append(int(entry.name))
            except OSError:
                pass
    return found


def _uid(pid: int) -> int:
    try:
        text = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return -1
    return int(next(line.split()[1] for line in text.splitlines() if line.startswith("Uid:")))
