"""The config's ``schedule``: a cron expression or ``every N minutes``, checked to mean
what it says.

Cron's small print surprises people: ``*/90 * * * *`` is not "every 90 minutes" (a
step past the field's range matches its first value only, so it runs hourly),
``*/45`` runs at :00 and :45, and ``* * 31 2 *`` never runs at all. A schedule
like that is refused when the config loads, with the times it would really run,
computed the way Prefect's scheduler computes them. Intervals that cron cannot
express are written ``every 90 minutes`` (a Prefect interval schedule).
"""

from __future__ import annotations

import datetime as dt
import re
import zoneinfo
from dataclasses import dataclass

__all__ = [
    "DEFAULT_SCHEDULE",
    "Schedule",
    "check_schedule",
    "interval_anchor",
    "next_runs",
    "parse_schedule",
]

DEFAULT_SCHEDULE = "*/15 * * * *"

# name, span of values (for steps over '*'), and whether an uneven step misleads
_FIELDS = (
    ("minute", 60, True),
    ("hour", 24, True),
    ("day of month", 31, False),  # months differ in length anyway
    ("month", 12, False),
    ("weekday", 7, False),
)
_UNITS = {
    "s": 1,
    "sec": 1,
    "second": 1,
    "m": 60,
    "min": 60,
    "minute": 60,
    "h": 3600,
    "hour": 3600,
    "d": 86400,
    "day": 86400,
}
_EVERY = re.compile(r"^every\s+(\d+)\s*([a-z]+?)s?$", re.IGNORECASE)
# A never-firing cron is looked for this far ahead: Feb 29 comes every 4 (at most 8) years.
_HORIZON = dt.timedelta(days=366 * 9)


def interval_anchor(timezone: str) -> dt.datetime:
    """Where an interval counts from: midnight in its zone, so the run times stay the
    same when serve restarts ('every 90 minutes' runs at 00:00, 01:30, 03:00, …)."""
    return dt.datetime(2020, 1, 1, tzinfo=zoneinfo.ZoneInfo(timezone))


@dataclass(frozen=True)
class Schedule:
    """A parsed schedule: exactly one of ``cron`` and ``interval`` is set."""

    text: str
    cron: str | None = None
    interval: dt.timedelta | None = None


def parse_schedule(text: str) -> Schedule:
    """``text`` as a cron expression (5 fields) or an interval (``every 90 minutes``).

    Raises ValueError saying what is wrong; the meaning is checked by
    :func:`check_schedule`.
    """
    text = " ".join(text.split())
    every = _EVERY.match(text)
    if every:
        count, unit = int(every.group(1)), every.group(2).lower()
        if unit not in _UNITS:
            raise ValueError(
                f"{text!r}: unknown unit {unit!r}; use seconds, minutes, hours or days, "
                "e.g. 'every 90 minutes'"
            )
        if count < 1:
            raise ValueError(f"{text!r}: the interval must be at least 1 {unit}")
        return Schedule(text, interval=dt.timedelta(seconds=count * _UNITS[unit]))
    if len(text.split()) != 5:
        raise ValueError(
            f"{text!r} is not a 5-field cron expression (minute hour day month weekday), "
            "e.g. '*/15 * * * *', nor an interval such as 'every 90 minutes'"
        )
    from prefect._internal.schemas.validators import validate_cron_string

    try:
        validate_cron_string(text)
    except ValueError as exc:
        hint = "expected minute hour day month weekday, e.g. '0 * * * *'"
        raise ValueError(f"{exc}; {hint}") from None
    return Schedule(text, cron=text)


def next_runs(
    schedule: Schedule, timezone: str, count: int = 3, start: dt.datetime | None = None
) -> list[dt.datetime]:
    """The next ``count`` times the schedule fires, as Prefect's scheduler computes them
    (its own server-side schedule classes); empty when it never fires."""
    from prefect._vendor.croniter.croniter import CroniterBadDateError
    from prefect.server.schemas.schedules import CronSchedule, IntervalSchedule
    from prefect.utilities.asyncutils import run_coro_as_sync

    start = start or dt.datetime.now(dt.UTC)
    if schedule.interval is not None:
        server_side: CronSchedule | IntervalSchedule = IntervalSchedule(
            interval=schedule.interval, anchor_date=interval_anchor(timezone), timezone=timezone
        )
    else:
        server_side = CronSchedule(cron=str(schedule.cron), timezone=timezone)
    try:
        dates = run_coro_as_sync(server_side.get_dates(n=count, start=start, end=start + _HORIZON))
    except CroniterBadDateError:
        return []
    return list(dates or [])


def _shown(times: list[dt.datetime], timezone: str) -> str:
    return ", ".join(t.strftime("%a %Y-%m-%d %H:%M") for t in times) + f" ({timezone})"


def _misleading_step(cron: str) -> tuple[str, str] | None:
    """Why a ``*/N`` step does not repeat every N units, and the interval meant; or None."""
    for (name, span, uneven_misleads), field in zip(_FIELDS, cron.split(), strict=True):
        for part in field.split(","):
            base, _, step = part.partition("/")
            if not step.isdigit() or base != "*":
                continue
            every = int(step)
            meant = f"every {every} {name}s" if name in ("minute", "hour") else ""
            if every >= span:
                why = (
                    f"'{part}' in the {name} field matches only the field's first value: "
                    f"a step of {every} is past its {span} values"
                )
                return why, meant
            if uneven_misleads and span % every:
                why = (
                    f"'{part}' in the {name} field restarts at 0 every "
                    f"{'hour' if name == 'minute' else 'day'}, so the gaps are not all {every}"
                )
                return why, meant
    return None


def check_schedule(text: str | None, timezone: str = "UTC") -> str | None:
    """``text`` normalised, or None for no schedule; ValueError when it is malformed,
    never fires, or cannot mean what it says (the error says when it would run)."""
    if text is None or not text.strip():
        return None
    schedule = parse_schedule(text)
    if schedule.text == DEFAULT_SCHEDULE:
        return schedule.text  # known good: spares importing Prefect's server schemas
    if schedule.cron is not None:
        misleading = _misleading_step(schedule.cron)
        runs = next_runs(schedule, timezone, count=4)
        if not runs:
            raise ValueError(
                f"{schedule.text!r} never fires: no date in the next {_HORIZON.days // 366} "
                "years matches every field (is the day in that month?)"
            )
        if misleading:
            why, meant = misleading
            fix = f"; for a fixed gap write '{meant}'" if meant else ""
            raise ValueError(
                f"{schedule.text!r} does not run as it reads: {why}. It would run at "
                f"{_shown(runs, timezone)} …{fix}"
            )
    return schedule.text
