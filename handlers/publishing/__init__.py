"""What the office publishes: charts, the 通报 as an official document (.docx), the ledger workbook
(台账) and its 统计 sheet, and what follows a bulletin into the group (`documents`).
"""
