"""The student's kernel, seen from the grader: run cells, and call student code as data.

Why this design: anything that runs inside the student's kernel can be tampered with by
the student's own code (``np.allclose = lambda *a, **k: True``, a patched ``print``, even
a patched kernel that reports success). So the grader never asks the student's kernel
whether a test passed. It runs the test cell in its own, clean interpreter and binds the
names the answers define to :class:`RemoteObject` proxies: calling one sends the arguments
as JSON to the student's kernel, runs the student's function there and brings the result
back as JSON, decoded strictly into plain numbers, strings, tuples and NumPy arrays. The
worst a student can do is return wrong data, which fails the test.
"""

from __future__ import annotations

import ast
import json
import queue
import time
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from course_lib.grading.kernels import KernelStartError, LocalKernel, SandboxedKernel, stop_client
from course_lib.grading.limits import limit_from_error, limit_hit
from course_lib.grading.sandbox import Sandbox

MAX_REPLY_CHARS = 20_000_000
MAX_OUTPUT_CHARS = 20_000
_ALLOWED_KINDS = "biuf"

# Runs inside the student's kernel. It only converts data; tampering with it (or with
# json/numpy there) can only corrupt the student's own results.
_KERNEL_CODE = r'''
def __course_grader_call(req):
    import json, sys
    H = globals().setdefault("__course_grader_handles__", {})
    def enc(x, depth=0):
        t = type(x)
        if x is None or t in (bool, str, int, float):
            return x
        if isinstance(x, str):
            return str.__str__(x)  # numpy.str_ and other str subclasses: plain text
        if depth < 50 and t in (list, tuple):
            return {"t": t.__name__, "v": [enc(i, depth + 1) for i in x]}
        if depth < 50 and t is dict and all(type(k) in (str, int) for k in x):
            return {"t": "dict", "v": [[k, enc(v, depth + 1)] for k, v in x.items()]}
        np = sys.modules.get("numpy")
        if np is not None and t is np.ndarray and x.dtype.kind in "biuf":
            return {"t": "nd", "dtype": x.dtype.str, "shape": list(x.shape),
                    "v": x.ravel().tolist()}
        if np is not None and isinstance(x, np.generic) and x.dtype.kind in "biuf":
            return x.item()
        H[id(x)] = x
        return {"t": "h", "id": id(x), "desc": t.__name__ + " " + getattr(x, "__name__", "")}
    def dec(x):
        if isinstance(x, dict):
            t = x["t"]
            if t == "h":
                return H[x["id"]]
            if t == "nd":
                import numpy as np
                return np.array(x["v"], dtype=x["dtype"]).reshape(x["shape"])
            if t == "dict":
                return {k: dec(v) for k, v in x["v"]}
            items = [dec(i) for i in x["v"]]
            return tuple(items) if t == "tuple" else items
        return x
    req = json.loads(req)
    op = req["op"]
    try:
        if op == "lookup":
            ns = globals()
            if req["name"] not in ns:
                return json.dumps({"missing": True})
            out = ns[req["name"]]
        else:
            target = H[req["target"]]
            if op == "call":
                out = target(*dec(req["args"]), **dec(req["kwargs"]))
            elif op == "getattr":
                out = getattr(target, req["attr"])
            elif op == "iter":
                out = iter(target)
            else:
                try:
                    out = next(target)
                except StopIteration:
                    return json.dumps({"stop": True})
        return json.dumps({"ok": enc(out)})
    except BaseException as e:
        return json.dumps({"error": {"types": [c.__name__ for c in type(e).__mro__],
                                     "message": str(e)[:2000]}})
'''


class KernelLost(BaseException):
    """The student's kernel timed out, died or stopped answering during a check.

    A ``BaseException`` so that no ``except Exception`` in a test cell can swallow it.
    ``limit`` names the limit that was hit, if one was (see :mod:`~course_lib.grading.limits`).
    """

    def __init__(self, message: str, limit: str | None = None):
        super().__init__(message)
        self.limit = limit


class RemoteError(Exception):
    """The student's code raised; ``remote_types`` holds the class names of its MRO."""

    def __init__(self, types: list[str], message: str):
        super().__init__(f"{types[0] if types else 'Error'}: {message}")
        self.remote_types = types
        self.message = message


@dataclass
class CellResult:
    status: str  # "ok", "error", "timeout" or "dead"
    output: str = ""
    error: str = ""
    truncated: bool = False
    limit: str | None = None  # the limit the cell hit, if any


def _counted_limit(before: dict[str, int], after: dict[str, int]) -> str | None:
    """A limit the sandbox's cgroup enforced while a cell ran (a child killed for memory,
    a fork refused), even if the cell itself ended normally."""
    if after.get("oom_kill", 0) > before.get("oom_kill", 0):
        return "memory"
    if after.get("pids_max", 0) > before.get("pids_max", 0):
        return "processes"
    return None


