"""我的上报 / 本月情况: a liaison sees how many records the unit has and the newest ones with their numbers."""

from __future__ import annotations

import re

from ..conftest import Chat

PLACES = ["苏州", "无锡", "常州", "南通", "宁波", "温州", "嘉兴", "湖州", "绍兴", "金华", "台州", "合肥",
          "芜湖", "福州", "厦门", "泉州", "广州", "深圳", "东莞", "佛山", "珠海", "中山", "惠州", "长沙",
          "武汉", "郑州", "西安", "成都", "重庆", "昆明", "南宁", "贵阳"]


def test_a_long_month_lists_the_newest_thirty_and_counts_all(chat: Chat) -> None:
    for day, place in enumerate(PLACES, start=1):
        reply = chat.send("wz_liu", f"拜访：赴{place}拜访客商", at=f"2026-03-{min(day, 20):02d} 09:{day:02d}")
        assert reply.stored, reply.text
    summary = chat.send("wz_liu", "我的上报", at="2026-03-20 18:00").text
    numbers = [int(n) for n in re.findall(r"#(\d+) ", summary)]
    # 32 visits stored as #1..#32: the newest thirty are #3..#32, in order.
    assert "已登记32条" in summary and "仅列最近30条" in summary
    assert numbers == list(range(3, 33))
