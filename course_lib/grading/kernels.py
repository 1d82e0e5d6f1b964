"""Starting, connecting to and stopping a student's kernel, sandboxed or not.

:class:`SandboxedKernel` runs ``ipykernel`` in a fresh sandbox
(:mod:`course_lib.grading.sandbox`) each time it starts; :class:`LocalKernel` is the
unsandboxed kernel of ``--no-sandbox`` (jupyter_client's own manager). Both offer what
:class:`course_lib.grading.remote.StudentKernel` needs: ``start``, ``connect``,
``alive``, ``interrupt``, ``restart``, ``shutdown`` and ``death_reason``.
"""

from __future__ import annotations

import contextlib
import json
import os
import queue
import secrets
import shutil
import signal
import stat
import subprocess
import tempfile
import time

import zmq
from jupyter_client import BlockingKernelClient, KernelManager

from course_lib.grading.sandbox import (
    CONNECTION_FILE,
    KERNEL_DIR,
    Sandbox,
    SandboxProcess,
    SandboxUnavailable,
)

_CHANNELS = ("shell", "iopub", "stdin", "control", "hb")
#: largest message the grader accepts from a sandboxed kernel (replies are at most 20 MB)
MAX_MESSAGE_BYTES = 64 << 20


class KernelStartError(RuntimeError):
    """The kernel did not start or did not answer in time."""


def _handshake(kc: BlockingKernelClient, deadline: float, alive) -> bool:
    """True once a kernel_info request is answered and IOPub delivers; False after 3 s."""
    end = min(deadline, time.monotonic() + 3.0)
    while time.monotonic() < end:
        if not alive():
            raise KernelStartError("the kernel died while starting")
        msg_id = kc.kernel_info()
        try:
            while kc.get_shell_msg(timeout=1.0).get("parent_header", {}).get("msg_id") != msg_id:
                pass
            kc.get_iopub_msg(timeout=0.5)
        except queue.Empty:
            continue
        with contextlib.suppress(queue.Empty):  # the rest of the start-up messages
            while True:
                kc.get_iopub_msg(timeout=0.05)
        return True
    return False


class SandboxedKernel:
    """An IPython kernel in a new sandbox; a restart starts a new sandbox.

    The connection uses Unix sockets inside the sandbox's own ``/tmp``, reached from the
    host through ``/proc/PID/root``; nothing is written outside the sandbox. The client
    connects only once the kernel has made its sockets (before any student code runs)
    and never reconnects, so a socket replaced later by the student's code cannot send
    the grader anywhere else.
    """

    def __init__(self, sandbox: Sandbox):
        self.sandbox = sandbox
        self.proc: SandboxProcess | None = None
        self.info: dict = {}

    def start(self) -> None:
        self.info = {"transport": "ipc", "ip": f"{KERNEL_DIR}/k", "key": secrets.token_hex(32),
                     "signature_scheme": "hmac-sha256", "kernel_name": "python3"}
        self.info.update({f"{c}_port": i for i, c in enumerate(_CHANNELS, 1)})
        argv = [self.sandbox.python, "-m", "ipykernel_launcher", "-f", CONNECTION_FILE]
        self.proc = self.sandbox.spawn(argv, {CONNECTION_FILE: json.dumps(self.info).encode()})

    def connect(self, timeout: float) -> BlockingKernelClient:
        deadline = time.monotonic() + timeout
        try:
            base = f"{self.proc.root()}{KERNEL_DIR}/k"
        except SandboxUnavailable as exc:
            raise KernelStartError(str(exc)) from None
        while not all(_is_socket(f"{base}-{i}") for i in range(1, 6)):
            if not self.proc.alive():
                raise KernelStartError("the kernel died while starting: "
                                       + " ".join(self.proc.stderr_tail().split())[-300:])
            if time.monotonic() > deadline:
                raise KernelStartError(f"the kernel did not start in {timeout:g} s")
            time.sleep(0.02)
        while True:
            context = zmq.Context()
            context.setsockopt(zmq.RECONNECT_IVL, -1)
            # a bigger message ends the connection instead of landing in the grader's memory
            context.setsockopt(zmq.MAXMSGSIZE, MAX_MESSAGE_BYTES)
            kc = BlockingKernelClient(context=context)
            kc.load_connection_info(dict(self.info, ip=base))
            kc.start_channels(hb=False)
            if _handshake(kc, deadline, self.alive):
                kc._course_context = context  # noqa: SLF001 - closed with the client
                return kc
            _stop(kc, context)  # connected too early (socket made, not listening): again
            if time.monotonic() > deadline:
                raise KernelStartError(f"the kernel did not answer in {timeout:g} s")

    def alive(self) -> bool:
        return self.proc is not None and self.proc.alive()

    def interrupt(self) -> None:
        if self.proc is not None:
            self.proc.signal_kernel(signal.SIGINT)

    def restart(self) -> None:
        self.shutdown()
        self.start()

    def shutdown(self) -> None:
        if self.proc is not None:
            self.proc.kill()

    def death_reason(self) -> str | None:
        return self.proc.death_reason() if self.proc is not None else None

    def counters(self) -> dict[str, int]:
        return self.proc.counters() if self.proc is not None else {}


class LocalKernel:
    """The unsandboxed kernel (``--no-sandbox``): jupyter_client's manager, IPC sockets in
    a private temporary folder that is also the kernel's working folder."""

    def __init__(self) -> None:
        self.km: KernelManager | None = None
        self.cwd: str | None = None

    def start(self) -> None:
        self.cwd = tempfile.mkdtemp(prefix="grade-")
        env = dict(os.environ, MPLBACKEND="Agg", PYTHONHASHSEED="0")
        self.km = KernelManager(kernel_name="python3", transport="ipc",
                                ip=os.path.join(self.cwd, "kernel-ipc"))
        # its own output must not reach the grader's (a --json report on stdout)
        self.km.start_kernel(cwd=self.cwd, env=env, stdout=subprocess.DEVNULL,
                             stderr=subprocess.DEVNULL)

    def connect(self, timeout: float) -> BlockingKernelClient:
        kc = self.km.client()
        kc.start_channels()
        kc.wait_for_ready(timeout=timeout)
        return kc

    def alive(self) -> bool:
        return self.km is not None and self.km.is_alive()

    def interrupt(self) -> None:
        with contextlib.suppress(Exception):
            self.km.interrupt_kernel()

    def restart(self) -> None:
        self.km.restart_kernel(now=True)

    def shutdown(self) -> None:
        if self.km is not None:
            with contextlib.suppress(Exception):
                self.km.shutdown_kernel(now=True)
        if self.cwd is not None:
            shutil.rmtree(self.cwd, ignore_errors=True)

    def death_reason(self) -> str | None:
        return None

    def counters(self) -> dict[str, int]:
        return {}


def _is_socket(path: str) -> bool:
    try:
        return stat.S_ISSOCK(os.lstat(path).st_mode)
    except OSError:
        return False


def _stop(kc: BlockingKernelClient, context: zmq.Context | None = None) -> None:
    with contextlib.suppress(Exception):
        kc.stop_channels()
    context = context or getattr(kc, "_course_context", None)
    if context is not None:
        with contextlib.suppress(Exception):
            context.destroy(linger=0)


def stop_client(kc: BlockingKernelClient | None) -> None:
    """Close a client's channels (and the private ZeroMQ context of a sandboxed one)."""
    if kc is not None:
        _stop(kc)