@dataclass
class StudentKernel:
    """One student kernel with replay: after a timeout or a crash it restarts and re-runs
    the cells that had run, leaving out the ones that hung or killed it.

    With a :class:`~course_lib.grading.sandbox.Sandbox` every start (and restart) is a new
    sandbox; without one (``sandbox=None``) it is an ordinary local kernel.
    """

    sandbox: Sandbox | None = None
    cell_timeout: float = 30.0
    call_timeout: float = 10.0
    startup_timeout: float = 60.0
    history: list[str] = field(default_factory=list)
    restarts: int = 0
    #: time.monotonic() after which calls fail at once: one test cell's total budget
    deadline: float = float("inf")
    #: time.monotonic() after which nothing more runs: the whole submission's budget
    hard_deadline: float = float("inf")
    #: seconds of that budget (for feedback)
    time_limit: float = float("inf")

    def __post_init__(self) -> None:
        self.proc = SandboxedKernel(self.sandbox) if self.sandbox is not None else LocalKernel()
        # only spawn here: the kernel boots in its own process while the caller does other
        # work (grade_many starts the next submission's kernel during this one's grading)
        self.proc.start()
        self.kc = None

    def _connect(self) -> None:
        timeout = min(self.startup_timeout, max(1.0, self.hard_deadline - time.monotonic()))
        try:
            self.kc = self.proc.connect(timeout)
        except KernelStartError as exc:
            raise KernelLost(f"커널을 시작하지 못했습니다 / the kernel did not start: {exc}"
                             ) from None

    def close(self) -> None:
        """Stop the kernel (safe to call more than once)."""
        if getattr(self, "_closed", False):
            return
        self._closed = True
        try:
            stop_client(self.kc)
        finally:
            self.proc.shutdown()

    def __enter__(self) -> StudentKernel:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def amounts(self) -> dict[str, str]:
        """The amount of every limit this kernel runs under, as feedback shows it."""
        amounts = self.sandbox.limits.amounts() if self.sandbox is not None else {}
        amounts.update({"cell time": f"{self.cell_timeout:g} s",
                        "call time": f"{self.call_timeout:g} s",
                        "submission time": f"{self.time_limit:g} s"})
        return amounts

    def hit(self, limit: str) -> str:
        """The feedback line for ``limit`` (``메모리 한도(2 GiB)에 걸렸습니다 / ...``)."""
        return limit_hit(limit, self.amounts())

    # -- running cells -------------------------------------------------------------
    def _execute(self, code: str, timeout: float,
                 user_expressions: dict | None = None) -> tuple[CellResult, dict | None]:
        """Run ``code``; return (CellResult, reply content or None)."""
        if self.kc is None:
            self._connect()
        if not self.proc.alive():
            return self._dead("kernel not running"), None
        deadline = min(time.monotonic() + timeout, self.hard_deadline)
        before = self.proc.counters()
        result, reply = self._run_code(code, deadline, user_expressions)
        if result.limit is None:
            result.limit = _counted_limit(before, self.proc.counters())
        return result, reply

    def _run_code(self, code: str, deadline: float,
                  user_expressions: dict | None) -> tuple[CellResult, dict | None]:
        msg_id = self.kc.execute(
            code, store_history=False, allow_stdin=False, user_expressions=user_expressions or {}
        )
        out: list[str] = []
        size, truncated, error, idle, limit = 0, False, "", False, None
        while not idle:
            if time.monotonic() > deadline:
                hard = "submission time" if deadline == self.hard_deadline else None
                return CellResult("timeout", "".join(out), "time limit exceeded", truncated,
                                  hard), None
            try:
                msg = self.kc.get_iopub_msg(timeout=0.2)
            except queue.Empty:
                if not self.proc.alive():
                    return self._dead("the kernel died", out, truncated), None
                continue
            if msg.get("parent_header", {}).get("msg_id") != msg_id:
                continue
            kind, content = msg["msg_type"], msg["content"]
            if kind == "status" and content.get("execution_state") == "idle":
                idle = True
            elif kind == "error":
                error = f"{content.get('ename')}: {content.get('evalue')}"[:2000]
                limit = limit_from_error(str(content.get("ename")), str(content.get("evalue")))
            elif kind in ("stream", "execute_result", "display_data"):
                piece = content.get("text") or str(content.get("data", {}).get("text/plain", ""))
                size += len(piece)
                if size <= MAX_OUTPUT_CHARS:
                    out.append(piece)
                else:
                    truncated = True  # keep reading so the queue drains, but store nothing
        reply = self._reply(msg_id, deadline)
        if reply is None:
            return self._dead("no reply from the kernel", out, truncated), None
        if any(p.get("source") == "ask_exit" for p in reply.get("payload", [])):
            # exit() / quit(): the kernel shuts down just after replying
            return CellResult("dead", "".join(out), "the cell asked the kernel to exit"), None
        status = "error" if error or reply.get("status") != "ok" else "ok"
        return CellResult(status, "".join(out), error, truncated, limit), reply

    def _dead(self, why: str, out: list[str] = (), truncated: bool = False) -> CellResult:
        limit = self.proc.death_reason()
        return CellResult("dead", "".join(out), why, truncated, limit)

    def _reply(self, msg_id: str, deadline: float) -> dict | None:
        while True:
            try:
                msg = self.kc.get_shell_msg(timeout=max(0.5, deadline - time.monotonic()))
            except queue.Empty:
                return None
            if msg.get("parent_header", {}).get("msg_id") == msg_id:
                return msg["content"]

    def run_cell(self, code: str) -> CellResult:
        """Run one notebook cell; a cell that hangs or kills the kernel is left out."""
        self._ensure_alive()
        result, _ = self._execute(code, self.cell_timeout)
        if result.status == "timeout" and result.limit is None:
            result.limit = "cell time"
        if result.status in ("timeout", "dead"):
            # restart rather than interrupt: what the cell did before it hung must not count
            self._recover(interrupt=False)
        else:
            self.history.append(code)
        return result

    def _ensure_alive(self) -> None:
        if not self.proc.alive():
            # the last cell ran to the end and then shut the kernel down (exit(), a thread)
            if self.history:
                self.history.pop()
            self._recover()

    def _recover(self, interrupt: bool = True) -> None:
        """Get back to a live kernel holding the effects of the cells in ``history``."""
        if interrupt and self.proc.alive():
            self.proc.interrupt()
            probe, _ = self._execute("pass", 3.0)
            if probe.status == "ok":
                return
        for _ in range(len(self.history) + 1):
            self._check_hard_deadline()
            self._restart()
            for i, code in enumerate(self.history):
                result, _ = self._execute(code, self.cell_timeout)
                if result.status in ("timeout", "dead"):
                    del self.history[i]
                    break
            else:
                if self.proc.alive():
                    return
        raise KernelLost("학생 커널을 다시 시작하지 못했습니다 / "
                         "the student's kernel could not be restarted")

    def _check_hard_deadline(self) -> None:
        if time.monotonic() > self.hard_deadline:
            raise KernelLost(self.hit("submission time"), "submission time")

    def _restart(self) -> None:
        self.restarts += 1
        stop_client(self.kc)
        self.kc = None
        self.proc.restart()
        self._connect()

    # -- calling student code ----------------------------------------------------------
    def request(self, req: dict) -> Any:
        """Send one request to the kernel-side helper and decode its answer strictly."""
        budget = min(self.call_timeout, self.deadline - time.monotonic())
        if budget <= 0:
            raise KernelLost("문항 시간 제한을 넘었습니다 / time limit for this question exceeded",
                             "question time")
        self._ensure_alive()
        call = f"__course_grader_result = __course_grader_call({json.dumps(req)!r})"
        code = f"{_KERNEL_CODE}\n{call}\ndel __course_grader_call"
        result, reply = self._execute(
            code, budget, user_expressions={"r": "__course_grader_result"}
        )
        if result.status in ("timeout", "dead"):
            limit = result.limit or ("call time" if result.status == "timeout" else None)
            self._recover()
            if limit is None:
                detail = "" if result.error == "the kernel died" else f" ({result.error})"
                raise KernelLost("호출 중 커널이 종료되었습니다 / the kernel died during the call"
                                 + detail)
            raise KernelLost(self.hit(limit), limit)
        return self._decode_reply(reply)

    def _decode_reply(self, reply: dict | None) -> Any:
        try:
            data = reply["user_expressions"]["r"]["data"]["text/plain"]
            if len(data) > MAX_REPLY_CHARS or data[:1] not in ("'", '"'):
                raise ValueError("not a short string literal")
            answer = json.loads(ast.literal_eval(data))
        except Exception as exc:  # noqa: BLE001 - whatever the kernel sent, it is not valid
            msg = f"unreadable answer from the kernel ({exc})"
            raise RemoteError(["ValueError"], msg) from None
        if not isinstance(answer, dict):
            raise RemoteError(["ValueError"], "unreadable answer from the kernel")
        if "error" in answer:
            err = answer["error"]
            types = [str(t) for t in err.get("types", [])][:20] or ["Error"]
            raise RemoteError(types, str(err.get("message", ""))[:2000])
        if answer.get("stop"):
            raise StopIteration
        if answer.get("missing"):
            return MISSING
        return decode(answer.get("ok"), self)

    def lookup(self, name: str) -> Any:
        """The value bound to ``name`` in the student's kernel, as data or a proxy."""
        value = self.request({"op": "lookup", "name": name})
        return Missing(name) if value is MISSING else value


