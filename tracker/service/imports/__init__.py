"""The kinds of file the tracker imports, one module each: class lists
(:mod:`.students`), a year's schedule (:mod:`.activities`), sign-in sheets
(:mod:`.attendance`) and assignment decisions (:mod:`.assignments`).

Each says which columns it reads and how to read and apply a line; the loop around
them (all or nothing, problems by line, dry runs, summaries) is
:mod:`tracker.service.import_driver`'s, and reading CSV files and workbooks is
:mod:`tracker.sheets`'.
"""

from tracker.service.imports.activities import import_activities
from tracker.service.imports.assignments import import_assignments
from tracker.service.imports.attendance import import_attendance
from tracker.service.imports.students import import_students

__all__ = ["import_activities", "import_assignments", "import_attendance", "import_students"]
