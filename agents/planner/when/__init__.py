"""Time expressions in a request → a `Schedule` (tokenizer, phrase grammar, composer)."""

from __future__ import annotations

from agents.planner.text import strip_quoted
from agents.planner.when.compose import compose
from agents.planner.when.foreign import in_english
from agents.planner.when.grammar import read
from agents.planner.when.schedule import Schedule
from agents.planner.when.tokens import Token, tokenize
from workflows.cron import validate_crontab

__all__ = ["Schedule", "read_schedule"]


def read_schedule(text: str, *, loose: bool = False) -> Schedule | None:
    """The recurring schedule a normalised request names, or None when it names none.

    A day and a time that open the request ("Friday 3pm: email me…") are a weekly schedule:
    an automation is asked for, not a one-off. `loose` (the model is sure it is a schedule)
    reads a day and a time anywhere that way.
    """
    tokens = _without_replaced(tokenize(strip_quoted(in_english(text))))
    reading = read(tokens)
    one_day_and_time = reading.lone_days and reading.phrases and not reading.recurs()
    if one_day_and_time and (loose or _opens_with_a_day(tokens) or _this_or_next_day(tokens)):
        reading.days.update(day for day, _ in reading.lone_days)
        reading.days_strong = True
    lone_clock = reading.phrases and not (reading.recurs() or reading.lone_days or reading.dates)
    # "sync the calendars at 4:30am and 6:30pm": one phrase naming several times of day is a
    # routine, wherever it stands (a one-off names one time)
    several = any(len(phrase) > 1 for phrase in reading.phrases)
    if lone_clock and not _one_off(tokens) and (loose or several or _opens_with_a_clock(tokens)):
        # "8am London time, email me today's appointments", "at 5pm send me the summary":
        # a time of day with nothing else said is every day at that time
        reading.periods.add("day")
        reading.anchors.append(reading.phrases[0][0].at)
    dated = [(m, d) for m, d in reading.dates if d is not None]
    if len({m for m, _ in dated}) >= 2 and not reading.recurs():
        # "on jan 1, apr 1, jul 1 and oct 1 at 9": a list of dates in different months recurs
        reading.months_strong = True
        reading.periods.add("year")
    before = _the_day_before(tokens)
    if (reading.days or reading.lone_days) and before is not None:
        # "payday is every 4 weeks on thursday, ping #finance the day before at 10": wednesday,
        # at the time said with "the day before" (not the event's own time)
        reading.days = {(day - 1) % 7 for day in reading.days}
        reading.lone_days = [((day - 1) % 7, on) for day, on in reading.lone_days]
        reading.anchors = [before]
    schedule = compose(reading)
    if schedule is None:
        return None
    try:
        validate_crontab(schedule.cron)
    except ValueError:
        return None
    return schedule


# What ends the times a request replaces ("once a week instead of every day, and …").
_REPLACED_END = frozenset({",", ";", ".", "!", "?", "(", ")", "and", "but", "so", "then"})


def _without_replaced(tokens: list[Token]) -> list[Token]:
    """The tokens without the times a request says it no longer wants ("post it once a week
    instead of every day", "at 2pm rather than 11"): the old time is not when it runs. A day
    replaced is kept, read as left out ("on thursday instead of friday")."""
    kept: list[Token] = []
    i = 0
    while i < len(tokens):
        pair = (tokens[i].text, tokens[i + 1].text if i + 1 < len(tokens) else "")
        if pair in (("instead", "of"), ("rather", "than")) and not (
            i + 2 < len(tokens) and tokens[i + 2].kind == "day"
        ):
            i += 2
            while i < len(tokens) and tokens[i].text not in _REPLACED_END:
                i += 1
            continue
        kept.append(tokens[i])
        i += 1
    return kept


_PARTS_OF_DAY = frozenset({"morning", "afternoon", "evening", "night"})
# Whose day it is before ("the day before their appointment"): each record's own date instead.
_WHOSE_DAY = frozenset({"their", "the", "each", "its", "his", "her", "a", "an", "every", "it's"})


def _the_day_before(tokens: list[Token]) -> int | None:
    """Where the request says it runs "the day before" the weekdays it names (not before each
    record's own date), or None."""
    for i in range(len(tokens) - 2):
        if (tokens[i].text, tokens[i + 2].text) == ("the", "before") and tokens[i + 1].text in (
            "day",
            "evening",
            "night",
        ):
            after = tokens[i + 3].text if i + 3 < len(tokens) else ""
            if after in _WHOSE_DAY or after in ("it", "they", "that", "this"):
                return None
            return i + 2
    return None


def _opens_with_a_day(tokens: list[Token]) -> bool:
    """Whether the request opens with a day and a time ("friday 3pm", "sunday night at 11")."""
    words = [t for t in tokens if t.kind != "punct" and t.text not in _PARTS_OF_DAY][:3]
    return any(t.kind == "day" for t in words[:2]) and any(
        t.kind in ("clock", "num", "ampm") for t in words
    )


def _this_or_next_day(tokens: list[Token]) -> bool:
    """Whether a day is named as the coming one ("next tuesday 9am", "this saturday at 10"): a
    one-off on a set day, which runs on the days it may fire on (docs/eval-labels.md)."""
    return any(
        token.kind == "day" and i > 0 and tokens[i - 1].text in ("this", "next", "coming")
        for i, token in enumerate(tokens)
    )


# Words that make a time of day a single occasion ("at 5pm tomorrow", "tonight at 8").
_ONE_OFF = frozenset({"today", "tomorrow", "tonight", "now", "once", "this", "next"})


def _one_off(tokens: list[Token]) -> bool:
    return any(t.kind == "word" and t.text in _ONE_OFF for t in tokens)


def _opens_with_a_clock(tokens: list[Token]) -> bool:
    """Whether one of the first three words is a time of day ("8am", "at 5pm", "at 17:30")."""
    words = [t for t in tokens if t.kind != "punct"][:3]
    return any(t.kind == "clock" or t.kind == "ampm" for t in words)
