"""One typed settings object, built once from TOML + `ZSBOT_<SECTION>__<KEY>` and passed in."""

from __future__ import annotations

import os
import tomllib
from collections.abc import Mapping
from enum import StrEnum
from pathlib import Path
from typing import Any, Literal

from pydantic import Field, SecretStr, ValidationError, model_validator
from pydantic_settings import BaseSettings, PydanticBaseSettingsSource, SettingsConfigDict

from handlers.core.rules import (
    CountingRules,
    CountyRules,
    DocumentRules,
    PackagingRules,
    ReportingRules,
    ScheduleRules,
    ScoringRules,
    Section,
)


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
    #: Deepest JSON nesting accepted in a callback body, checked before parsing.
    max_json_depth: int = Field(32, ge=2, le=200)

    @property
    def app_enabled(self) -> bool:
        return bool(self.corp_id and self.token.get_secret_value() and self.encoding_aes_key.get_secret_value())

    @property
    def can_push_privately(self) -> bool:
        """The self-built app can message one member (message/send needs the corp, its secret and the agent)."""
        return bool(self.corp_id and self.secret.get_secret_value() and self.agent_id)


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
        return self.mode == "callback" and bool(
            self.token.get_secret_value() and self.encoding_aes_key.get_secret_value())


class ServerSettings(Section):
    host: str = "127.0.0.1"
    port: int = 8000


class SimulatorSettings(Section):
    #: The web simulator lets anyone speak as anyone: off unless asked for.
    enabled: bool = False


class InboxSettings(Section):
    #: The app's passive reply waits this long for the receipt (WeCom gives up after 5 s).
    reply_within_s: float = Field(4.0, ge=0, le=4.5)
    #: The AI bot's first answer waits this long, only when nothing else is queued.
    first_answer_s: float = Field(0.05, ge=0, le=4.5)
    #: An AI-bot answer no stream refresh collected goes by response_url after this long.
    response_url_after_s: float = Field(20.0, ge=0)
    #: On SIGTERM: how long to keep handling what is queued before stopping.
    shutdown_grace_s: float = Field(10.0, ge=0)
    #: How often the worker looks at the table for work it was not woken for (other processes).
    poll_s: float = Field(1.0, gt=0)


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


class SheetSettings(Section):
    """The live ledger (智能表格), off by default: `zsbot sheet sync` writes the 项目 and 台账 sheets through the
    self-built app's document API (its corp_id and secret), and members' edits come back to the app's callback."""

    enabled: bool = False
    #: The document's name when the first sync creates it.
    doc_name: str = "招商台账"
    #: Members (userids) made administrators of the new document, so it appears in their 文档 list.
    admin_users: list[str] = Field(default_factory=list)
    #: Fallback when the app may not call the document API: the key of the 台账 sheet's webhook
    #: (智能表格 → 接收外部数据), which can add rows only.
    webhook_key: SecretStr = SecretStr("")

    @property
    def webhook_set(self) -> bool:
        return bool(self.webhook_key.get_secret_value())


class EvidenceSettings(Section):
    """佐证: the images and files liaisons send the bot in 1:1 chat, kept as files named by their hash."""

    #: Where the files lie; empty: an `evidence` folder beside the SQLite database (`./evidence` on PostgreSQL).
    folder: str = ""
    #: The largest file accepted (bytes); a larger download is cut off as soon as it passes this.
    max_bytes: int = Field(20 * 1024 * 1024, ge=1)
    #: How long one download may stall (WeCom's links live five minutes).
    timeout_s: float = Field(30.0, gt=0)


def evidence_folder(settings: Settings) -> Path:
    """`[evidence] folder`, else beside the SQLite database file, else `./evidence` (PostgreSQL, in-memory)."""
    if settings.evidence.folder:
        return Path(settings.evidence.folder)
    url = settings.database.url
    if url.startswith("sqlite:///") and url not in ("sqlite:///:memory:",):
        return Path(url.removeprefix("sqlite:///").split("?")[0]).parent / "evidence"
    return Path("evidence")


class PushRoute(StrEnum):
    """The way a push leaves; each pauses on its own (a webhook outage does not stop private pushes)."""

    WEBHOOK = "webhook"
    AIBOT = "aibot"
    APP = "app"
    CONSOLE = "console"


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
    packaging: PackagingRules = Field(default_factory=PackagingRules)
    server: ServerSettings = Field(default_factory=ServerSettings)
    outbox: OutboxSettings = Field(default_factory=OutboxSettings)
    simulator: SimulatorSettings = Field(default_factory=SimulatorSettings)
    inbox: InboxSettings = Field(default_factory=InboxSettings)
    documents: DocumentRules = Field(default_factory=DocumentRules)
    county: CountyRules = Field(default_factory=CountyRules)
    sheet: SheetSettings = Field(default_factory=SheetSettings)
    evidence: EvidenceSettings = Field(default_factory=EvidenceSettings)

    @model_validator(mode="after")
    def _whole_wecom_configuration(self) -> Settings:
        """A half-finished WeCom configuration is an error naming the missing key, not a silent
        fallback (it used to mount the open simulator)."""
        problems = wecom_problems(self)
        if problems:
            raise ValueError("; ".join(problems))
        return self

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


