"""Assessment: targets against 序时进度, scores, grades and the ranking, campaigns with their own weights.

`stats` is `zsbot stats`; `stats_view` puts its figures in the shape the charts, the .docx and the
workbook draw from; `ranking` is the table people see; `targets` imports the annual tasks. Reads the
county's rules (`handlers.core`) and nothing above it.
"""
