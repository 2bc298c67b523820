"""One typed settings object, built once from TOML + `ZSBOT_<SECTION>__<KEY>` and passed in."""

from __future__ import annotations

import os
import tomllib
from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr, ValidationError
from pydantic_settings import BaseSettings, PydanticBaseSettingsSource, SettingsConfigDict

from handlers.rules import CountingRules, ReportingRules, ScheduleRules, ScoringRules, Section


class DatabaseSettings(Section):
    url: str = "sqlite:///./zsbot.db"
    echo: bool = False


class WecomSettings(Section):
    corp_id: str = ""
    token: SecretStr = SecretStr("")
    encoding_aes_key: SecretStr = SecretStr("")
    agent_id: int | None = None
    secret: SecretStr = SecretStr("")
    api_base: str = "https://qyapi.weixin.qq.com"
    webhook_url: SecretStr = SecretStr("")
    #: Largest callback body accepted (bytes); WeCom's own are a few KB.
    max_body_bytes: int = 64 * 1024

    @property
    def app_enabled(self) -> bool:
        return bool(self.corp_id and self.token.get_secret_value() and self.encoding_aes_key.get_secret_value())


class AibotSettings(Section):
    mode: Literal["websocket", "callback"] = "websocket"
    bot_id: str = ""
    secret: SecretStr = SecretStr("")
    ws_url: str = "wss://openws.work.weixin.qq.com"
    token: SecretStr = SecretStr("")
    encoding_aes_key: SecretStr = SecretStr("")
    heartbeat_s: float = 30.0
    #: Long connection: the group chat that receives pushes when there is no webhook; empty means
    #: the group the bot was last @-mentioned in.
    group_chatid: str = ""

    @property
    def websocket_enabled(self) -> bool:
        return self.mode == "websocket" and bool(self.bot_id and self.secret.get_secret_value())

    @property
    def callback_enabled(self) -> bool:
        return bool(self.token.get_secret_value() and self.encoding_aes_key.get_secret_value())


class ServerSettings(Section):
    host: str = "127.0.0.1"
    port: int = 8000


class OutboxSettings(Section):
    per_minute: int = Field(20, ge=1, le=20)
    #: WeCom's definitive rejections of one push before it is failed (rate limits and gateway
    #: errors never count); `zsbot outbox retry` requeues a failed push.
    max_attempts: int = Field(12, ge=1)
    poll_s: float = 1.0
    #: How long WeCom may take to answer a send; a later answer means the push goes again.
    timeout_s: float = Field(30.0, gt=0)
    #: First wait after a temporary failure (and after a rejection); it doubles up to max_backoff_s.
    backoff_s: float = Field(5.0, gt=0)
    max_backoff_s: float = Field(600.0, gt=0)
    #: Wait after a rate limit (45009, HTTP 429): WeCom counts its limit per minute.
    rate_limit_pause_s: float = Field(60.0, gt=0)


class Settings(BaseSettings):
    """All of zsbot's configuration. Unknown keys anywhere are start-up errors naming the key."""

    model_config = SettingsConfigDict(
        env_prefix="ZSBOT_", env_nested_delimiter="__", extra="forbid", frozen=True
    )

    database: DatabaseSettings = Field(default_factory=DatabaseSettings)
    wecom: WecomSettings = Field(default_factory=WecomSettings)
    aibot: AibotSettings = Field(default_factory=AibotSettings)
    schedule: ScheduleRules = Field(default_factory=ScheduleRules)
    scoring: ScoringRules = Field(default_factory=ScoringRules)
    reporting: ReportingRules = Field(default_factory=ReportingRules)
    counting: CountingRules = Field(default_factory=CountingRules)
    server: ServerSettings = Field(default_factory=ServerSettings)
    outbox: OutboxSettings = Field(default_factory=OutboxSettings)

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        """Environment overrides win over the TOML file, which is passed in as init values."""
        return (env_settings, init_settings)


class ConfigError(Exception):
    """The configuration cannot be used; the message says which key and why."""


def config_path(explicit: str | Path | None) -> Path | None:
    """`--config`, else `$ZSBOT_CONFIG`, else `./config.toml` if it exists, else None (defaults)."""
    if explicit:
        return Path(explicit)
    if env := os.environ.get("ZSBOT_CONFIG"):
        return Path(env)
    local = Path("config.toml")
    return local if local.exists() else None


def load_settings(explicit: str | Path | None = None, **overrides: object) -> Settings:
    """Build the one Settings object; raises ConfigError with a readable message."""
    path = config_path(explicit)
    if path is not None and not path.exists():
        raise ConfigError(f"配置文件不存在: {path}")

    values: dict[str, object] = {}
    if path is not None:
        try:
            values = tomllib.loads(path.read_text(encoding="utf-8-sig"))
        except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
            raise ConfigError(f"无法读取配置 {path}: {exc}") from None
    for section, value in overrides.items():
        values[section] = value
    try:
        return Settings(**values)
    except ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in err['loc'])}: {_explain(err)}" for err in exc.errors()
        )
        raise ConfigError(f"配置有误 ({path or '默认配置/环境变量'}): {problems}") from None


def _explain(err: dict) -> str:  # type: ignore[type-arg]
    if err["type"] == "extra_forbidden":
        return "未知的配置项 (unknown key)"
    return str(err["msg"])


def redacted(settings: Settings) -> dict[str, object]:
    """Settings for logs: SecretStr fields stay masked, the webhook key too."""
    return settings.model_dump(mode="json")
