"""Reporting: the liaison's side of a month. Reports (one or many parts), the draft dialogue that asks
for what is missing, and 更正/撤回 of one's own records. Stores through `handlers.project_base.intake`.
"""
