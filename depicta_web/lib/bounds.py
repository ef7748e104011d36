"""The largest values a URL may ask for: days the calendar can count with, ids a database holds.

Python's dates end at 9999-12-31 and begin at 0001-01-01, so "the day after" the last one, or
the first one moved into UTC from a zone ahead of it, is no date at all (OverflowError). Days
well inside these bounds leave room for both. Ids past 64 bits fit no database column.
"""

from datetime import date

EARLIEST_DAY = date(2000, 1, 1)
LATEST_DAY = date(2999, 12, 31)
LARGEST_ID = 2**63 - 1  # a signed 64-bit integer: BigAutoField on SQLite and PostgreSQL


def day_is_countable(day: date) -> bool:
    return EARLIEST_DAY <= day <= LATEST_DAY


def days_allowed() -> str:
    """The bounds in words, for a form's message."""
    return f"between {EARLIEST_DAY.isoformat()} and {LATEST_DAY.isoformat()}"
