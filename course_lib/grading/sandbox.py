"""The sandbox a student's kernel runs in: bubblewrap, an unprivileged user, and limits.

What the kernel gets (see ``solutions/README.md`` for what this does not contain):

* a file system it can only read, holding only what a kernel needs: ``/usr``, the Python
  installation and virtual environment the grader runs from, and the ``course_lib``
  package; not the solutions, not the rest of the course, not the teacher's files, not
  the other submissions;
* one writable folder, ``/tmp``: an empty tmpfs of ``Limits.scratch`` bytes, private to
  this kernel and gone when it stops;
* no network at all (an empty network namespace: not even loopback reaches the host);
  the grader talks to it over Unix sockets inside its ``/tmp`` (``transport="ipc"``);
* its own PID namespace (it sees and can signal only its own processes; all of them die
  with it), its own IPC and UTS namespaces, ``PR_SET_NO_NEW_PRIVS``, no capabilities;
* an unprivileged user: run by root, the grader gives each live sandbox its own host uid
  (from :data:`UID_BASE`), so its files, signals and process count are its own; run by an
  ordinary user, bubblewrap maps that user to ``nobody`` in a new user namespace;
* rlimits (address space, processes, file size, CPU time, no core dumps) and, run by
  root where cgroup v1 controllers are writable, a memory, pids and CPU cgroup.
"""

from __future__ import annotations

import atexit
import contextlib
import functools
import itertools
import json
import os
import re
import select
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

from course_lib.grading.limits import Limits

#: First host uid given to sandboxes when the grader runs as root (a range no account uses).
UID_BASE = 2_147_000_000
UID_SLOTS = 4096
#: Inside the sandbox: the scratch folder, the kernel's sockets and its connection file.
SCRATCH = "/tmp"
KERNEL_DIR = "/tmp/.kernel"
CONNECTION_FILE = "/tmp/.kernel.json"
_CGROUP_PREFIX = "course-grader"
_ETC_FILES = ("/etc/nsswitch.conf", "/etc/ld.so.cache", "/etc/ld.so.conf", "/etc/ld.so.conf.d",
              "/etc/localtime", "/etc/alternatives")

# Runs inside the sandbox before the kernel (trusted: no student code has run yet). As root
# (no user namespace) it drops every capability, takes the sandbox's own uid, and then
# checks that nothing privileged is left; in all cases it sets the rlimits.
_LAUNCHER = r"""
import ctypes, json, os, resource, sys
cfg = json.loads(sys.argv[1])
libc = ctypes.CDLL(None, use_errno=True)
uid = cfg["uid"]
if uid is not None:
    last = int(open("/proc/sys/kernel/cap_last_cap").read())
    for cap in range(last + 1):
        libc.prctl(24, cap, 0, 0, 0)  # PR_CAPBSET_DROP
    os.setgroups([])
    os.setresgid(uid, uid, uid)
    os.setresuid(uid, uid, uid)
    header = (ctypes.c_uint32 * 2)(0x20080522, 0)  # _LINUX_CAPABILITY_VERSION_3, this process
    if libc.capset(header, (ctypes.c_uint32 * 6)()) != 0:
        sys.exit("sandbox: capset failed")
if libc.prctl(38, 1, 0, 0, 0) != 0:  # PR_SET_NO_NEW_PRIVS
    sys.exit("sandbox: no_new_privs failed")
for name, soft, hard in cfg["rlimits"]:
    resource.setrlimit(getattr(resource, name), (soft, hard))
status = dict(line.split(":", 1) for line in open("/proc/self/status") if ":" in line)
caps = [int(status[k], 16) for k in ("CapInh", "CapPrm", "CapEff", "CapAmb")]
if any(caps) or status["NoNewPrivs"].strip() != "1" or os.getuid() == 0 or os.geteuid() == 0:
    sys.exit("sandbox: privileges left after set-up")
if uid is not None and (int(status["CapBnd"], 16) or os.getuid() != uid):
    sys.exit("sandbox: privileges left after set-up")
os.makedirs(cfg["kernel_dir"], mode=0o700)
os.execv(cfg["argv"][0], cfg["argv"])
"""


class SandboxUnavailable(RuntimeError):
    """No usable sandbox here; the message says why and what to do."""


