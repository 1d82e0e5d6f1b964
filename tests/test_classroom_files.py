"""classroom/: the hub configuration, the Jupyter configuration folders, the course-folder
and grading scripts, checked without root (the end-to-end run is test_classroom_hub.py).
"""

from __future__ import annotations

import html
import importlib
import json
import re
import sys
import types
from pathlib import Path

import pytest
from traitlets.config import Config

ROOT = Path(__file__).resolve().parents[1]
CLASSROOM = ROOT / "classroom"
sys.path.insert(0, str(CLASSROOM))
import grade  # noqa: E402
import new_course  # noqa: E402

NBGRADER_LAB = Path(sys.prefix) / "share" / "jupyter" / "labextensions" / "@jupyter" / "nbgrader"


def _load_hub_config(monkeypatch, **env: str) -> Config:
    for name in [v for v in list(__import__("os").environ) if v.startswith("COURSE_")]:
        monkeypatch.delenv(name)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    config = Config()
    source = (CLASSROOM / "jupyterhub_config.py").read_text(encoding="utf-8")
    exec(compile(source, str(CLASSROOM / "jupyterhub_config.py"), "exec"),  # noqa: S102
         {"get_config": lambda: config, "__file__": str(CLASSROOM / "jupyterhub_config.py")})
    return config


def test_hub_config_users_spawner_and_culler(monkeypatch):
    c = _load_hub_config(monkeypatch, COURSE_TEACHERS="kim", COURSE_STUDENTS="lee, park,",
                         COURSE_CULL_TIMEOUT="900", COURSE_VENV="/opt/course-env")
    assert c.JupyterHub.authenticator_class == "pam"
    assert c.Authenticator.allowed_users == {"kim", "lee", "park"}
    assert c.Authenticator.admin_users == {"kim"}
    assert c.JupyterHub.spawner_class == "localprocess"
    assert c.Spawner.cmd == ["/opt/course-env/bin/jupyterhub-singleuser"]
    assert c.Spawner.environment["PATH"].startswith("/opt/course-env/bin:")
    assert c.JupyterHub.bind_url == "http://127.0.0.1:8000"
    assert c.Spawner.http_timeout == c.Spawner.start_timeout == 180
    [culler] = c.JupyterHub.services
    assert culler["command"][1:] == ["-m", "jupyterhub_idle_culler", "--timeout=900",
                                     "--cull-every=600"]
    [role] = c.JupyterHub.load_roles
    assert role["services"] == [culler["name"]]
    # the culler's documented scopes, nothing more (no admin)
    assert set(role["scopes"]) == {"list:users", "read:users:activity", "read:servers",
                                   "delete:servers"}
    assert Path(c.ConfigurableHTTPProxy.command[0]) == CLASSROOM / "node_modules" / ".bin" / \
        "configurable-http-proxy"


def test_hub_config_dummy_authenticator_only_when_asked(monkeypatch):
    assert _load_hub_config(monkeypatch).JupyterHub.authenticator_class == "pam"
    c = _load_hub_config(monkeypatch, COURSE_AUTH="dummy")
    assert c.JupyterHub.authenticator_class == "dummy"


@pytest.mark.parametrize(("admin", "role"), [(True, "teacher"), (False, "student")])
def test_each_role_gets_its_jupyter_config_folders(monkeypatch, admin, role):
    c = _load_hub_config(monkeypatch, COURSE_TEACHERS="kim", COURSE_STUDENTS="lee")
    spawner = types.SimpleNamespace(user=types.SimpleNamespace(name="kim", admin=admin),
                                    environment=dict(c.Spawner.environment))
    c.Spawner.pre_spawn_hook(spawner)
    folders = spawner.environment["JUPYTER_CONFIG_PATH"].split(":")
    assert folders == [str(CLASSROOM / "jupyter" / role), str(CLASSROOM / "jupyter" / "common")]
    assert all(Path(f).is_dir() for f in folders)
    assert c.Spawner.environment.get("JUPYTER_CONFIG_PATH") is None  # shared dict untouched


def test_student_config_names_real_extensions():
    """A typo in an extension name would silently leave the formgrader on."""
    server = json.loads((CLASSROOM / "jupyter" / "student" / "jupyter_server_config.json")
                        .read_text(encoding="utf-8"))["ServerApp"]["jpserver_extensions"]
    assert server["nbgrader.server_extensions.formgrader"] is False
    assert server["nbgrader.server_extensions.assignment_list"] is True
    for module in server:
        importlib.import_module(module)
    lab = json.loads((CLASSROOM / "jupyter" / "student" / "labconfig" / "page_config.json")
                     .read_text(encoding="utf-8"))["disabledExtensions"]
    bundle = "".join(p.read_text(encoding="utf-8", errors="replace")
                     for p in (NBGRADER_LAB / "static").glob("*.js"))
    plugins = set(re.findall(r'"(@jupyter/nbgrader:[a-z-]+)"', bundle))
    assert "@jupyter/nbgrader:formgrader" in lab
    assert set(lab) <= plugins, set(lab) - plugins


