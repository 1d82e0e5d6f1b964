"""A throwaway course hub on 127.0.0.1, driven over HTTP as its students and teacher would.

Used by the end-to-end test (``tests/test_classroom_hub.py``) and the capacity benchmark
(``benchmarks/classroom.py``). Needs root: the hub's LocalProcessSpawner runs each user's
server under that user's uid, and nbgrader's exchange relies on those uids.

* :class:`LocalUsers` creates uniquely named Unix accounts (home 0700, a random password)
  and removes them, their processes and their homes afterwards.
* :class:`Hub` starts ``jupyterhub -f classroom/jupyterhub_config.py`` with its own state
  folder and exchange, and stops it, the proxy and every process they started, each by
  its PID.
* :class:`Person` is one browser: it logs in through the login form, waits for its
  server, calls its server's REST API (nbgrader's assignment endpoints, the contents API)
  and runs code in a kernel over the kernel WebSocket.

Nothing here signals a process it did not start or find by the uid of an account it made.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import json
import os
import pwd
import re
import secrets
import shutil
import signal
import socket
import stat
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Iterable, Iterator
from pathlib import Path

import requests

HERE = Path(__file__).resolve().parent
COURSE = HERE.parent
CONFIG = HERE / "jupyterhub_config.py"
PROXY = HERE / "node_modules" / ".bin" / "configurable-http-proxy"
LOCK = HERE / "package-lock.json"
COURSE_ID = "gradient-descent"
MARK = "course-lib classroom test account"  # GECOS field of every account made here
ABANDONED_AFTER_S = 3600  # a run takes minutes: a marked account idle this long was left


# --- set-up --------------------------------------------------------------------------

def ensure_proxy() -> Path:
    """Install the pinned configurable-http-proxy into ``classroom/node_modules`` (npm ci)."""
    stamp = HERE / "node_modules" / ".course-lock-sha256"
    wanted = hashlib.sha256(LOCK.read_bytes()).hexdigest()
    if PROXY.exists() and stamp.exists() and stamp.read_text() == wanted:
        return PROXY
    npm = shutil.which("npm")
    if npm is None:
        raise RuntimeError("npm is missing: install Node.js 20+ and npm (apt-get install npm)")
    subprocess.run([npm, "ci", "--no-audit", "--no-fund", "--loglevel=error"], cwd=HERE,
                   check=True, timeout=300)
    stamp.write_text(wanted)
    return PROXY


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextlib.contextmanager
def traversable(path: Path) -> Iterator[list[Path]]:
    """Let other users reach ``path`` (o+x on each ancestor lacking it), undone afterwards.

    A checkout under ``mktemp -d`` (mode 0700) is otherwise unreachable for the students'
    servers, which run the course's Python from it.
    """
    changed: list[tuple[Path, int]] = []
    try:
        for folder in [path, *path.parents]:
            mode = folder.stat().st_mode
            if not mode & stat.S_IXOTH:
                folder.chmod(stat.S_IMODE(mode) | stat.S_IXOTH)
                changed.append((folder, stat.S_IMODE(mode)))
        yield [p for p, _ in changed]
    finally:
        for folder, mode in reversed(changed):
            with contextlib.suppress(OSError):
                folder.chmod(mode)


# --- answers --------------------------------------------------------------------------

def model_answers(notebook: str) -> dict[str, str]:
    """Grade id -> the model answer of each answer cell, written as a student would
    (the solution markers removed), read from ``solutions/<notebook>``."""
    from course_lib.grading import notebook as nbg

    solution = nbg.read(nbg.SOLUTIONS_DIR / notebook)
    answers = {}
    for cell in solution.cells:
        if cell.cell_type == "code" and nbg.is_solution(cell):
            lines = [ln for ln in cell.source.splitlines()
                     if nbg.BEGIN_SOLUTION not in ln and nbg.END_SOLUTION not in ln]
            answers[nbg.grade_id(cell)] = "\n".join(lines) + "\n"
    return answers


def fill(nb: dict, answers: dict[str, str], extra_after: dict[str, str] | None = None) -> dict:
    """The released notebook ``nb`` with ``answers`` typed into its answer cells and, after
    the cells named in ``extra_after``, a new code cell of the student's own."""
    cells = []
    for cell in nb["cells"]:
        gid = cell.get("metadata", {}).get("nbgrader", {}).get("grade_id")
        if gid in answers:
            cell = dict(cell, source=answers[gid])
        cells.append(cell)
        if gid in (extra_after or {}):
            cells.append({"cell_type": "code", "metadata": {}, "execution_count": None,
                          "outputs": [], "source": extra_after[gid]})
    return dict(nb, cells=cells)


