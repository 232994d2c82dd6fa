"""Solr date math (Solr guide, "Working with Dates"): an instant ``NOW`` or
``2024-01-01T00:00:00Z`` (fraction optional, literal ``Z``), then any run of ``+N UNIT``,
``-N UNIT`` and ``/UNIT`` (round down), e.g. ``NOW-1DAY``, ``NOW/DAY``,
``NOW+6MONTHS+3DAYS/DAY``. Months and years move by the calendar, clamping the day as Java's
Calendar does (Jan 31 + 1MONTH = Feb 28/29). Units are upper case, as Solr requires."""
from __future__ import annotations

import calendar
import re
from datetime import datetime, timedelta, timezone

_INSTANT = re.compile(r"(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?Z")
_STEP = re.compile(r"([+-])(\d{1,9})([A-Z]+)|/([A-Z]+)")
UNITS = {
    "YEAR": "year", "YEARS": "year", "MONTH": "month", "MONTHS": "month",
    "DAY": "day", "DAYS": "day", "DATE": "day", "HOUR": "hour", "HOURS": "hour",
    "MINUTE": "minute", "MINUTES": "minute", "SECOND": "second", "SECONDS": "second",
    "MILLI": "milli", "MILLIS": "milli", "MILLISECOND": "milli", "MILLISECONDS": "milli",
}


class DateMathError(ValueError):
    """Solr's "Invalid Date String" / "Invalid Date Math String"."""


def parse(text: str, now: datetime) -> datetime:
    """The instant ``text`` denotes, with ``now`` standing for NOW (an aware UTC datetime)."""
    if text.startswith("NOW"):
        when, rest = now, text[3:]
    else:
        m = _INSTANT.match(text)
        if not m:
            raise DateMathError("Invalid Date String:'%s'" % text)
        y, mo, d, h, mi, s, frac = m.groups()
        try:
            when = datetime(int(y), int(mo), int(d), int(h), int(mi), int(s),
                            int((frac or "0").ljust(6, "0")[:6]), tzinfo=timezone.utc)
        except ValueError:
            raise DateMathError("Invalid Date String:'%s'" % text) from None
        rest = text[m.end():]
    pos = 0
    while pos < len(rest):
        m = _STEP.match(rest, pos)
        if not m:
            raise DateMathError("Invalid Date Math String:'%s'" % text)
        sign, amount, unit, round_unit = m.groups()
        name = UNITS.get(unit or round_unit)
        if name is None:
            raise DateMathError("Invalid Date Math String:'%s' (unit not recognized: %s)"
                                % (text, unit or round_unit))
        try:
            when = _round(when, name) if round_unit else _add(when, name, int(amount) * (
                -1 if sign == "-" else 1))
        except (OverflowError, ValueError):
            raise DateMathError("Invalid Date Math String:'%s' (out of range)" % text) from None
        pos = m.end()
    return when


def _add(when: datetime, unit: str, n: int) -> datetime:
    if unit in ("year", "month"):
        months = when.year * 12 + (when.month - 1) + (n * 12 if unit == "year" else n)
        year, month = divmod(months, 12)
        month += 1
        if not 1 <= year <= 9999:
            raise OverflowError
        day = min(when.day, calendar.monthrange(year, month)[1])
        return when.replace(year=year, month=month, day=day)
    step = {"day": timedelta(days=1), "hour": timedelta(hours=1), "minute": timedelta(minutes=1),
            "second": timedelta(seconds=1), "milli": timedelta(milliseconds=1)}[unit]
    return when + step * n


def _round(when: datetime, unit: str) -> datetime:
    if unit == "year":
        return when.replace(month=1, day=1, hour=0, minute=0, second=0, microsecond=0)
    if unit == "month":
        return when.replace(day=1, hour=0, minute=0, second=0, microsecond=0)
    if unit == "day":
        return when.replace(hour=0, minute=0, second=0, microsecond=0)
    if unit == "hour":
        return when.replace(minute=0, second=0, microsecond=0)
    if unit == "minute":
        return when.replace(second=0, microsecond=0)
    if unit == "second":
        return when.replace(microsecond=0)
    return when.replace(microsecond=when.microsecond // 1000 * 1000)
