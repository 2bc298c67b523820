"""In the simulator (no WeCom), a bulletin's chart shows inline as a picture, as it would in the group."""

from __future__ import annotations

import pytest

from bot.runtime import Runtime
from bot.web import create_app
from tests.bot.conftest import LEAD, served
from tests.bot.test_simulator import browser, simulating  # noqa: F401  (the fixture)


@pytest.mark.browser
def test_in_chromium_the_bulletin_is_followed_by_its_chart_inline(roster: Runtime, browser) -> None:  # type: ignore[no-untyped-def]  # noqa: F811
    if "sqlite" not in roster.settings.database.url:
        pytest.skip("one database is enough for the browser")
    with served(create_app(simulating(roster))) as url:
        page = browser.new_page(viewport={"width": 1180, "height": 1100})
        page.goto(url + "/")
        page.wait_for_selector("text=· 实时推送已连接")
        page.fill("#clock", "2026-03-10T10:00")
        page.fill("#text", "@招商助手 " + LEAD)
        page.click("#send")
        page.wait_for_selector(".msg.bot >> text=已登记线索 #1")
        page.fill("#clock", "2026-03-16T09:30")
        page.click("button[data-job=bulletin]")
        picture = page.wait_for_selector(".msg.push img.picture")
        page.wait_for_function("document.querySelector('.msg.push img.picture').naturalWidth > 0")
        assert picture.evaluate("img => img.naturalWidth") == 1080
        assert picture.get_attribute("alt") == "排名图-2026-03.png"
        assert "【半月通报】" in page.locator(".msg.push").first.inner_text()
        page.reload()  # from the history too
        page.wait_for_selector(".msg.push img.picture")
