"""The office's rhythm as jobs, declared like handlers: one module per job, registered by `@job(...)`.

报送提醒 (monthly_nag), 逾期未报 (overdue_list), 半月通报 (bulletin), 签约项目跟进 (stale_projects),
季度策划包装 (quarterly_planning), 活动阶段 (campaign_phases), 活动总结 (campaign_close),
半年提醒 (half_year), 年末考核 (year_end), 调度会 (meeting), 每周督查通报 (weekly_inspection). Importing this
package registers them, in this order; the machinery (what a job is, running a round once) is
`handlers.jobs.base`. To add a job: write a module here with
a run function decorated by `@job`, and import it below.
"""

# isort: off
# Registration order is run order when several jobs are due at the same minute.
from handlers.jobs import monthly_nag, overdue_list, bulletin, stale_projects, quarterly_planning  # noqa: F401
from handlers.jobs import campaign_phases, campaign_close, half_year, year_end, meeting  # noqa: F401
from handlers.jobs import weekly_inspection  # noqa: F401
# isort: on
from handlers.jobs.base import (
    Job,
    JobContext,
    Outcome,
    Push,
    Round,
    Trigger,
    fire_times,
    job,
    job_named,
    jobs,
    next_runs,
    run_due_between,
    run_job,
)

__all__ = [
    "Job", "JobContext", "Outcome", "Push", "Round", "Trigger", "fire_times", "job", "job_named", "jobs",
    "next_runs", "run_due_between", "run_job",
]
