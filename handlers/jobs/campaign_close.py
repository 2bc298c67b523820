"""活动总结: after a campaign's last day, its closing bulletin ranks it with its own weights.

"总结考核阶段：对照百日竞赛目标任务，认真进行总结考评，鼓励先进，鞭策后进": the ranking over the
campaign's dates, grades, top and bottom three, and who met the base task. Sent on the first workday
after the campaign ends, once (period = the campaign, round `close`).
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

from handlers.assessment.campaigns import base_task, campaign_named, campaign_span, period_of, task_lines
from handlers.assessment.ranking import table
from handlers.core.rules import Rules
from handlers.core.workdays import Workdays
from handlers.jobs.base import JobContext, Push, Round, Trigger, job
from handlers.jobs.tables import bottom_text, standing_lines, top_text
from handlers.publishing.documents import follow_ups


def _due(day: date, rules: Rules, workdays: Workdays) -> list[Round]:
    return [Round(period=c.name, name="close") for c in rules.schedule.campaigns
            if workdays.on_or_after(c.end + timedelta(days=1)) == day]


def _forced(at: datetime, rules: Rules, workdays: Workdays) -> Round:
    """The campaign that ended most recently before `at`'s day (none ended: nothing to send)."""
    day = at.astimezone(rules.schedule.tz).date()
    ended = [c for c in rules.schedule.campaigns if c.end < day]
    latest = max(ended, key=lambda c: c.end) if ended else None
    return Round(period=latest.name if latest else "-", name="close")


@job("campaign-close", "活动结束后的第一个工作日发布活动总结通报（按活动权重排名、基本任务完成情况）",
     trigger=lambda s: Trigger(s.bulletin_time), due=_due, forced=_forced)
def close_campaign(ctx: JobContext, rnd: Round) -> list[Push]:
    """The campaign's final ranking to the group."""
    campaign = campaign_named(rnd.period, ctx.rules)
    if campaign is None:
        return []
    t = table(ctx.store, period_of(campaign, ctx.rules), ctx.rules, as_of=ctx.at)
    if not t.rows:
        return []
    lines = [
        f"**【{campaign.name}总结通报】**（{campaign.start.year}年{campaign_span(campaign)}"
        + ("，按活动权重计分" if campaign.weights else "") + "）",
        *standing_lines(t),
        *[line for line in (top_text(t, "，予以通报表扬"), bottom_text(t, "请说明原因并提出下步措施")) if line],
        *task_lines(campaign, base_task(ctx.store, campaign, t, ctx.rules, as_of=ctx.at)),
    ]
    # The chart follows, as after every bulletin.
    media = follow_ups(ctx.store, t.period, ctx.rules, ctx.at, final=False)
    return [Push("\n".join(lines)), *[Push.of_media(m, suffix) for m, suffix in media]]