def _advice() -> str:
    return (
        "샌드박스 없이 학생 코드를 실행하지 않습니다 / refusing to run untrusted code "
        "without a sandbox. Install bubblewrap (Debian/Ubuntu: sudo apt-get install "
        "bubblewrap; Fedora: sudo dnf install bubblewrap), grade on Linux (macOS and Windows: "
        "use the container recipe in solutions/README.md), or pass --no-sandbox to grade "
        "notebooks you trust."
    )


@functools.lru_cache(maxsize=1)
def bwrap_version(bwrap: str = "bwrap") -> str | None:
    path = shutil.which(bwrap)
    if path is None:
        return None
    try:
        out = subprocess.run([path, "--version"], capture_output=True, text=True, timeout=10)
    except (OSError, subprocess.SubprocessError):
        return None
    return out.stdout.strip() or None


def _readable_paths(python: str) -> list[str]:
    """Folders the kernel must read: the system, Python and the course package."""
    import course_lib

    wanted = {sys.base_prefix, sys.prefix, os.path.dirname(os.path.abspath(python)),
              os.path.dirname(os.path.abspath(course_lib.__file__))}
    real = sorted({os.path.realpath(p) for p in wanted if os.path.isdir(p)} | wanted)
    real = [p for p in real if os.path.isdir(p)]
    # drop folders inside another one, /usr included (bound already: /usr/local, /usr)
    return [p for p in real if not any(p == q or p.startswith(q.rstrip("/") + "/")
                                       for q in ["/usr", *(r for r in real if r != p)])]


@functools.lru_cache(maxsize=1)
def cgroup_roots() -> dict[str, str] | None:
    """This process's own cgroup v1 memory, pids and cpu folders, if all three are
    writable (root on a cgroup v1 machine); else None."""
    if os.geteuid() != 0:
        return None
    mounts: dict[str, str] = {}
    try:
        for line in Path("/proc/self/mountinfo").read_text().splitlines():
            left, _, right = line.partition(" - ")
            fields, (fstype, _, options) = left.split(), right.split()[:3]
            if fstype == "cgroup":
                for ctl in set(options.split(",")) & {"memory", "pids", "cpu"}:
                    mounts[ctl] = fields[4]
        own = {}
        for line in Path("/proc/self/cgroup").read_text().splitlines():
            _, ctls, path = line.split(":", 2)
            for ctl in ctls.split(","):
                own[ctl] = path
        roots = {ctl: os.path.join(mounts[ctl], own[ctl].lstrip("/"))
                 for ctl in ("memory", "pids", "cpu")}
    except (OSError, KeyError, ValueError):
        return None
    for path in roots.values():
        probe = os.path.join(path, f"{_CGROUP_PREFIX}-probe-{os.getpid()}")
        try:
            os.mkdir(probe)
            os.rmdir(probe)
        except OSError:
            return None
    return roots


class Cgroups:
    """One sandbox's memory, pids and cpu cgroups (v1), children of the grader's own."""

    _counter = itertools.count()

    def __init__(self, roots: dict[str, str], limits: Limits):
        name = f"{_CGROUP_PREFIX}-{os.getpid()}-{next(self._counter)}"
        self.paths = {ctl: os.path.join(root, name) for ctl, root in roots.items()}
        _sweep(roots)
        try:
            for path in self.paths.values():
                os.mkdir(path)
            mem = self.paths["memory"]
            _write(mem, "memory.limit_in_bytes", limits.memory)
            with contextlib.suppress(OSError):  # absent without swap accounting
                _write(mem, "memory.memsw.limit_in_bytes", limits.memory)
            _write(self.paths["pids"], "pids.max", limits.processes)
            period = 100_000
            _write(self.paths["cpu"], "cpu.cfs_period_us", period)
            _write(self.paths["cpu"], "cpu.cfs_quota_us", int(limits.cpus * period))
        except OSError:
            self.remove(attempts=1)
            raise

    @property
    def procs_files(self) -> list[str]:
        return [os.path.join(p, "cgroup.procs") for p in self.paths.values()]

    def counters(self) -> dict[str, int]:
        """How often the memory limit killed a process, and the pids limit refused one."""
        out = {"oom_kill": 0, "pids_max": 0}
        with contextlib.suppress(OSError, ValueError, AttributeError):  # no oom_kill < 4.13
            text = Path(self.paths["memory"], "memory.oom_control").read_text()
            out["oom_kill"] = int(re.search(r"oom_kill (\d+)", text).group(1))
        with contextlib.suppress(OSError, ValueError, AttributeError):
            text = Path(self.paths["pids"], "pids.events").read_text()
            out["pids_max"] = int(re.search(r"max (\d+)", text).group(1))
        return out

    def kill_tasks(self) -> None:
        """SIGKILL every process still in these groups."""
        for path in self.paths.values():
            _kill_group(path)

    def remove(self, attempts: int = 100) -> None:
        """Remove the groups once their processes are gone (bounded wait)."""
        for path in self.paths.values():
            for _ in range(attempts):
                try:
                    os.rmdir(path)
                    break
                except FileNotFoundError:
                    break
                except OSError:
                    time.sleep(0.02)


