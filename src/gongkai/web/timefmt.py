"""Times as people in China read them. The store keeps naive UTC (``datetime.now(UTC)`` without
its zone); every page shows them in Asia/Shanghai with the zone named, through :func:`shown`
(the Jinja filter ``localtime``), and the API gives them with their offset (:func:`iso`)."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta, timezone, tzinfo

ZONE_NAME = "Asia/Shanghai"


def _zone() -> tzinfo:
    """The IANA zone where the system has it; else UTC+8 (China has kept it all year since 1991)."""
    try:
        from zoneinfo import ZoneInfo

        return ZoneInfo(ZONE_NAME)
    except Exception:  # no tz database (a Windows install without tzdata)
        return timezone(timedelta(hours=8), ZONE_NAME)


ZONE = _zone()


def aware(moment: datetime) -> datetime:
    """A stored time (naive means UTC) as an aware UTC time."""
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def local(moment: datetime) -> datetime:
    """A stored time in Asia/Shanghai."""
    return aware(moment).astimezone(ZONE)


def shown(moment: datetime | str | None, seconds: bool = False) -> str:
    """「2026-12-07 13:45 (UTC+08:00)」: a stored time in Asia/Shanghai with its offset; an ISO
    string (from JSON) is read first; None or an unreadable value gives ""."""
    if isinstance(moment, str):
        try:
            moment = datetime.fromisoformat(moment)
        except ValueError:
            return ""
    if not isinstance(moment, datetime):
        return ""
    there = local(moment)
    offset = there.strftime("%z")
    return there.strftime("%Y-%m-%d %H:%M" + (":%S" if seconds else "")) + f" (UTC{offset[:3]}:{offset[3:]})"


def iso(moment: datetime | None) -> str | None:
    """A stored time for the API: ISO 8601 in UTC with its offset (``…+00:00``)."""
    return None if moment is None else aware(moment).isoformat()


def iso_local(moment: datetime | None) -> str | None:
    """For ``<time datetime=…>``: ISO 8601 in Asia/Shanghai with its offset."""
    return None if moment is None else local(moment).isoformat(timespec="seconds")


def day_start_utc(day: date) -> datetime:
    """The first instant of a day in Asia/Shanghai, as naive UTC (what the store compares)."""
    return datetime.combine(day, time(0), ZONE).astimezone(UTC).replace(tzinfo=None)


def day_end_utc(day: date) -> datetime:
    """The first instant after a day in Asia/Shanghai, as naive UTC (an exclusive bound)."""
    return day_start_utc(day + timedelta(days=1))
