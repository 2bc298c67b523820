"""The office's commands and everyone's questions in chat: 审核/草稿 (`review`), 通报 broadcasts,
排名/未报送/我的上报 (`queries`), the ranking as a picture, and 帮助 built from the registered handlers.
"""