MISSING = object()


class Missing:
    """Stands for an answer name the student's notebook never defined."""

    def __init__(self, name: str):
        self._name = self.__name__ = name

    def _raise(self, *args: Any, **kwargs: Any) -> Any:
        raise NameError(f"name {self._name!r} is not defined (run or write the answer cell)")

    __call__ = __iter__ = _raise

    def __getattr__(self, attr: str) -> Any:
        if attr.startswith("__"):
            raise AttributeError(attr)
        self._raise()

    def __repr__(self) -> str:
        return f"<undefined {self._name}>"


class RemoteObject:
    """A proxy for an object living in the student's kernel (a function, class, iterator).

    It has no ``__eq__``, ``__float__``, ``__len__`` or ``__array__``: comparing or
    converting it never runs student code, so it can only fail a check, never pass one.
    """

    __slots__ = ("_kernel", "_id", "_desc")

    def __init__(self, kernel: StudentKernel, ident: int, desc: str):
        self._kernel, self._id, self._desc = kernel, ident, desc

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        req = {"op": "call", "target": self._id, "args": encode(list(args)),
               "kwargs": encode(dict(kwargs))}
        return self._kernel.request(req)

    def __getattr__(self, attr: str) -> Any:
        if attr.startswith("_"):
            raise AttributeError(attr)
        return self._kernel.request({"op": "getattr", "target": self._id, "attr": attr})

    def __iter__(self) -> Any:
        return self._kernel.request({"op": "iter", "target": self._id})

    def __next__(self) -> Any:
        return self._kernel.request({"op": "next", "target": self._id})

    def __repr__(self) -> str:
        return f"<student's {self._desc.strip()}>"

    @property
    def __name__(self) -> str:  # noqa: PLW3201 - feedback shows the function's name
        return self._desc.split(" ", 1)[-1] or "object"