def _write(folder: str, name: str, value: int) -> None:
    with open(os.path.join(folder, name), "w") as fh:
        fh.write(str(value))


def _sweep(roots: dict[str, str]) -> None:
    """End what graders that were killed left behind: their sandboxes' groups, and any
    process still in them."""
    pattern = re.compile(rf"{_CGROUP_PREFIX}-(\d+)-\d+$")
    for root in roots.values():
        with contextlib.suppress(OSError):
            for entry in os.scandir(root):
                match = pattern.match(entry.name)
                if match and not os.path.exists(f"/proc/{match.group(1)}"):
                    _kill_group(entry.path)
                    with contextlib.suppress(OSError):
                        os.rmdir(entry.path)


def sweep_dead_graders() -> None:
    """End the sandboxes of grading processes that died without ending them (a worker
    killed outright); only where sandboxes have cgroups (root), which is what finds them."""
    roots = cgroup_roots()
    if roots:
        _sweep(roots)


def _kill_group(path: str) -> None:
    """SIGKILL every process in one group; each is held by a pidfd and checked to be in
    the group still, so a PID reused meanwhile is never signalled."""
    procs = Path(path, "cgroup.procs")
    with contextlib.suppress(OSError):
        for pid in procs.read_text().split():
            with contextlib.suppress(OSError):
                fd = os.pidfd_open(int(pid))
                try:
                    if pid in procs.read_text().split():
                        signal.pidfd_send_signal(fd, signal.SIGKILL)
                finally:
                    os.close(fd)


class UidSlot:
    """A host uid for one live sandbox (root only), held by an abstract Unix socket
    name so that two graders never share one and nothing is left behind on disk."""

    def __init__(self, base: int = UID_BASE, slots: int = UID_SLOTS):
        for uid in range(base, base + slots):
            sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            try:
                sock.bind(f"\0course_lib.grading.uid.{uid}")
            except OSError:
                sock.close()
                continue
            self.uid, self._sock = uid, sock
            return
        raise SandboxUnavailable(f"no free sandbox uid in {base}..{base + slots - 1}")

    def release(self) -> None:
        self._sock.close()


