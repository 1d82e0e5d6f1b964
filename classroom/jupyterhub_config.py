"""JupyterHub for one course server: local users, their own processes, the course's kernel.

Start it as root (LocalProcessSpawner switches to each user's uid)::

    COURSE_TEACHERS=kim COURSE_STUDENTS=lee,park,choi \
        /opt/gradient-descent/.venv/bin/jupyterhub -f classroom/jupyterhub_config.py

Everything that differs between machines is an environment variable (defaults in brackets):

=========================  ==========================================================
COURSE_TEACHERS            comma-separated user names; hub admins, get the formgrader
COURSE_STUDENTS            comma-separated user names allowed to log in
COURSE_AUTH                ``pam`` (local Unix passwords) or ``dummy`` (any password:
                           only for trying the hub on 127.0.0.1) [pam]
COURSE_VENV                the course's environment: its ``bin/jupyterhub-singleuser``
                           runs each user's server, its Python is the kernel
                           [the checkout's ``.venv``]
COURSE_JUPYTER_CONFIG      the folder holding ``common/``, ``student/``, ``teacher/``;
                           every user must be able to read it [``classroom/jupyter``]
COURSE_HUB_STATE           hub database, cookie secret, proxy pid file
                           [/srv/gradient-descent/hub]
COURSE_HUB_URL             where the proxy listens [http://127.0.0.1:8000]; put a TLS
                           proxy in front, or use The Littlest JupyterHub (GUIDE)
COURSE_HUB_PORT            the hub's own port, on 127.0.0.1 [8081]
COURSE_PROXY_API_PORT      the proxy's REST API, on 127.0.0.1 [8001]
COURSE_ID                  nbgrader course id [gradient-descent]
COURSE_EXCHANGE            nbgrader exchange folder [/srv/nbgrader/exchange]
COURSE_SPAWN_TIMEOUT       seconds a server may take to start and answer [180]: a class
                           logging in together shares the cores (benchmarks/classroom.py)
COURSE_CULL_TIMEOUT        stop a server idle this many seconds [3600]
COURSE_CULL_EVERY          check for idle servers this often [600]
COURSE_ACTIVITY_INTERVAL   how often the hub reads activity from the proxy [300]
=========================  ==========================================================

Teachers (the hub's admins) and students get different Jupyter configuration folders
(``classroom/jupyter/``) through ``JUPYTER_CONFIG_PATH``: both share the exchange settings;
only teachers load the formgrader and the assignment-creation tools.
"""

import os
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
COURSE = HERE.parent


def setting(name: str, default: str) -> str:
    return os.environ.get(name, "").strip() or default


def names(variable: str) -> set[str]:
    return {n.strip() for n in os.environ.get(variable, "").split(",") if n.strip()}


VENV = Path(setting("COURSE_VENV", str(COURSE / ".venv")))
STATE = Path(setting("COURSE_HUB_STATE", "/srv/gradient-descent/hub"))
TEACHERS = names("COURSE_TEACHERS")
STUDENTS = names("COURSE_STUDENTS")
JUPYTER_CONFIG = Path(setting("COURSE_JUPYTER_CONFIG", str(HERE / "jupyter")))
PROXY = HERE / "node_modules" / ".bin" / "configurable-http-proxy"  # npm ci --prefix classroom

c = get_config()  # noqa: F821 - provided by JupyterHub when it loads this file

# --- network: everything on 127.0.0.1; a TLS-terminating proxy belongs in front ---------
c.JupyterHub.bind_url = setting("COURSE_HUB_URL", "http://127.0.0.1:8000")
c.JupyterHub.hub_bind_url = f"http://127.0.0.1:{setting('COURSE_HUB_PORT', '8081')}"
c.ConfigurableHTTPProxy.api_url = f"http://127.0.0.1:{setting('COURSE_PROXY_API_PORT', '8001')}"
c.ConfigurableHTTPProxy.command = [str(PROXY)]
c.ConfigurableHTTPProxy.pid_file = str(STATE / "proxy.pid")
c.JupyterHub.db_url = f"sqlite:///{STATE / 'jupyterhub.sqlite'}"
c.JupyterHub.cookie_secret_file = str(STATE / "jupyterhub_cookie_secret")
c.JupyterHub.cleanup_servers = True  # stopping the hub stops every user's server

# --- who may log in -------------------------------------------------------------------
if setting("COURSE_AUTH", "pam") == "dummy":
    c.JupyterHub.authenticator_class = "dummy"  # any password: never on a public address
else:
    c.JupyterHub.authenticator_class = "pam"  # the users' Unix passwords
c.Authenticator.allowed_users = TEACHERS | STUDENTS
c.Authenticator.admin_users = TEACHERS

# --- each user's server: their own Unix process, the course's environment ------------
c.JupyterHub.spawner_class = "localprocess"
c.Spawner.cmd = [str(VENV / "bin" / "jupyterhub-singleuser")]
c.Spawner.default_url = "/lab"
c.Spawner.notebook_dir = "~"
# JupyterHub gives a server 30 s to answer; with 17 students logging in at once on 2 cores
# servers took longer and their spawns failed. A slow start beats a failed one.
c.Spawner.start_timeout = c.Spawner.http_timeout = int(setting("COURSE_SPAWN_TIMEOUT", "180"))
c.Spawner.environment = {
    # the course's tools first: nbgrader runs `alembic`, terminals find `python` and `nbgrader`
    "PATH": f"{VENV / 'bin'}:/usr/local/bin:/usr/bin:/bin",
    "COURSE_ID": setting("COURSE_ID", "gradient-descent"),
    "COURSE_EXCHANGE": setting("COURSE_EXCHANGE", "/srv/nbgrader/exchange"),
    # tiny matrices: a BLAS thread pool per student costs more than it saves (see course.py)
    "OPENBLAS_NUM_THREADS": "1",
    "OMP_NUM_THREADS": "1",
    "MKL_NUM_THREADS": "1",
    "LANG": "C.UTF-8",
}


def choose_jupyter_config(spawner) -> None:
    """Teachers (admins) see the formgrader; students only fetch, validate and submit."""
    role = "teacher" if spawner.user.admin else "student"
    folders = [JUPYTER_CONFIG / role, JUPYTER_CONFIG / "common"]
    spawner.environment = dict(spawner.environment,
                               JUPYTER_CONFIG_PATH=os.pathsep.join(map(str, folders)))


c.Spawner.pre_spawn_hook = choose_jupyter_config

# --- stop idle servers (jupyterhub-idle-culler, run by the hub as a service) ----------
c.JupyterHub.last_activity_interval = int(setting("COURSE_ACTIVITY_INTERVAL", "300"))
c.JupyterHub.services = [{
    "name": "idle-culler",
    "command": [sys.executable, "-m", "jupyterhub_idle_culler",
                f"--timeout={int(setting('COURSE_CULL_TIMEOUT', '3600'))}",
                f"--cull-every={int(setting('COURSE_CULL_EVERY', '600'))}"],
}]
c.JupyterHub.load_roles = [{
    "name": "idle-culler",
    "scopes": ["list:users", "read:users:activity", "read:servers", "delete:servers"],
    "services": ["idle-culler"],
}]
