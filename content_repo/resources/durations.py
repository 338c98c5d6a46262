"""Durations as ISO 8601 in their shortest form: ``PT40M``, ``PT1H30M``, ``P1DT2H`` — as vendors send them.

Django's ``duration_iso_string`` writes every part (``P0DT00H40M00S``); the catalog answers in the form a
client sent, so a value sent as ``PT40M`` comes back as ``PT40M`` in JSON and JSON-LD alike.
"""

from __future__ import annotations

from datetime import timedelta

__all__ = ["iso_duration"]


def iso_duration(value: timedelta) -> str:
    """``value`` as the shortest ISO 8601 duration (negative durations keep a leading minus)."""
    sign = "-" if value < timedelta(0) else ""
    value = abs(value)
    days, seconds, micro = value.days, value.seconds, value.microseconds
    hours, seconds = divmod(seconds, 3600)
    minutes, seconds = divmod(seconds, 60)
    date = f"{days}D" if days else ""
    second_text = f"{seconds}.{micro:06d}".rstrip("0") if micro else str(seconds)
    time = "".join(
        f"{amount}{unit}"
        for amount, unit in ((hours, "H"), (minutes, "M"), (second_text, "S"))
        if amount not in (0, "0")
    )
    if not date and not time:
        return "PT0S"
    return f"{sign}P{date}" + (f"T{time}" if time else "")
