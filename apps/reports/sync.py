from apps import sync
from apps.reports.models import DailyReport, DailyReportLine

sync.register(DailyReport, type_name="daily_report", lines=sync.Lines(DailyReportLine, parent_field="report"))
