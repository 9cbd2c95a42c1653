"""Clock times and time windows in a token list ("8:30", "5 pm", "half past 8", "9-5")."""

from __future__ import annotations

from agents.planner.when import lexicon as lx
from agents.planner.when.reading import Clock
from agents.planner.when.tokens import Token

_LEADS = frozenset({"at", "@", "around", "about", "by", "approx", "approximately"})
_NOT_POINT = frozenset({"after", "before", "until", "till", "since", "outside", "past"})


def text(tokens: list[Token], i: int) -> str:
    """The token's text at `i`, or "" past the end."""
    return tokens[i].text if 0 <= i < len(tokens) else ""


def kind(tokens: list[Token], i: int) -> str:
    """The token's kind at `i`, or "end" past the end."""
    return tokens[i].kind if 0 <= i < len(tokens) else "end"


def number(tokens: list[Token], i: int) -> int | None:
    """A cardinal at `i`: digits or a number word ("two", "fifteen")."""
    token = tokens[i] if 0 <= i < len(tokens) else None
    if token is None:
        return None
    if token.kind == "num":
        return token.value
    return lx.NUMBER_WORDS.get(token.text) if token.kind == "word" else None


def is_quantity_after(tokens: list[Token], i: int) -> bool:
    """Whether the word at `i` makes the number before it a quantity ("14 days", "3 people")."""
    if kind(tokens, i) == "day" or kind(tokens, i) == "month":
        return False
    word = text(tokens, i)
    if word in lx.UNITS:
        return True
    return (
        kind(tokens, i) == "word"
        and len(word) > 3
        and word.endswith("s")
        and (word not in lx.NOT_PLURAL and word not in lx.DAYPARTS)
    )


def _military(tokens: list[Token], i: int) -> bool:
    """ "weekdays 0930 sgt", "every saturday 0800": four digits next to a day or a zone, or
    written with a leading zero after a schedule word, read as a 24-hour time."""
    before, after = kind(tokens, i - 1), kind(tokens, i + 1)
    schedule_word = text(tokens, i - 1) in ("weekdays", "weekday", "daily", "nightly", "every")
    return after == "zone" or before == "day" or (tokens[i].text[0] == "0" and schedule_word)


def read_time(tokens: list[Token], i: int, bare: bool) -> tuple[Clock, int] | None:
    """A clock time starting at `i` (a bare "8" only when `bare`), and the index after it."""
    token = tokens[i] if i < len(tokens) else None
    if token is None:
        return None
    word = token.text
    if word in ("noon", "midday", "lunchtime"):
        return Clock(12, 0, h24=True, at=i), i + 1
    if word == "midnight":
        return Clock(0, 0, h24=True, at=i), i + 1
    if word in ("half", "quarter") and text(tokens, i + 1) in ("past", "after", "to", "before"):
        hour = number(tokens, i + 2)
        if hour is None or not 1 <= hour <= 12:
            return None
        minutes = 30 if word == "half" else 15
        if text(tokens, i + 1) in ("to", "before"):
            hour, minutes = (hour - 1) % 12 or 12, 60 - minutes
        return _suffixed(tokens, i + 3, Clock(hour, minutes, at=i))
    if word == "half" and bare and (hour := number(tokens, i + 1)) and 1 <= hour <= 12:
        return _suffixed(tokens, i + 2, Clock(hour, 30, at=i))  # British "at half 8"
    if token.kind == "clock" and token.text in ("24:00", "24h00"):
        return Clock(0, 0, h24=True, at=i), i + 1
    if token.kind == "clock":
        if token.value > 23 or token.minute > 59:
            return None
        h24 = token.value > 12 or token.value == 0 or token.text.startswith("0")
        return _suffixed(tokens, i + 1, Clock(token.value, token.minute, h24=h24, at=i))
    if token.kind == "decimal":
        hour_text, _, minute_text = word.partition(".")
        spoken = kind(tokens, i + 1) == "ampm" or bare
        if len(minute_text) != 2 or not spoken or int(hour_text) > 23 or int(minute_text) > 59:
            return None
        return _suffixed(tokens, i + 1, Clock(int(hour_text), int(minute_text), at=i))
    value = number(tokens, i)
    if value is None or value < 0:
        return None
    if (
        token.kind == "num"
        and len(token.text) == 4
        and (bare or text(tokens, i + 1) in lx.HOUR_UNITS or _military(tokens, i))
    ):
        hour, minute = divmod(value, 100)  # "0800", "1730 hrs"
        if hour > 23 or minute > 59:
            return None
        end = i + 2 if text(tokens, i + 1) in lx.HOUR_UNITS else i + 1
        return Clock(hour, minute, h24=True, at=i), end
    if not 0 <= value <= 24:
        return None
    following = tokens[i + 1] if i + 1 < len(tokens) else None
    if following is not None and following.kind == "ampm":
        if not 1 <= value <= 12:
            return None
        return Clock(value, 0, following.text, at=i), i + 2
    if text(tokens, i + 1) in ("o'clock", "oclock") or (
        text(tokens, i + 1) == "o" and text(tokens, i + 2) == "clock"
    ):
        return Clock(value, 0, at=i), i + (2 if text(tokens, i + 1) != "o" else 3)
    if 1 <= value <= 12 and _daypart_after(tokens, i + 1):
        return Clock(value, 0, at=i), i + 1  # "6 in the morning", "9 at night", "7 tonight"
    zone_next = kind(tokens, i + 1) == "zone" and text(tokens, i + 1) not in ("time", "tz")
    if (bare or zone_next) and token.kind == "num" and not is_quantity_after(tokens, i + 1):
        if value == 24:
            value = 0
        return Clock(value, 0, h24=value == 0 or value > 12, at=i), i + 1
    if bare and token.kind == "word" and 1 <= value <= 12 and not is_quantity_after(tokens, i + 1):
        return Clock(value, 0, at=i), i + 1
    return None


