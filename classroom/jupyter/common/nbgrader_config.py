"""nbgrader settings every user shares: which course, and where the exchange is.

Loaded by teachers' and students' servers alike (JUPYTER_CONFIG_PATH, set by
classroom/jupyterhub_config.py). The hub passes COURSE_ID and COURSE_EXCHANGE to every
server; the exchange folder must exist, owned by root, mode 0777 (nbgrader's documented
set-up; ``nbgrader release_assignment`` checks it).
"""

import os

c = get_config()  # noqa: F821 - provided by nbgrader when it loads this file
c.CourseDirectory.course_id = os.environ.get("COURSE_ID", "gradient-descent")
c.Exchange.root = os.environ.get("COURSE_EXCHANGE", "/srv/nbgrader/exchange")
# A submission is a notebook or two: refuse anything large (sizes in kB).
c.CourseDirectory.max_file_size = 5000
c.CourseDirectory.max_dir_size = 20000
