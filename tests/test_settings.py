"""Configuration: TOML plus ZSBOT_<SECTION>__<KEY> overrides; a typo is an error naming the key."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.settings import ConfigError, load_settings, redacted


def test_defaults_serve_a_new_user(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("ZSBOT_CONFIG", raising=False)
    settings = load_settings()
    assert settings.database.url == "sqlite:///./zsbot.db"
    assert settings.schedule.timezone == "Asia/Shanghai" and settings.schedule.deadline_day == 20
    assert settings.schedule.nag_days == [15, 18, 19] and settings.schedule.bulletin_days == [1, 16]


def test_unknown_key_is_rejected_with_its_name(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    path.write_text('[schedule]\ndeadline_dya = 18\n', encoding="utf-8")
    with pytest.raises(ConfigError, match="schedule.deadline_dya"):
        load_settings(path)


def test_environment_overrides_the_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "config.toml"
    path.write_text('[schedule]\ndeadline_day = 25\nnag_days = [20]\n', encoding="utf-8")
    monkeypatch.setenv("ZSBOT_SCHEDULE__DEADLINE_DAY", "18")
    settings = load_settings(path)
    assert settings.schedule.deadline_day == 18 and settings.schedule.nag_days == [20]


def test_config_env_variable_names_the_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "other.toml"
    path.write_text('[database]\nurl = "sqlite:///other.db"\n', encoding="utf-8")
    monkeypatch.setenv("ZSBOT_CONFIG", str(path))
    assert load_settings().database.url == "sqlite:///other.db"


def test_secrets_are_masked_in_logs(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    path.write_text('[wecom]\ncorp_id = "ww1"\ntoken = "s3cr3t-token"\nencoding_aes_key = "' + "k" * 43 + '"\n'
                    'webhook_url = "https://x/send?key=abc"\n', encoding="utf-8")
    shown = str(redacted(load_settings(path)))
    assert "s3cr3t-token" not in shown and "key=abc" not in shown


def test_config_example_is_valid_and_documents_every_key() -> None:
    example = Path(__file__).parents[1] / "config.example.toml"
    settings = load_settings(example)
    text = example.read_text(encoding="utf-8")
    for section, model in settings:
        for key in type(model).model_fields:
            assert f"{key} =" in text or f"{key}=" in text, f"[{section}] {key} is not documented"


def test_missing_config_file_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="不存在"):
        load_settings(tmp_path / "nope.toml")


AES = "jWmYm7qr5nMoAUwZRjGtBxmz3KA1tkAj3ykkR6q2B2C"


@pytest.mark.parametrize(("toml", "named"), [
    # the AI bot's long-connection id and secret, but the mode left at callback
    (f'[aibot]\nmode = "callback"\nbot_id = "b"\nsecret = "s"\ntoken = "t"\nencoding_aes_key = "{AES}"\n', "aibot.mode"),
    ('[aibot]\nbot_id = "b"\n', "aibot.secret"),
    ('[aibot]\nmode = "callback"\ntoken = "t"\n', "aibot.encoding_aes_key"),
    ('[wecom]\ncorp_id = "ww1"\ntoken = "t"\n', "wecom.encoding_aes_key"),
    # an app set up for pushes only: it would receive nothing
    ('[wecom]\ncorp_id = "ww1"\nagent_id = 1000002\nsecret = "s"\n', "wecom.token"),
    (f'[wecom]\ntoken = "t"\nencoding_aes_key = "{AES}"\n', "wecom.corp_id"),
    (f'[wecom]\ncorp_id = "ww1"\ntoken = "t"\nencoding_aes_key = "{AES}"\nsecret = "s"\n', "wecom.agent_id"),
    # the live ledger (智能表格) on, with an app that cannot call APIs (no secret)
    (f'[wecom]\ncorp_id = "ww1"\ntoken = "t"\nencoding_aes_key = "{AES}"\n[sheet]\nenabled = true\n', "wecom.secret"),
    ('[sheet]\nenabled = true\n', "wecom.corp_id"),
    # a webhook key for a live ledger left off
    ('[sheet]\nwebhook_key = "k"\n', "sheet.enabled"),
])
def test_a_half_finished_wecom_configuration_stops_start_up_naming_the_key(
    tmp_path: Path, toml: str, named: str
) -> None:
    path = tmp_path / "config.toml"
    path.write_text(toml, encoding="utf-8")
    with pytest.raises(ConfigError, match=named.replace(".", r"\.")):
        load_settings(path)


def test_whole_wecom_configurations_start(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    path.write_text(f'[wecom]\ncorp_id = "ww1"\ntoken = "t"\nencoding_aes_key = "{AES}"\nagent_id = 1\nsecret = "s"\n'
                    f'[aibot]\nmode = "callback"\ntoken = "t"\nencoding_aes_key = "{AES}"\n', encoding="utf-8")
    settings = load_settings(path)
    assert settings.wecom.app_enabled and settings.aibot.callback_enabled and not settings.simulator.enabled