# --- processes -----------------------------------------------------------------------

def _proc_ids() -> list[int]:
    return [int(p) for p in os.listdir("/proc") if p.isdigit()]


def _status(pid: int) -> dict[str, str]:
    try:
        text = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return {}
    return dict(line.split(":\t", 1) for line in text.splitlines() if ":\t" in line)


def pids_of_uids(uids: Iterable[int]) -> list[int]:
    """Processes whose real uid is one of ``uids``."""
    wanted = {str(u) for u in uids}
    return [pid for pid in _proc_ids()
            if (_status(pid).get("Uid", "").split("\t") or [""])[0] in wanted]


def descendants(root: int) -> list[int]:
    """Every living process below ``root`` (by parent pid)."""
    children: dict[int, list[int]] = {}
    for pid in _proc_ids():
        ppid = _status(pid).get("PPid")
        if ppid:
            children.setdefault(int(ppid), []).append(pid)
    found, todo = [], [root]
    while todo:
        for child in children.get(todo.pop(), []):
            found.append(child)
            todo.append(child)
    return found


def cmdline(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()
    except OSError:
        return ""


def stop_pids(pids: Iterable[int], grace: float = 5.0) -> None:
    """SIGTERM each pid, then SIGKILL the ones still alive after ``grace`` seconds."""
    pids = [p for p in set(pids) if p > 1 and p != os.getpid()]
    for pid in pids:
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.kill(pid, signal.SIGTERM)
    deadline = time.monotonic() + grace
    while pids and time.monotonic() < deadline:
        pids = [p for p in pids if _alive(p)]
        time.sleep(0.1)
    for pid in pids:
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.kill(pid, signal.SIGKILL)


def start_time(pid: int) -> int | None:
    """When ``pid`` started (clock ticks since boot): tells a process from a later one that
    reuses its pid."""
    try:
        return int(Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[19])
    except (OSError, IndexError, ValueError):
        return None


def _alive(pid: int) -> bool:
    state = _status(pid).get("State", "")
    return bool(state) and not state.startswith("Z")


def memory_of_pid(pid: int) -> dict[str, float]:
    """RSS and PSS (MiB) of one process, from ``/proc/<pid>/smaps_rollup`` (0 if gone)."""
    try:
        text = Path(f"/proc/{pid}/smaps_rollup").read_text()
    except OSError:
        return {"rss_mib": 0.0, "pss_mib": 0.0}
    fields = dict(re.findall(r"^(\w+):\s+(\d+) kB", text, re.M))
    return {"rss_mib": int(fields.get("Rss", 0)) / 1024,
            "pss_mib": int(fields.get("Pss", 0)) / 1024}


def memory_of_uid(uid: int) -> dict[str, float]:
    """RSS and PSS (MiB) summed over the processes of ``uid``."""
    total = {"rss_mib": 0.0, "pss_mib": 0.0, "processes": 0}
    for pid in pids_of_uids([uid]):
        one = memory_of_pid(pid)
        total["rss_mib"] += one["rss_mib"]
        total["pss_mib"] += one["pss_mib"]
        total["processes"] += 1
    return total


def run_as(user: str, cmd: list[str], *, env: dict[str, str] | None = None,
           cwd: str | Path | None = None, timeout: float = 300) -> subprocess.CompletedProcess:
    """Run ``cmd`` as ``user`` (runuser), as they would in a terminal of their server."""
    home = pwd.getpwnam(user).pw_dir
    base = {"HOME": home, "USER": user, "LOGNAME": user, "LANG": "C.UTF-8",
            "PATH": f"{Path(sys.executable).parent}:/usr/local/bin:/usr/bin:/bin"}
    runuser = shutil.which("runuser") or "/usr/sbin/runuser"
    return subprocess.run([runuser, "-u", user, "--", *cmd], env={**base, **(env or {})},
                          cwd=cwd or home, capture_output=True, text=True, timeout=timeout)


# --- accounts ------------------------------------------------------------------------

def remove_abandoned_accounts() -> list[str]:
    """Delete the accounts an interrupted earlier run made (marked ``MARK``, named
    ``gd<hex><role>``) that run no process any more; return their names."""
    gone = []
    for entry in pwd.getpwall():
        if entry.pw_gecos != MARK or not re.fullmatch(r"gd[0-9a-f]{6}\w+", entry.pw_name):
            continue
        with contextlib.suppress(OSError):
            if time.time() - os.stat(entry.pw_dir).st_mtime < ABANDONED_AFTER_S:
                continue  # perhaps a run in progress that has started nothing yet
        if pids_of_uids([entry.pw_uid]):
            continue  # a run in progress (or its last processes): leave it to that run
        _delete_account(entry)
        gone.append(entry.pw_name)
    return gone


def _delete_account(entry: pwd.struct_passwd) -> None:
    """``userdel`` an account made here, and its home if it is the one useradd made."""
    subprocess.run(["userdel", "--remove", entry.pw_name], capture_output=True)
    if Path(entry.pw_dir).name == entry.pw_name:  # that home, nothing else
        shutil.rmtree(entry.pw_dir, ignore_errors=True)


class LocalUsers:
    """Unix accounts ``<prefix><role>`` with private homes and random passwords."""

    def __init__(self, roles: list[str]) -> None:
        self.prefix = "gd" + secrets.token_hex(3)
        self.names = [self.prefix + role for role in roles]
        self.passwords = {n: secrets.token_urlsafe(12) for n in self.names}
        self.made: list[str] = []

    def __enter__(self) -> LocalUsers:
        remove_abandoned_accounts()
        try:
            for name in self.names:
                subprocess.run(["useradd", "--create-home", "--shell", "/bin/bash",
                                "--comment", MARK, name], check=True, capture_output=True)
                self.made.append(name)
                Path(pwd.getpwnam(name).pw_dir).chmod(0o700)  # as TLJH does (o-rwx)
            subprocess.run(["chpasswd"], input="".join(f"{n}:{p}\n" for n, p in
                                                        self.passwords.items()),
                           text=True, check=True, capture_output=True)
        except BaseException:
            self.remove()
            raise
        return self

    def __exit__(self, *exc: object) -> None:
        self.remove()

    def uid(self, name: str) -> int:
        return pwd.getpwnam(name).pw_uid

    def stop_processes(self) -> None:
        """Stop every process of these accounts, each by its pid (found by the uid)."""
        uids = []
        for name in self.made:
            with contextlib.suppress(KeyError):
                uids.append(self.uid(name))
        for _ in range(3):  # a process may fork while the others stop
            pids = pids_of_uids(uids)
            if not pids:
                break
            stop_pids(pids, grace=3.0)

    def remove(self) -> None:
        """Stop every process of these accounts, then delete them and their homes."""
        self.stop_processes()
        for name in reversed(self.made):
            entry = None
            with contextlib.suppress(KeyError):
                entry = pwd.getpwnam(name)
            if entry is None or entry.pw_gecos != MARK:
                continue  # never delete an account this class did not make
            _delete_account(entry)
        self.made.clear()


# --- the hub -------------------------------------------------------------------------

class Hub:
    """``jupyterhub -f classroom/jupyterhub_config.py`` with its own state and exchange."""

    def __init__(self, teachers: list[str], students: list[str], *,
                 cull_timeout: int = 3600, cull_every: int = 600, activity_interval: int = 300,
                 venv: Path | None = None) -> None:
        self.teachers, self.students = teachers, students
        self.port, self.hub_port, self.api_port = free_port(), free_port(), free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.state = Path(tempfile.mkdtemp(prefix="course-hub-"))
        self.state.chmod(0o711)  # users reach the exchange inside, nothing else
        self.exchange = self.state / "exchange"
        self.exchange.mkdir()
        self.exchange.chmod(0o777)  # nbgrader's documented exchange: everyone may write
        self.hub_state = self.state / "hub"
        self.hub_state.mkdir(mode=0o700)
        self.log_path = self.state / "hub.log"
        self.venv = venv or Path(sys.prefix)
        self.settings = {
            "COURSE_TEACHERS": ",".join(teachers), "COURSE_STUDENTS": ",".join(students),
            "COURSE_AUTH": "pam", "COURSE_VENV": str(self.venv),
            "COURSE_HUB_STATE": str(self.hub_state), "COURSE_HUB_URL": self.url,
            "COURSE_HUB_PORT": str(self.hub_port), "COURSE_PROXY_API_PORT": str(self.api_port),
            "COURSE_ID": COURSE_ID, "COURSE_EXCHANGE": str(self.exchange),
            "COURSE_CULL_TIMEOUT": str(cull_timeout), "COURSE_CULL_EVERY": str(cull_every),
            "COURSE_ACTIVITY_INTERVAL": str(activity_interval),
        }
        self.proc: subprocess.Popen | None = None
        self._log = None
        self._children: dict[int, int | None] = {}  # pid -> start time

    def __enter__(self) -> Hub:
        try:
            self.start()
        except BaseException:
            self.stop()
            raise
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def start(self, timeout: float = 60) -> None:
        ensure_proxy()
        env = {k: v for k, v in os.environ.items() if not k.startswith(("COURSE_", "JUPYTER"))}
        env.update(self.settings)
        env["PATH"] = f"{self.venv / 'bin'}{os.pathsep}{env.get('PATH', '/usr/bin:/bin')}"
        self._log = open(self.log_path, "wb")  # noqa: SIM115 - closed in stop()
        self.proc = subprocess.Popen(
            [str(self.venv / "bin" / "python"), "-m", "jupyterhub", "-f", str(CONFIG)],
            cwd=self.hub_state, env=env, stdout=self._log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"jupyterhub exited ({self.proc.returncode}):\n{self.log()}")
            with contextlib.suppress(requests.RequestException):
                if requests.get(self.url + "/hub/health", timeout=2).status_code == 200:
                    self._remember_children()
                    return
            time.sleep(0.2)
        raise TimeoutError(f"jupyterhub did not answer in {timeout} s:\n{self.log()}")

    def _remember_children(self) -> None:
        """Note the hub's processes (proxy, culler, servers) to stop any the hub leaves."""
        pids = descendants(self.proc.pid) if self.proc is not None else []
        with contextlib.suppress(OSError, ValueError):
            pids.append(int((self.hub_state / "proxy.pid").read_text().strip()))
        for pid in pids:
            self._children.setdefault(pid, start_time(pid))

    def log(self, tail: int = 6000) -> str:
        try:
            return self.log_path.read_text(errors="replace")[-tail:]
        except OSError:
            return ""

    def stop(self) -> None:
        """Stop the hub (it stops the servers, the proxy and the culler), then any leftover."""
        if self.proc is not None:
            self._remember_children()
            if self.proc.poll() is None:
                self.proc.send_signal(signal.SIGTERM)
                try:
                    self.proc.wait(timeout=30)
                except subprocess.TimeoutExpired:
                    self.proc.kill()
                    self.proc.wait(timeout=10)
            self.proc = None
        # only the processes noted, not later ones that reuse a pid
        stop_pids([p for p, t in self._children.items() if _alive(p) and start_time(p) == t],
                  grace=3.0)
        if self._log is not None:
            self._log.close()
            self._log = None
        shutil.rmtree(self.state, ignore_errors=True)


# --- a person at a browser -----------------------------------------------------------

class Person:
    """One user's browser session: cookies, the login form, their server's REST API."""

    def __init__(self, hub: Hub, name: str, password: str) -> None:
        self.hub, self.name, self.password = hub, name, password
        self.session = requests.Session()
        self.server = f"{hub.url}/user/{name}"

    def login(self) -> requests.Response:
        """GET the login page, POST the form with its _xsrf token, follow the redirects."""
        page = self.session.get(self.hub.url + "/hub/login", timeout=30)
        page.raise_for_status()
        token = re.search(r'name="_xsrf"\s+value="([^"]+)"', page.text)
        if token is None:
            raise RuntimeError("no _xsrf field in the hub's login form")
        reply = self.session.post(self.hub.url + "/hub/login?next=",
                                  data={"username": self.name, "password": self.password,
                                        "_xsrf": token.group(1)}, timeout=120)
        if reply.status_code >= 400 or "/hub/login" in reply.url:
            raise RuntimeError(f"login of {self.name} failed: {reply.status_code} {reply.url}")
        return reply

    def wait_ready(self, timeout: float = 90) -> float:
        """Wait for this user's server as the spawn-pending page does, then open JupyterLab.

        The page listens to the hub's progress event stream until it says ``ready`` (a
        server the culler stopped is started again first); opening ``/user/<name>/lab`` then
        goes through the server's OAuth hand-shake with the hub, which gives this browser
        its cookie for the server. Returns the seconds waited.
        """
        start = time.monotonic()
        progress = f"{self.hub.url}/hub/api/users/{self.name}/server/progress"
        while time.monotonic() - start < timeout:
            left = max(1.0, timeout - (time.monotonic() - start))
            with self.session.get(progress, stream=True, timeout=(10, left)) as stream:
                if stream.status_code == 400:  # neither running nor starting
                    self.session.get(self.hub.url + "/hub/spawn", timeout=60)
                    continue
                stream.raise_for_status()
                event = {}
                for line in stream.iter_lines(decode_unicode=True):
                    if line and line.startswith("data:"):
                        event = json.loads(line[5:])
                        if event.get("ready") or event.get("failed"):
                            break
            if event.get("failed"):
                raise RuntimeError(f"{self.name}'s server failed: {event.get('message')}\n"
                                   f"{self.hub.log()}")
            lab = self.session.get(self.server + "/lab", timeout=60)
            if lab.status_code == 200 and lab.url.rstrip("/").endswith(f"/user/{self.name}/lab"):
                return time.monotonic() - start
            time.sleep(0.5)
        raise TimeoutError(f"{self.name}'s server was not ready in {timeout} s:\n{self.hub.log()}")

    def running(self) -> bool:
        """Whether the hub lists this user's default server as running (own-user API)."""
        reply = self.session.get(f"{self.hub.url}/hub/api/users/{self.name}", timeout=30)
        reply.raise_for_status()
        return "" in (reply.json().get("servers") or {})

    @contextlib.contextmanager
    def tab_open(self, every: float = 1.0) -> Iterator[None]:
        """Poll the server as an open JupyterLab tab does, so the culler sees activity."""
        stop = threading.Event()
        tab = requests.Session()  # sessions are not thread-safe: the tab gets its own
        tab.cookies.update(self.session.cookies)

        def poll() -> None:
            while not stop.wait(every):
                with contextlib.suppress(requests.RequestException):
                    tab.get(self.server + "/api/status", timeout=10)

        thread = threading.Thread(target=poll, name=f"tab-{self.name}", daemon=True)
        thread.start()
        try:
            yield
        finally:
            stop.set()
            thread.join(timeout=15)

    def _xsrf(self) -> dict[str, str]:
        for cookie in self.session.cookies:
            if cookie.name == "_xsrf" and cookie.path.rstrip("/") == f"/user/{self.name}":
                return {"X-XSRFToken": cookie.value}
        return {}

    def get(self, path: str, **kw) -> requests.Response:
        return self.session.get(self.server + path, timeout=kw.pop("timeout", 60), **kw)

    def call(self, method: str, path: str, **kw) -> requests.Response:
        """A non-GET request to this user's server, with the XSRF header the UI sends."""
        headers = {**self._xsrf(), **kw.pop("headers", {})}
        return self.session.request(method, self.server + path, headers=headers,
                                    timeout=kw.pop("timeout", 120), **kw)

    # nbgrader's assignment-list server extension (what the Assignments tab calls)
    def assignments(self) -> list[dict]:
        reply = self.get("/assignments", params={"course_id": COURSE_ID})
        reply.raise_for_status()
        body = reply.json()
        if not body.get("success"):
            raise RuntimeError(f"assignment list failed for {self.name}: {body.get('value')}")
        return body["value"]

    def assignment_action(self, action: str, assignment: str) -> dict:
        reply = self.call("POST", f"/assignments/{action}",
                          data={"course_id": COURSE_ID, "assignment_id": assignment})
        reply.raise_for_status()
        return reply.json()

    # nbgrader's formgrader API (what the Formgrader tab's buttons call)
    def formgrader(self, path: str) -> dict:
        reply = self.call("POST", f"/formgrader/api/{path}")
        reply.raise_for_status()
        body = reply.json()
        if not body.get("success"):
            raise RuntimeError(f"formgrader {path} failed: {body.get('error') or body}")
        return body

    # Jupyter's contents API (what opening and saving a notebook does)
    def read_notebook(self, path: str) -> dict:
        reply = self.get(f"/api/contents/{path}", params={"content": "1"})
        reply.raise_for_status()
        return reply.json()["content"]

    def save_notebook(self, path: str, nb: dict) -> None:
        reply = self.call("PUT", f"/api/contents/{path}",
                          json={"type": "notebook", "format": "json", "content": nb})
        reply.raise_for_status()

    def start_kernel(self) -> str:
        """Start a ``python3`` kernel on this user's server (the course's environment)."""
        reply = self.call("POST", "/api/kernels", json={"name": "python3"})
        reply.raise_for_status()
        return reply.json()["id"]

    def stop_kernel(self, kernel: str) -> None:
        self.call("DELETE", f"/api/kernels/{kernel}")

    def execute(self, kernel: str, code: str, timeout: float = 60) -> dict:
        """Run ``code`` in ``kernel`` over its WebSocket, as a notebook cell runs.

        Returns ``{"stdout", "error"}`` (``error`` is the exception name, or None).
        """
        return asyncio.run(self._execute(kernel, code, timeout))

    def run_code(self, code: str, timeout: float = 60) -> dict:
        """Start a kernel, run ``code`` in it, shut it down (see :meth:`execute`)."""
        kernel = self.start_kernel()
        try:
            return self.execute(kernel, code, timeout)
        finally:
            self.stop_kernel(kernel)

    async def _execute(self, kernel: str, code: str, timeout: float) -> dict:
        from tornado.httpclient import HTTPRequest
        from tornado.websocket import websocket_connect

        http_url = f"{self.server}/api/kernels/{kernel}/channels"
        cookie = self.session.prepare_request(requests.Request("GET", http_url)).headers
        request = HTTPRequest(http_url.replace("http://", "ws://", 1),
                              headers={"Cookie": cookie.get("Cookie", "")})
        conn = await asyncio.wait_for(websocket_connect(request), timeout)
        msg_id = uuid.uuid4().hex
        conn.write_message(json.dumps({
            "header": {"msg_id": msg_id, "msg_type": "execute_request", "username": self.name,
                       "session": uuid.uuid4().hex, "version": "5.3", "date": ""},
            "parent_header": {}, "metadata": {}, "channel": "shell", "buffers": [],
            "content": {"code": code, "silent": False, "store_history": False,
                        "user_expressions": {}, "allow_stdin": False, "stop_on_error": True},
        }))
        out: dict = {"stdout": "", "error": None}
        replied = idle = False
        deadline = time.monotonic() + timeout
        try:
            while not (replied and idle):
                raw = await asyncio.wait_for(conn.read_message(), deadline - time.monotonic())
                if raw is None:
                    raise RuntimeError("the kernel WebSocket closed")
                msg = json.loads(raw)
                if msg.get("parent_header", {}).get("msg_id") != msg_id:
                    continue
                kind = msg["header"]["msg_type"]
                if kind == "stream":
                    out["stdout"] += msg["content"].get("text", "")
                elif kind == "error":
                    out["error"] = msg["content"].get("ename")
                elif kind == "execute_reply":
                    replied = True
                elif kind == "status" and msg["content"].get("execution_state") == "idle":
                    idle = True
        finally:
            conn.close()
        return out