def test_nbgrader_configs_set_course_exchange_and_course_folder(monkeypatch):
    monkeypatch.setenv("COURSE_ID", "gd-2026")
    monkeypatch.setenv("COURSE_EXCHANGE", "/srv/x")
    monkeypatch.setenv("HOME", "/home/kim")
    configs = {}
    for role in ("common", "teacher"):
        config = Config()
        source = (CLASSROOM / "jupyter" / role / "nbgrader_config.py").read_text(encoding="utf-8")
        exec(compile(source, role, "exec"), {"get_config": lambda c=config: c})  # noqa: S102
        configs[role] = config
    assert configs["common"].CourseDirectory.course_id == "gd-2026"
    assert configs["common"].Exchange.root == "/srv/x"
    assert configs["teacher"].CourseDirectory.root == "/home/kim/course"


def test_proxy_is_pinned():
    package = json.loads((CLASSROOM / "package.json").read_text(encoding="utf-8"))
    lock = json.loads((CLASSROOM / "package-lock.json").read_text(encoding="utf-8"))
    wanted = package["dependencies"]["configurable-http-proxy"]
    assert re.fullmatch(r"\d+\.\d+\.\d+", wanted)  # an exact version, installed by `npm ci`
    assert lock["packages"]["node_modules/configurable-http-proxy"]["version"] == wanted
    assert "classroom/node_modules/" in (ROOT / ".gitignore").read_text(encoding="utf-8")


def test_new_course_links_each_set_to_its_solution(tmp_path):
    made = new_course.make_course(tmp_path, only=["ex01", "ex03"])
    assert sorted(p.relative_to(tmp_path).as_posix() for p in made) == [
        "source/ex01/ex01_intuition.ipynb", "source/ex03/ex03_minibatch.ipynb"]
    assert all(p.is_symlink() and p.resolve().parent == new_course.SOLUTIONS for p in made)
    assert new_course.make_course(tmp_path, only=["ex01"]) == []  # already there
    everything = new_course.make_course(tmp_path)
    assert len(everything) == len(list(new_course.SOLUTIONS.glob("ex*.ipynb"))) - 2
    with pytest.raises(ValueError, match=r"sets must be among \['ex01'.*got \['ex99'\]"):
        new_course.make_course(tmp_path, only=["ex99"])


def _report(notebook: Path, score: float, feedback: str) -> dict:
    return {"notebook": str(notebook), "exercise": "ex01_intuition", "score": score,
            "max_score": 5.0, "manual_max_score": 1.0, "errors": [],
            "questions": [{"id": "ex01_q1", "score": score, "max_score": 5.0,
                           "feedback": feedback, "manual": False},
                          {"id": "ex01_w1", "score": 0.0, "max_score": 1.0,
                           "feedback": "needs manual grading", "manual": True}]}


def test_feedback_is_escaped_and_bilingual():
    page = grade.feedback_html(_report(Path("x.ipynb"), 2.0, "<script>alert(1)</script>"),
                               "lee", "ex01", "2026-03-02 10:00:00 UTC")
    assert "<script>" not in page and html.escape("<script>") in page
    assert "<b>2 / 5</b>" in page and "피드백 / feedback" in page
    assert "수동 채점 / manual" in page


def test_feedback_is_where_nbgrader_release_feedback_finds_it(tmp_path):
    """write_feedback's files, published by nbgrader's own release_feedback exchange."""
    from nbgrader.auth import Authenticator
    from nbgrader.coursedir import CourseDirectory
    from nbgrader.exchange.default import ExchangeReleaseFeedback
    from nbgrader.utils import notebook_hash

    course, exchange = tmp_path / "course", tmp_path / "exchange"
    exchange.mkdir(mode=0o777)
    exchange.chmod(0o777)
    submitted = course / "submitted" / "lee" / "ex01"
    submitted.mkdir(parents=True)
    (submitted / "ex01_intuition.ipynb").write_text("{}", encoding="utf-8")
    (submitted / "timestamp.txt").write_text("2026-03-02 10:00:00 UTC", encoding="utf-8")
    (submitted / "submission_secret.txt").write_text("s3cret", encoding="utf-8")
    staging, skipped = grade.stage(course, "ex01")
    assert skipped == [] and (staging / "lee" / "ex01_intuition.ipynb").is_file()
    pages = grade.write_feedback(course, "ex01", staging,
                                 [_report(staging / "lee" / "ex01_intuition.ipynb", 4.0, "ok")])
    assert pages == [course / "feedback" / "lee" / "ex01" / "ex01_intuition.html"]

    config = Config()
    config.CourseDirectory.root = str(course)
    config.CourseDirectory.course_id = "gd"
    config.CourseDirectory.assignment_id = "ex01"
    config.Exchange.root = str(exchange)
    coursedir = CourseDirectory(config=config)
    ExchangeReleaseFeedback(coursedir=coursedir, authenticator=Authenticator(config=config),
                            config=config).start()
    released = exchange / "gd" / "feedback" / (
        notebook_hash(secret="s3cret", notebook_id="ex01_intuition") + ".html")
    assert released.read_text(encoding="utf-8") == pages[0].read_text(encoding="utf-8")
    assert "<b>4 / 5</b>" in released.read_text(encoding="utf-8")


