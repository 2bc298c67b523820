"""The project base (项目库): a record stored and linked to its project, 包干 owners, 策划包装,
the project commands in chat (归入, 新项目, 问题), and the questions about projects (开工率, 签约未开工).

`intake` turns a complete parse into a stored record on its project; everything that reports, corrects
or reviews records goes through it.
"""
