"""The teacher's course folder: ``~/course``, made by ``python classroom/new_course.py``.

Its ``source/exNN/`` folders link to the course's ``solutions/`` notebooks, so nbgrader
releases exactly what the course grader grades against.
"""

import os

c = get_config()  # noqa: F821 - provided by nbgrader when it loads this file
c.CourseDirectory.root = os.path.expanduser("~/course")
c.Execute.timeout = 60  # nbgrader autograde: seconds per cell