class Sandbox:
    """How to start a program in a fresh sandbox (one per kernel start).

    Parameters
    ----------
    limits : Limits
        What each sandbox may use.
    bwrap : str
        The bubblewrap executable.
    python : str
        The interpreter the kernel runs (default: the grader's own).
    """

    def __init__(self, limits: Limits | None = None, *, bwrap: str = "bwrap",
                 python: str = sys.executable):
        self.limits = limits or Limits()
        self.bwrap = shutil.which(bwrap) or bwrap
        self.python = python
        self.root = os.geteuid() == 0 if hasattr(os, "geteuid") else False
        self.cgroups = cgroup_roots() if self.root else None

    # -- availability ------------------------------------------------------------
    def check(self) -> None:
        """Raise :class:`SandboxUnavailable`, saying why, unless a sandbox can start here."""
        reason = _probe(self.bwrap, self.python, self.root)
        if reason:
            raise SandboxUnavailable(f"{reason}. {_advice()}")

    def describe(self) -> dict:
        """What the report records about the sandbox."""
        return {
            "used": True,
            "tool": bwrap_version(self.bwrap),
            "user": "own uid per sandbox (grader runs as root)" if self.root
                    else "nobody in a user namespace",
            "cgroup": self.cgroups is not None,
            "limits": self.limits.as_dict(),
        }

    # -- the command line --------------------------------------------------------
    def rlimits(self) -> list[tuple[str, int, int]]:
        lim = self.limits
        cpu = int(lim.cpu_time + 0.999)
        return [("RLIMIT_AS", lim.memory, lim.memory),
                ("RLIMIT_NPROC", lim.processes, lim.processes),
                ("RLIMIT_FSIZE", lim.file_size, lim.file_size),
                ("RLIMIT_CPU", cpu, cpu + 2),  # SIGXCPU at the limit, SIGKILL 2 s later
                ("RLIMIT_CORE", 0, 0),
                ("RLIMIT_NOFILE", 1024, 1024)]

    def command(self, argv: list[str], *, uid: int | None, info_fd: int,
                files: dict[str, int]) -> list[str]:
        """The bwrap command line that runs ``argv`` in a new sandbox.

        ``files`` maps paths inside the sandbox to readable file descriptors whose
        contents become those (read-only) files; ``info_fd`` receives bwrap's JSON with
        the host pid of the sandbox's first process.
        """
        cmd = [self.bwrap, "--die-with-parent", "--new-session", "--hostname", "sandbox"]
        if self.root:  # no user namespace: the launcher drops to ``uid`` itself
            cmd += ["--unshare-ipc", "--unshare-pid", "--unshare-net", "--unshare-uts",
                    "--unshare-cgroup-try", "--cap-drop", "ALL"]
            cmd += [a for cap in ("CAP_SETUID", "CAP_SETGID", "CAP_SETPCAP")
                    for a in ("--cap-add", cap)]
        else:
            cmd += ["--unshare-all", "--unshare-user", "--uid", "65534", "--gid", "65534",
                    "--cap-drop", "ALL"]
            if _version_tuple(bwrap_version(self.bwrap)) >= (0, 8):
                cmd += ["--disable-userns"]  # no nested user namespaces inside
        cmd += _system_mounts()
        # the scratch tmpfs first: a Python or course installed under /tmp is bound on top
        cmd += ["--size", str(self.limits.scratch), "--perms", "1777", "--tmpfs", SCRATCH]
        made: set[str] = {"/", "/usr", "/etc", "/tmp", "/dev", "/proc"}
        cmd += ["--perms", "0755", "--dir", "/etc"]
        for path in _readable_paths(self.python):
            cmd += _parents(path, made) + ["--ro-bind", path, path]
        for path in _ETC_FILES:
            cmd += ["--ro-bind-try", path, path]
        cmd += ["--proc", "/proc", "--dev", "/dev"]
        for dest, fd in files.items():
            cmd += ["--perms", "0444", "--file", str(fd), dest]
        cmd += ["--remount-ro", "/", "--chdir", SCRATCH, "--info-fd", str(info_fd)]
        config = {"uid": uid, "rlimits": self.rlimits(), "kernel_dir": KERNEL_DIR, "argv": argv}
        cmd += ["--", self.python, "-I", "-S", "-c", _LAUNCHER, json.dumps(config)]
        return cmd

    def environment(self) -> dict[str, str]:
        """The kernel's whole environment (nothing of the grader's leaks in)."""
        env = {
            "PATH": f"{os.path.dirname(self.python)}:/usr/local/bin:/usr/bin:/bin",
            "HOME": SCRATCH, "TMPDIR": SCRATCH, "LANG": "C.UTF-8",
            "IPYTHONDIR": f"{SCRATCH}/.ipython", "MPLCONFIGDIR": f"{SCRATCH}/.matplotlib",
            "MPLBACKEND": "Agg", "PYTHONHASHSEED": "0", "PYTHONDONTWRITEBYTECODE": "1",
            "PYDEVD_DISABLE_FILE_VALIDATION": "1", "MALLOC_ARENA_MAX": "2",
            "JOBLIB_MULTIPROCESSING": "0",  # no /dev/shm to write: serial, without a warning
        }
        for var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
            env[var] = os.environ.get(var, "1")
        return env

    def spawn(self, argv: list[str], files: dict[str, bytes] | None = None, *,
              stdout: int = subprocess.DEVNULL) -> SandboxProcess:
        """Start ``argv`` in a new sandbox (see :class:`SandboxProcess`)."""
        return SandboxProcess(self, argv, files or {}, stdout=stdout)

    def run(self, argv: list[str], timeout: float) -> tuple[int, str, str]:
        """Run ``argv`` in a new sandbox to the end: (exit status, stdout, stderr)."""
        proc = self.spawn(argv, stdout=subprocess.PIPE)
        try:
            out = proc.output(timeout)
        finally:
            proc.kill()
        return proc.popen.returncode, out, proc.stderr_tail()

    def passwd_files(self, uid: int | None) -> dict[str, bytes]:
        """/etc/passwd and /etc/group naming only the sandbox's user."""
        uid = 65534 if uid is None else uid
        return {"/etc/passwd": f"student:x:{uid}:{uid}:student:{SCRATCH}:/bin/false\n".encode(),
                "/etc/group": f"student:x:{uid}:\n".encode()}


