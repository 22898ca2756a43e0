from apps import sync
from apps.timesheets.models import Timesheet

sync.register(Timesheet, type_name="timesheet")