def encode(x: Any) -> Any:
    """Encode grader-side arguments (trusted data or proxies) for the student's kernel."""
    if x is None or isinstance(x, bool | str | int | float):
        return x
    if isinstance(x, np.generic):
        return x.item()
    if isinstance(x, np.ndarray):
        if x.dtype.kind not in _ALLOWED_KINDS:
            raise TypeError(f"cannot send an array of dtype {x.dtype} to the student's kernel")
        return {"t": "nd", "dtype": x.dtype.str, "shape": list(x.shape), "v": x.ravel().tolist()}
    if isinstance(x, list | tuple):
        return {"t": "tuple" if isinstance(x, tuple) else "list", "v": [encode(i) for i in x]}
    if isinstance(x, dict):
        return {"t": "dict", "v": [[k, encode(v)] for k, v in x.items()]}
    if isinstance(x, RemoteObject):
        return {"t": "h", "id": x._id}
    raise TypeError(f"cannot send {type(x).__name__} to the student's kernel")


def decode(x: Any, kernel: StudentKernel, depth: int = 0) -> Any:
    """Decode the student's kernel's answer, accepting only the documented forms."""
    if depth > 60:
        raise RemoteError(["ValueError"], "answer nested too deeply")
    if x is None or type(x) in (bool, str, int, float):
        return x
    if type(x) is not dict or "t" not in x:
        raise RemoteError(["ValueError"], "unexpected data from the kernel")
    t = x["t"]
    if t == "nd":
        dtype = np.dtype(str(x["dtype"]))
        if dtype.kind not in _ALLOWED_KINDS or dtype.itemsize > 16:
            raise RemoteError(["ValueError"], f"unexpected dtype {dtype}")
        shape = tuple(int(n) for n in x["shape"])
        values = x["v"]
        if type(values) is not list or any(type(v) not in (bool, int, float) for v in values):
            raise RemoteError(["ValueError"], "unexpected array data")
        return np.array(values, dtype=dtype).reshape(shape)
    if t in ("list", "tuple"):
        items = [decode(i, kernel, depth + 1) for i in x["v"]]
        return tuple(items) if t == "tuple" else items
    if t == "dict":
        return {k: decode(v, kernel, depth + 1) for k, v in x["v"] if type(k) in (str, int)}
    if t == "h":
        return RemoteObject(kernel, int(x["id"]), str(x.get("desc", "object"))[:100])
    raise RemoteError(["ValueError"], "unexpected data from the kernel")