#: Every sandbox started and not yet killed (see kill_all).
_LIVE: set[SandboxProcess] = set()


def kill_all() -> None:
    """Kill every sandbox this process started and has not killed (at exit, on SIGTERM)."""
    for proc in list(_LIVE):
        with contextlib.suppress(Exception):
            proc.kill()


atexit.register(kill_all)

# A sandbox between its bwrap's start and its entry in _LIVE: an exit then would leave it
# out of kill_all, and bwrap, killed by --die-with-parent while it sets up, leaves its
# first process waiting forever. So an exit asked for meanwhile waits for the entry.
_spawning = 0
_exit_asked: int | None = None
_spawn_lock = threading.RLock()  # re-entrant: the handler may run inside a holder


def kill_all_and_exit(signum: int, frame: object = None) -> None:
    """A SIGTERM handler for a grading process: end every sandbox, then the process.

    Called while a sandbox is being started, it returns at once and the start ends the
    process as soon as that sandbox is registered (so that kill_all reaches it)."""
    global _exit_asked
    with _spawn_lock:
        if _spawning:
            _exit_asked = signum
            return
    kill_all()
    os._exit(128 + signum)


def _spawn_started() -> None:
    global _spawning
    with _spawn_lock:
        _spawning += 1


def _spawn_registered() -> None:
    global _spawning
    with _spawn_lock:
        _spawning -= 1
        asked = _exit_asked if not _spawning else None
    if asked is not None:
        kill_all()
        os._exit(128 + asked)

# Root with cgroups: the shell joins the sandbox's groups, then becomes bwrap, so that
# bwrap and everything under it start inside them.
_JOIN = 'while [ "$1" != -- ]; do echo $$ > "$1" || exit 125; shift; done; shift; exec "$@"'