def test_stage_skips_symlinks(tmp_path):
    submitted = tmp_path / "submitted" / "lee" / "ex01"
    submitted.mkdir(parents=True)
    (tmp_path / "secret.ipynb").write_text("{}", encoding="utf-8")
    (submitted / "ex01_intuition.ipynb").symlink_to(tmp_path / "secret.ipynb")
    staging, skipped = grade.stage(tmp_path, "ex01")
    assert skipped == ["lee/ex01_intuition.ipynb: not a regular file"]
    assert list(staging.rglob("*.ipynb")) == []


def test_grade_refuses_where_no_sandbox_can_start_and_grades_nothing(tmp_path):
    """No bwrap on PATH: grade.py passes the grader's refusal on, writes no grades."""
    import subprocess

    submitted = tmp_path / "submitted" / "lee" / "ex01"
    submitted.mkdir(parents=True)
    (submitted / "ex01_intuition.ipynb").write_bytes(
        (ROOT / "exercises" / "ex01_intuition.ipynb").read_bytes())
    done = subprocess.run([sys.executable, str(ROOT / "classroom" / "grade.py"), "ex01",
                           "--course", str(tmp_path)], capture_output=True, text=True,
                          env={"PATH": str(tmp_path / "no-bwrap-here"), "HOME": str(tmp_path)},
                          timeout=120)
    assert done.returncode == 1, done
    assert "bubblewrap (bwrap) is not installed" in done.stderr  # the grader's reason
    assert "nothing was graded" in done.stderr and "GUIDE" in done.stderr
    assert not (tmp_path / "grades-ex01.csv").exists()
    assert not (tmp_path / "feedback").exists()


def test_grade_says_when_submissions_ran_unsandboxed():
    box = {"used": True, "tool": "bubblewrap 0.8.0"}
    reports = [dict(_report(Path(f"{n}.ipynb"), 1.0, "ok"), sandbox=box) for n in "ab"]
    assert grade.sandbox_line(reports) == ("샌드박스 / sandbox: bubblewrap 0.8.0, one per "
                                           "submission (2 graded)")
    reports[1]["sandbox"] = {"used": False}
    assert grade.sandbox_line(reports).startswith("경고 / warning: 1 of 2 graded WITHOUT")


@pytest.mark.parametrize(("admin", "role"), [(True, "teacher"), (False, "student")])
def test_tljh_snippet_adds_exchange_and_roles(monkeypatch, admin, role):
    from traitlets import Any, Dict, Integer
    from traitlets.config import Configurable

    class Spawner(Configurable):  # resolves the snippet's config as JupyterHub's would
        environment = Dict().tag(config=True)
        pre_spawn_hook = Any().tag(config=True)
        start_timeout = http_timeout = Integer(30).tag(config=True)

    monkeypatch.setenv("COURSE_JUPYTER_CONFIG", str(CLASSROOM / "jupyter"))
    config = Config()
    snippet = CLASSROOM / "tljh" / "gradient-descent.py"
    exec(compile(snippet.read_text(encoding="utf-8"), str(snippet), "exec"),  # noqa: S102
         {"get_config": lambda: config})
    spawner_config = Spawner(config=config)
    assert spawner_config.http_timeout == spawner_config.start_timeout == 180
    environment = spawner_config.environment
    assert environment["COURSE_EXCHANGE"] == "/srv/nbgrader/exchange"
    assert environment["OPENBLAS_NUM_THREADS"] == "1"
    spawner = types.SimpleNamespace(user=types.SimpleNamespace(name="lee", admin=admin),
                                    environment=dict(environment))
    config.Spawner.pre_spawn_hook(spawner)
    folders = spawner.environment["JUPYTER_CONFIG_PATH"].split(":")
    assert folders == [str(CLASSROOM / "jupyter" / role), str(CLASSROOM / "jupyter" / "common")]