def wecom_problems(settings: Settings) -> list[str]:
    """Each partial WeCom channel, named by the key that is missing or contradicts the rest."""
    w, a = settings.wecom, settings.aibot
    out: list[str] = []

    def has(value: SecretStr | str | int | None) -> bool:
        return bool(value.get_secret_value() if isinstance(value, SecretStr) else value)

    if has(w.token) != has(w.encoding_aes_key):
        missing = "wecom.encoding_aes_key" if has(w.token) else "wecom.token"
        out.append(f"缺少 {missing}（应用回调需要 token 和 encoding_aes_key 两项）")
    if has(w.token) and not has(w.corp_id):
        out.append("缺少 wecom.corp_id（应用回调解密需要企业ID）")
    if has(w.secret):
        if not has(w.token):
            out.append("缺少 wecom.token 和 wecom.encoding_aes_key（设置了 wecom.secret，应用还须配置接收消息）")
        if not has(w.corp_id):
            out.append("缺少 wecom.corp_id（设置了 wecom.secret）")
        if not w.agent_id:
            out.append("缺少 wecom.agent_id（设置了 wecom.secret）")
    for key, value in (("wecom.encoding_aes_key", w.encoding_aes_key), ("aibot.encoding_aes_key", a.encoding_aes_key)):
        if has(value) and len(value.get_secret_value()) != 43:
            out.append(f"{key} 应为 43 个字符")
    if has(a.bot_id) != has(a.secret):
        out.append(f"缺少 {'aibot.secret' if has(a.bot_id) else 'aibot.bot_id'}（长连接需要 bot_id 和 secret 两项）")
    if a.mode == "callback":
        if has(a.bot_id) or has(a.secret):
            out.append('aibot.mode = "callback" 但设置了 aibot.bot_id/secret（长连接请设 mode = "websocket"）')
        if has(a.token) != has(a.encoding_aes_key):
            out.append(f"缺少 {'aibot.encoding_aes_key' if has(a.token) else 'aibot.token'}"
                       "（智能机器人回调需要 token 和 encoding_aes_key 两项）")
        if not has(a.token) and not has(a.encoding_aes_key):
            out.append("缺少 aibot.token 和 aibot.encoding_aes_key（aibot.mode = \"callback\"）")
    elif has(a.token) or has(a.encoding_aes_key):
        out.append('设置了 aibot.token/encoding_aes_key 但 aibot.mode 不是 "callback"')
    out += _sheet_problems(settings)
    return out


def _sheet_problems(settings: Settings) -> list[str]:
    """[sheet] uses the self-built app's credentials; its other keys mean nothing while it is off."""
    sheet, w = settings.sheet, settings.wecom
    if not sheet.enabled:
        stray = [k for k, set_ in (("sheet.webhook_key", sheet.webhook_set), ("sheet.admin_users", sheet.admin_users))
                 if set_]
        return [f"设置了 {k} 但 sheet.enabled 不是 true" for k in stray]
    out = []
    if not w.corp_id:
        out.append("缺少 wecom.corp_id（sheet.enabled = true：智能表格用自建应用的企业ID和 Secret 调用文档接口）")
    if not w.secret.get_secret_value():
        out.append("缺少 wecom.secret（sheet.enabled = true：智能表格用自建应用的 Secret 调用文档接口）")
    return out


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


def load_settings(explicit: str | Path | None = None, **overrides: Any) -> Settings:
    """Build the one Settings object; raises ConfigError with a readable message."""
    path = config_path(explicit)
    if path is not None and not path.exists():
        raise ConfigError(f"配置文件不存在: {path}")

    values: dict[str, Any] = {}
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


def _explain(err: Mapping[str, Any]) -> str:
    if err["type"] == "extra_forbidden":
        return "未知的配置项 (unknown key)"
    return str(err["msg"]).removeprefix("Value error, ")


def redacted(settings: Settings) -> dict[str, object]:
    """Settings for logs: SecretStr fields stay masked, the webhook key too."""
    return settings.model_dump(mode="json")


def group_route(settings: Settings) -> PushRoute:
    """Where group pushes go: the group robot's webhook, else the AI bot's long connection, else the console.
    The one place this is decided (the sender, the console and the channels ask it)."""
    if settings.wecom.webhook_url.get_secret_value():
        return PushRoute.WEBHOOK
    if settings.aibot.websocket_enabled:
        return PushRoute.AIBOT
    return PushRoute.CONSOLE


def private_route(settings: Settings) -> PushRoute:
    """Where a push to one member goes: the self-built app when it can send, else the console."""
    return PushRoute.APP if settings.wecom.can_push_privately else PushRoute.CONSOLE