class SandboxProcess:
    """One running sandbox: its bwrap process, uid slot, cgroups and what it died of.

    Every process inside dies when the sandbox's first process (PID 1 of its namespace)
    does, so :meth:`kill` ends all of them with one signal, sent through a pidfd so that
    it can never reach a recycled PID.
    """

    def __init__(self, sandbox: Sandbox, argv: list[str], files: dict[str, bytes], *,
                 stdout: int = subprocess.DEVNULL):
        self.sandbox = sandbox
        self.slot = UidSlot() if sandbox.root else None
        self.cgroups: Cgroups | None = None
        self._pid: int | None = None
        self._pidfd: int | None = None
        self._stderr = bytearray()
        self._reason: str | None = None
        fds: dict[str, int] = {}
        info_r, info_w = os.pipe()
        _spawn_started()
        try:
            if sandbox.cgroups is not None:
                self.cgroups = Cgroups(sandbox.cgroups, sandbox.limits)
            uid = self.slot.uid if self.slot else None
            data = {**sandbox.passwd_files(uid), **files}
            for dest, content in data.items():
                r, w = os.pipe()
                os.write(w, content)  # small: fits in the pipe's buffer
                os.close(w)
                fds[dest] = r
            cmd = sandbox.command(argv, uid=uid, info_fd=info_w, files=fds)
            if self.cgroups is not None:
                cmd = ["/bin/sh", "-c", _JOIN, "sh", *self.cgroups.procs_files, "--", *cmd]
            self.popen = subprocess.Popen(
                cmd, pass_fds=[info_w, *fds.values()], stdin=subprocess.DEVNULL,
                stdout=stdout, stderr=subprocess.PIPE, env=sandbox.environment(),
                start_new_session=True)  # a Ctrl-C in the terminal reaches only the grader
        except BaseException:
            os.close(info_r)
            self._release()
            _spawn_registered()
            raise
        finally:
            os.close(info_w)
            for fd in fds.values():
                os.close(fd)
        self._info_fd = info_r
        _LIVE.add(self)  # from here on kill_all() ends it, whatever interrupts the grader
        self._drainer = threading.Thread(target=self._drain, daemon=True)
        self._drainer.start()
        _spawn_registered()  # (an exit asked for meanwhile happens here, after kill_all)

    def _drain(self) -> None:
        """Keep the last 8 KiB of bwrap's and the kernel's stderr (bounded)."""
        with contextlib.suppress(Exception):
            while chunk := self.popen.stderr.read1(65536):
                self._stderr += chunk
                del self._stderr[:-8192]

    def output(self, timeout: float) -> str:
        """What it writes to stdout (spawned with ``stdout=PIPE``), once it has ended."""
        chunks: list[bytes] = []
        reader = threading.Thread(target=lambda: chunks.append(self.popen.stdout.read()),
                                  daemon=True)
        reader.start()
        self.popen.wait(timeout=timeout)
        reader.join(timeout=5.0)
        return b"".join(chunks).decode(errors="replace")

    def stderr_tail(self) -> str:
        return bytes(self._stderr).decode(errors="replace")

    def pid(self, timeout: float = 30.0) -> int:
        """The host PID of the sandbox's first process (waits for bwrap to say it)."""
        if self._pid is not None:
            return self._pid
        deadline = time.monotonic() + timeout
        raw = b""
        while True:
            try:
                info = json.loads(raw)
                break
            except ValueError:
                pass
            left = deadline - time.monotonic()
            ready = select.select([self._info_fd], [], [], max(0.0, min(left, 0.5)))[0]
            chunk = os.read(self._info_fd, 4096) if ready else b""
            if ready and not chunk or left <= 0:
                raise SandboxUnavailable("the sandbox did not start: "
                                         + (" ".join(self.stderr_tail().split())[-300:]
                                            or f"bwrap exited with {self.popen.poll()}"))
            raw += chunk
        pid = int(info["child-pid"])
        pidfd = os.pidfd_open(pid)
        expected = info.get("pid-namespace")
        if expected is not None and os.stat(f"/proc/{pid}/ns/pid").st_ino != expected:
            os.close(pidfd)
            raise SandboxUnavailable("the sandbox's first process vanished during start-up")
        self._pid, self._pidfd = pid, pidfd
        return pid

    def root(self) -> str:
        """The sandbox's root folder seen from the host (only the grader may look)."""
        return f"/proc/{self.pid()}/root"

    def alive(self) -> bool:
        return self.popen.poll() is None

    def signal_kernel(self, signum: int) -> None:
        """Send ``signum`` to the programs the sandbox's first process started."""
        if not self.alive() or self._pid is None:
            return
        with contextlib.suppress(OSError, ValueError):
            children = Path(f"/proc/{self._pid}/task/{self._pid}/children").read_text().split()
            for child in children:
                fd = os.pidfd_open(int(child))
                try:
                    if os.readlink(f"/proc/{child}/ns/pid") == os.readlink(
                            f"/proc/{self._pid}/ns/pid"):
                        signal.pidfd_send_signal(fd, signum)
                finally:
                    os.close(fd)

    def counters(self) -> dict[str, int]:
        """The cgroup's counts of memory kills and refused forks (empty without cgroups)."""
        return self.cgroups.counters() if self.cgroups is not None else {}

    def death_reason(self) -> str | None:
        """The rlimit that ended the sandbox, once it has ended, from its exit status
        (None: it died otherwise)."""
        if self.alive():
            return None
        if self._reason is None:  # (memory: the cgroup's counters tell, see counters())
            self._reason = ""
            code = self.popen.returncode
            if code in (128 + signal.SIGXCPU, -signal.SIGXCPU):
                self._reason = "CPU time"
            elif code in (128 + signal.SIGXFSZ, -signal.SIGXFSZ):
                self._reason = "file size"
        return self._reason or None

    def kill(self) -> None:
        """End every process of the sandbox and free what it held (safe to repeat).

        The sandbox's first process is killed, never bwrap alone: killed while it sets
        the sandbox up, bwrap would leave that process waiting for it forever."""
        if self.alive():
            try:
                if self._pidfd is None:
                    self.pid(timeout=10.0)  # bwrap says it within milliseconds
                signal.pidfd_send_signal(self._pidfd, signal.SIGKILL)
                # readable once it has exited, which is after every process of its
                # namespace was killed and reaped; bwrap then exits by itself
                select.select([self._pidfd], [], [], 10.0)
            except (OSError, SandboxUnavailable):
                if self.cgroups is not None:
                    self.cgroups.kill_tasks()
        for _ in range(2):
            try:
                self.popen.wait(timeout=10)
                break
            except subprocess.TimeoutExpired:
                with contextlib.suppress(OSError):
                    self.popen.kill()  # last resort: bwrap itself
        self.death_reason()
        self._drainer.join(timeout=2.0)  # bwrap's stderr closed with it
        if self.cgroups is not None:
            self.cgroups.kill_tasks()  # anything bwrap left behind
        self._release()
        _LIVE.discard(self)

    def _release(self) -> None:
        for attr in ("_pidfd", "_info_fd"):
            fd = getattr(self, attr, None)
            if fd is not None:
                with contextlib.suppress(OSError):
                    os.close(fd)
                setattr(self, attr, None)
        if self.cgroups is not None:
            self.cgroups.remove()
        if self.slot is not None:
            self.slot.release()
            self.slot = None


