"""排名图 in chat: the ranking as a picture, pushed to the group through the outbox (image message)."""

from __future__ import annotations

from handlers.core.context import Context
from handlers.core.messages import Reply
from handlers.core.periods import period, period_named, settled_month
from handlers.core.registry import router
from handlers.publishing.documents import ranking_image, stats_for
from nlp import Intent, Parsed


@router.on(Intent.QUERY_RANK_CHART, title="排名图", examples=("排名图", "上月排名图"))
def send_rank_chart(parsed: Parsed, ctx: Context) -> Reply:
    """把本期（或所问期间）的排名图发到群里：按得分排序，按优/中/差着色，标出未报送单位。"""
    # As 排名: after the deadline, a question naming no period means the month just closed (its final
    # table), not the next month's nearly empty one.
    schedule = ctx.rules.schedule
    chosen = period_named(ctx.incoming.text, ctx.at, schedule) or period(settled_month(ctx.at, schedule).key, schedule)
    stats = stats_for(ctx.store, chosen, ctx.rules)
    if not stats.units:
        return Reply("名册中还没有单位，暂时没有排名图。")
    try:
        image = ranking_image(stats)
    except ValueError as exc:  # hundreds of units: over WeCom's 2 MB for an image, or too tall to draw
        return Reply(f"{stats.label}排名图未能发送：{exc}。请发送「排名」查看文字排名。")
    key = f"rank-chart:{chosen.key}:{ctx.incoming.channel}:{ctx.incoming.msg_id}"
    ctx.store.outbox.push(key, image.body(), kind=image.kind)
    return Reply(f"{stats.label}排名图（{len(stats.units)}个单位）已发到群里，请在群聊中查看。")