def _daypart_after(tokens: list[Token], i: int) -> bool:
    """Whether a part of the day follows: "in the morning", "at night", "tonight"."""
    if text(tokens, i) == "in" and text(tokens, i + 1) == "the":
        return text(tokens, i + 2) in ("morning", "afternoon", "evening")
    return (text(tokens, i) == "at" and text(tokens, i + 1) == "night") or text(tokens, i) in (
        "tonight",
        "am",
        "pm",
    )


def _suffixed(tokens: list[Token], i: int, clock: Clock) -> tuple[Clock, int]:
    """`clock` with an am/pm written after it ("8:30 pm", "half past 8 am")."""
    if kind(tokens, i) == "ampm" and 1 <= clock.hour <= 12:
        return Clock(clock.hour, clock.minute, tokens[i].text, at=clock.at), i + 1
    return clock, i


def read_point_times(tokens: list[Token], i: int) -> tuple[list[Clock], int] | None:
    """Point times from `i`: "at 8 and 5", "8am + 3pm", "noon" (not "after 6pm")."""
    if text(tokens, i - 1) in _NOT_POINT:
        return None
    lead = text(tokens, i) in _LEADS
    start = i + 1 if lead else i
    first = read_time(tokens, start, bare=lead)
    if first is None:
        return None
    clocks, end = [first[0]], _past_daypart(tokens, first[1])
    while text(tokens, end) in (",", "and", "&", "+") or (
        text(tokens, end) == "and" and text(tokens, end + 1) in ("at", "again")
    ):
        step = end + 1
        while text(tokens, step) in ("at", "again", "then", "also"):
            step += 1
        more = read_time(tokens, step, bare=True)
        if more is None:
            break
        clocks.append(more[0])
        end = _past_daypart(tokens, more[1])
    if _list_of_quantities(tokens, end):
        return None  # "at 1, 7 and 14 days late": how late, not when
    return clocks, end


_DURATIONS = frozenset(
    [
        "day",
        "days",
        "week",
        "weeks",
        "month",
        "months",
        "year",
        "years",
        "hour",
        "hours",
        "hr",
        "hrs",
        "min",
        "mins",
        "minute",
        "minutes",
    ]
)


def _list_of_quantities(tokens: list[Token], end: int) -> bool:
    """Whether bare numbers read as times go on into a length of time ("1, 7 and 14 days", "3
    and 10 days overdue"): then every number in the list counts days, none is a clock time."""
    if kind(tokens, end - 1) != "num":
        return False  # "5am of the team's calendars", "10am weekdays": a time said as one
    if text(tokens, end) in _DURATIONS:
        return True
    step = end + 1 if text(tokens, end) in (",", "and", "&", "+", "or") else end
    return step != end and number(tokens, step) is not None and text(tokens, step + 1) in _DURATIONS


def _past_daypart(tokens: list[Token], i: int) -> int:
    """The index after a part of the day written after a time ("7 in the morning and 9 at
    night": the list goes on after "morning"); `i` when none follows."""
    joiners = (",", "and", "&", "+")
    if (
        text(tokens, i) == "in"
        and text(tokens, i + 1) == "the"
        and text(tokens, i + 2) in ("morning", "afternoon", "evening")
        and text(tokens, i + 3) in joiners
    ):
        return i + 3
    if (
        text(tokens, i) == "at"
        and text(tokens, i + 1) == "night"
        and text(tokens, i + 2) in joiners
    ):
        return i + 2
    return i


_DAY_WORDS = frozenset({"weekdays", "weekday", "workdays", "weekends", "daily", "day", "days"})


def read_window(tokens: list[Token], i: int) -> tuple[tuple[Clock, Clock], int] | None:
    """A time window: "between 7am and 7pm", "from 9 to 5", "9am-6pm", "7 to 19:00"."""
    lead = text(tokens, i) in ("between", "from")
    start = i + 1 if lead else i
    first = read_time(tokens, start, bare=True)
    if first is None:
        return None
    joiner = text(tokens, first[1])
    if joiner not in ("and", "to", "-", "until", "till", "through", "thru"):
        return None
    if joiner == "and" and text(tokens, i) != "between":
        return None
    second = read_time(tokens, first[1] + 1, bare=True)
    if second is None:
        return None
    low, high = first[0], second[0]
    explicit = any(c.meridiem or c.h24 or c.minute for c in (low, high))
    after_days = kind(tokens, i - 1) == "day" or text(tokens, i - 1) in _DAY_WORDS
    if not lead and not explicit and not after_days:
        return None  # "2-3" alone is too easily a count; "weekdays 9 to 5" is a window
    return (low, high), second[1]