def _system_mounts() -> list[str]:
    """``/usr`` read-only, and ``/bin``, ``/lib``... as the host has them (links or folders)."""
    args = ["--ro-bind", "/usr", "/usr"]
    for top in ("/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32"):
        if os.path.islink(top):
            args += ["--symlink", os.readlink(top), top]
        elif os.path.isdir(top):
            args += ["--ro-bind", top, top]
    return args


def _parents(path: str, made: set[str]) -> list[str]:
    """bwrap arguments creating ``path``'s missing parent folders, traversable by anyone
    (bwrap would make them 0700, closed to the sandbox's user)."""
    args: list[str] = []
    parts = Path(path).parts
    for i in range(2, len(parts)):
        parent = str(Path(*parts[:i]))
        if parent not in made:
            made.add(parent)
            args += ["--perms", "0755", "--dir", parent]
    return args


MIN_BWRAP = (0, 7)  # --size (the scratch folder's limit) came in bubblewrap 0.7.0


def _version_tuple(text: str | None) -> tuple[int, ...]:
    match = re.search(r"(\d+)\.(\d+)(?:\.(\d+))?", text or "")
    return tuple(int(g or 0) for g in match.groups()) if match else ()


@functools.lru_cache(maxsize=4)
def _probe(bwrap: str, python: str, root: bool) -> str | None:
    """Start one sandbox running ``python -c 'print(...)'``; None when it works, else why."""
    if not sys.platform.startswith("linux"):
        return f"the sandbox needs Linux (this is {sys.platform})"
    version = bwrap_version(bwrap)
    if version is None:
        return "bubblewrap (bwrap) is not installed"
    if _version_tuple(version) < MIN_BWRAP:
        return f"{version} is too old (0.7 or newer limits the size of the scratch folder)"
    sandbox = Sandbox(bwrap=bwrap, python=python)
    try:
        code, out, err = sandbox.run([python, "-I", "-S", "-c", "print('ready')"], timeout=30)
    except (OSError, SandboxUnavailable, subprocess.SubprocessError) as exc:
        return f"bubblewrap could not start a sandbox ({exc})"
    if code == 0 and out.strip() == "ready":
        return None
    detail = " ".join(err.split())[-300:] or f"exit status {code}"
    if "namespace" in detail or "uid map" in detail or "Operation not permitted" in detail:
        return f"bubblewrap cannot create namespaces here (user namespaces disabled?): {detail}"
    return f"bubblewrap could not start a sandbox: {detail}"
