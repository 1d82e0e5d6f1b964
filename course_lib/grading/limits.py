"""Resource limits of one submission's kernel, and how a limit that was hit is named.

The limits are enforced by :mod:`course_lib.grading.sandbox` (rlimits inside the
sandbox, a cgroup where one can be made); this module holds the numbers, parses the
command line's sizes (``2GiB``, ``256M``) and turns what a kernel reported (an error
name, an exit status, a cgroup counter) into the limit a teacher and a student can read.
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass

KIB, MIB, GIB = 1 << 10, 1 << 20, 1 << 30
_UNITS = {"": 1, "b": 1, "k": KIB, "kb": KIB, "kib": KIB, "m": MIB, "mb": MIB, "mib": MIB,
          "g": GIB, "gb": GIB, "gib": GIB}


def parse_size(text: str | int, name: str = "size") -> int:
    """Bytes in ``"2GiB"``, ``"256M"``, ``"512mb"`` or ``"1048576"`` (binary units).

    Raises
    ------
    ValueError
        Naming ``name`` and the accepted forms.
    """
    if isinstance(text, int) and not isinstance(text, bool):
        value = text
    else:
        match = re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*([a-zA-Z]*)\s*", str(text))
        unit = match and match.group(2).lower()
        if not match or unit not in _UNITS:
            raise ValueError(f"{name} must be a size such as 2GiB, 256MiB or 512M; got {text!r}")
        value = int(float(match.group(1)) * _UNITS[unit])
    if value <= 0:
        raise ValueError(f"{name} must be positive; got {text!r}")
    return value


def format_size(n: int) -> str:
    for unit, size in (("GiB", GIB), ("MiB", MIB), ("KiB", KIB)):
        if n >= size and n % (size // 4) == 0:
            return f"{n / size:g} {unit}"
    return f"{n} B"


@dataclass(frozen=True)
class Limits:
    """What one submission's kernel may use (each sandbox has its own).

    Parameters
    ----------
    memory : int
        Bytes of memory: the address space of each process (``RLIMIT_AS``) and, where a
        cgroup can be made, of the whole sandbox together (scratch files included).
    processes : int
        Processes and threads together (``RLIMIT_NPROC``, a cgroup's ``pids.max``).
        The kernel itself runs about 10 threads.
    file_size : int
        Largest file a process may write (``RLIMIT_FSIZE``).
    scratch : int
        Size of the private scratch folder ``/tmp`` (a tmpfs); the only writable place.
    cpu_time : float
        CPU seconds of one kernel process (``RLIMIT_CPU``); a kernel that uses them up
        is stopped and restarted like one that hangs.
    cpus : float
        Cores the sandbox may keep busy at once (a cgroup's CPU quota), so that a
        submission that spins many threads cannot slow down the others graded with it.
    """

    memory: int = 2 * GIB
    processes: int = 64
    file_size: int = 256 * MIB
    scratch: int = 256 * MIB
    cpu_time: float = 120.0
    cpus: float = 1.0

    def __post_init__(self) -> None:
        # a kernel with NumPy takes ~300 MB of address space, with scikit-learn ~470 MB
        checks = {"memory": (self.memory, 512 * MIB), "processes": (self.processes, 16),
                  "file_size": (self.file_size, MIB), "scratch": (self.scratch, MIB),
                  "cpu_time": (self.cpu_time, 1.0), "cpus": (self.cpus, 0.1)}
        for name, (value, low) in checks.items():
            if isinstance(value, bool) or not isinstance(value, int | float) or value < low:
                shown = format_size(low) if name in ("memory", "file_size", "scratch") else low
                raise ValueError(f"{name} must be at least {shown}; got {value!r}")

    def as_dict(self) -> dict:
        return asdict(self)

    def amounts(self) -> dict[str, str]:
        """Each limit's amount as shown in feedback (``{"memory": "2 GiB", ...}``)."""
        return {"memory": format_size(self.memory), "processes": str(self.processes),
                "file size": format_size(self.file_size),
                "scratch space": format_size(self.scratch), "CPU time": f"{self.cpu_time:g} s"}


_KO_NAMES = {"memory": "메모리", "processes": "프로세스·스레드 수", "file size": "파일 크기",
             "scratch space": "작업 공간(/tmp)", "CPU time": "CPU 시간",
             "cell time": "셀 실행 시간", "call time": "함수 호출 시간",
             "question time": "문항 채점 시간", "submission time": "제출물 채점 시간"}


def limit_label(limit: str, amounts: dict[str, str]) -> str:
    """``"memory"`` -> ``"메모리 한도(2 GiB) / the memory limit (2 GiB)"``."""
    amount = amounts.get(limit)
    return (f"{_KO_NAMES.get(limit, limit)} 한도{f'({amount})' if amount else ''} / "
            f"the {limit} limit{f' ({amount})' if amount else ''}")


def limit_hit(limit: str, amounts: dict[str, str]) -> str:
    """The feedback line for a limit that was hit, Korean first."""
    ko, en = limit_label(limit, amounts).split(" / ")
    return f"{ko}에 걸렸습니다 / {en} was reached"


#: What Python raises when a limit stops an operation: (exception names, message pattern).
_ERROR_LIMITS = (
    ("memory", {"MemoryError"}, None),
    ("file size", None, re.compile(r"\[Errno 27\]|File too large")),
    ("scratch space", None, re.compile(r"\[Errno 28\]|No space left on device")),
    ("processes", {"BlockingIOError"}, re.compile(r"\[Errno 11\]|Resource temporarily")),
    ("processes", None, re.compile(r"can't start new thread")),
)


def limit_from_error(types: list[str] | str, message: str) -> str | None:
    """The limit behind an error raised in student code (``None`` for an ordinary error).

    ``types`` is the exception's class name or the names of its MRO.
    """
    names = {types} if isinstance(types, str) else set(types)
    for limit, wanted, pattern in _ERROR_LIMITS:
        if wanted is not None and not names & wanted:
            continue
        if pattern is not None and not pattern.search(message or ""):
            continue
        return limit
    return None


def limit_from_text(text: str) -> str | None:
    """The limit behind an error quoted in a check's feedback (``raised MemoryError: ...``)."""
    return limit_from_error(re.findall(r"\b\w+Error\b", text), text)
