"""Reporting: the liaison's side of a month. Reports (one or many parts), the draft dialogue that asks
for what is missing, 更正/撤回 of one's own records, and 佐证 (the files sent with a report, `归入 #N`). Stores through `handlers.project_base.intake`.
"""
