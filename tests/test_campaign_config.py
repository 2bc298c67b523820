"""A campaign in config.toml: the documented example loads; a mistake is a start-up error that says what."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest

from bot.settings import ConfigError, load_settings

EXAMPLE = Path(__file__).parents[1] / "config.example.toml"
HEAD = '[[schedule.campaigns]]\nname = "百日竞赛"\nstart = 2026-04-13\nend = 2026-07-31\n'


def _documented_campaign() -> str:
    """The commented `[[schedule.campaigns]]` example of config.example.toml, uncommented."""
    text = EXAMPLE.read_text(encoding="utf-8")
    block = text[text.index("# [[schedule.campaigns]]"):text.index("\n[reporting]")]
    return "\n".join(line[2:] if line.startswith("# ") else line.lstrip("#") for line in block.splitlines())


def test_the_documented_campaign_loads_with_its_phases_weights_and_base_task(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    path.write_text(_documented_campaign(), encoding="utf-8")
    [campaign] = load_settings(path).schedule.campaigns
    assert [p.name for p in campaign.phases] == ["宣传发动", "洽谈招商", "签约落地", "总结考核"]
    assert campaign.weights["竣工率"] == 20 and campaign.base_task == {"signings_over:10000": 1}
    assert campaign.meeting_every_days == 30
    assert tomllib.loads(_documented_campaign())  # plain TOML, no zsbot-only syntax


@pytest.mark.parametrize(("extra", "named"), [
    ('base_task = { "signings_over:1亿" = 1 }\n', "base_task"),
    ('weights = { "新项目" = 10 }\n', "新项目"),
    ('phases = [{ name = "冲刺", start = 2026-08-01, end = 2026-08-10 }]\n', "冲刺"),
])
def test_a_campaign_mistake_is_named_at_start_up(tmp_path: Path, extra: str, named: str) -> None:
    path = tmp_path / "config.toml"
    path.write_text(HEAD + extra, encoding="utf-8")
    with pytest.raises(ConfigError, match=named):
        load_settings(path)


def test_two_campaigns_of_one_name_are_refused(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    path.write_text(HEAD + HEAD, encoding="utf-8")
    with pytest.raises(ConfigError, match="2026百日竞赛"):
        load_settings(path)
