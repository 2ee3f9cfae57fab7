"""Targets (เป้าหมาย): what each programme means to achieve per fiscal year or half-year
and area, in the programme's own unit. Set by agency management; the reports
set them beside what the events say was achieved."""
