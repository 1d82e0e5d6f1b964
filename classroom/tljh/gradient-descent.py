"""The course on The Littlest JupyterHub: a configuration snippet TLJH loads after its own.

    sudo cp classroom/tljh/gradient-descent.py /opt/tljh/config/jupyterhub_config.d/
    sudo tljh-config reload hub

TLJH already provides the users (``jupyter-<name>``), their servers (systemd, with
``tljh-config set limits.memory``), the proxy and the idle culler. This adds what the
course needs: the exchange settings for nbgrader, one BLAS thread per kernel, and the
formgrader for admins (the teachers) only, through the Jupyter configuration folders
copied to ``/opt/tljh/user/share/gradient-descent/jupyter`` (see the guide).
"""

import os

JUPYTER = os.environ.get("COURSE_JUPYTER_CONFIG",
                         "/opt/tljh/user/share/gradient-descent/jupyter")

c = get_config()  # noqa: F821 - provided by JupyterHub when TLJH loads this snippet
c.Spawner.environment.update({
    "COURSE_ID": "gradient-descent",
    "COURSE_EXCHANGE": "/srv/nbgrader/exchange",
    "OPENBLAS_NUM_THREADS": "1",
    "OMP_NUM_THREADS": "1",
    "MKL_NUM_THREADS": "1",
})

# a class logging in together shares the cores: allow slow starts (JupyterHub's default 30 s
# failed 17 simultaneous logins on 2 cores, benchmarks/classroom.py)
c.Spawner.start_timeout = c.Spawner.http_timeout = 180


def choose_jupyter_config(spawner) -> None:
    """Admins (teachers) see the formgrader; students only fetch, validate and submit."""
    role = "teacher" if spawner.user.admin else "student"
    folders = [os.path.join(JUPYTER, role), os.path.join(JUPYTER, "common")]
    spawner.environment = dict(spawner.environment, JUPYTER_CONFIG_PATH=os.pathsep.join(folders))


c.Spawner.pre_spawn_hook = choose_jupyter_config
