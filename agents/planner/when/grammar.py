"""The time grammar: one pass over the tokens, each phrase rule tried where it may start.

Rules are tried most specific first at each token; the first that matches consumes its tokens
and records facts in a `Reading`. Tokens no rule starts on are stepped over, so the grammar
reads time phrases anywhere in a sentence and ignores everything else.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from agents.planner.when import lexicon as lx
from agents.planner.when.calendar_rules import (
    read_date,
    read_days,
    read_month_days,
    read_month_rule,
    read_weekday_word,
)
from agents.planner.when.clocks import (
    kind,
    number,
    read_point_times,
    read_time,
    read_window,
    text,
)
from agents.planner.when.reading import Clock, Reading
from agents.planner.when.tokens import Token

_PERIOD_WORDS = {
    "daily": "day", "weekly": "week", "monthly": "month", "quarterly": "quarter",
    "yearly": "year", "annually": "year", "nightly": "day", "hourly": "hour",
    # no rate said: once a day, at the default time (docs/eval-labels.md)
    "periodically": "day", "regularly": "day",
}  # fmt: skip
_UNIT_PERIODS = {
    "day": "day", "days": "day", "week": "week", "weeks": "week", "month": "month",
    "months": "month", "quarter": "quarter", "year": "year", "years": "year",
}  # fmt: skip
# A period word describing a thing, not when to run: "daily limits", "monthly plan", "hourly rate".
_PRICED_NOUNS = frozenset(
    {"limit", "limits", "cap", "caps", "quota", "quotas", "budget", "budgets", "plan", "plans",
     "subscription", "subscriptions", "fee", "fees", "price", "prices", "pricing", "rate", "rates",
     "insurance", "membership", "memberships", "allowance", "spend", "active", "billing", "wage",
     "salary", "payment", "payments", "charge", "charges", "retainer", "package", "tier",
     "average", "averages", "avg", "mean", "median", "peak", "peaks", "high", "highs",
     # "our hourly staff's timesheets", "weekly paid workers": people paid by the period
     "staff", "workers", "employees", "contractors", "wages", "pay", "paid", "timesheets"}
)  # fmt: skip
# "one day a week" counts days, not runs: left to the other rules.
# ("one after a day" waits a day), and small words are no thing sent.
_PERIOD_NOUNS = frozenset(
    {"day", "days", "week", "weeks", "month", "months", "time", "hour", "after", "before", "in",
     "within", "for", "over", "under", "more", "less", "at", "of", "on", "by", "to", "every",
     "each", "per", "last", "final", "extra", "other", "and", "or", "then", "later"}
)  # fmt: skip
_RATE_LIMIT_BEFORE = frozenset({"than", "most", "max", "maximum", "to", "only"})
_EVERY_DAYPARTS = frozenset(
    {"morning", "mornings", "afternoon", "afternoons", "evening", "evenings", "night", "nights"}
)
_OTHER = {"other": 2, "second": 2, "alternate": 2, "third": 3}
_TIMES_X = re.compile(r"([1-9])x")  # "3x a day": three times a day
_INERT = frozenset({"other", "punct", "zone", "ampm"})
# Every word a rule can start on (numbers, days and months start rules by their kind).
_STARTS = frozenset(
    {"every", "each", "alternate", "on", "bi", "fortnightly", "biweekly", "once", "twice",
     "thrice", "between", "from", "at", "@", "around", "about", "by", "approx", "approximately",
     "noon", "midday", "lunchtime", "midnight", "half", "quarter", "end", "close", "start",
     "beginning", "first", "last", "final", "business", "working", "work", "week", "school",
     "office", "month", "year", "mid", "middle", "before", "earlier", "prior", "ahead",
     "beforehand"}
    | set(_PERIOD_WORDS) | set(lx.DAYPARTS) | set(lx.EOD) | set(lx.ORDINAL_WORDS)
    | set(lx.NUMBER_WORDS) | set(lx.OFFICE_HOURS)
    | {"weekday", "weekdays", "workday", "workdays", "weeknight", "weeknights", "weekend",
       "weekends"}
)  # fmt: skip
Rule = Callable[[list[Token], int, Reading], "int | None"]


def read(tokens: list[Token]) -> Reading:
    """Every time fact in the tokens."""
    r = Reading()
    i = 0
    while i < len(tokens):
        token = tokens[i]
        if (token.kind in _INERT and not _TIMES_X.fullmatch(token.text)) or (
            token.kind == "word" and token.text not in _STARTS
        ):
            i += 1
            continue
        for rule in _RULES:
            end = rule(tokens, i, r)
            if end is not None and end > i:
                i = end
                break
        else:
            i += 1
    return r


def _every(tokens: list[Token], i: int, r: Reading) -> int | None:
    """ "every 15 minutes", "every other day", "each monday", "every weekday morning"."""
    if text(tokens, i) not in ("every", "each", "alternate"):
        return None
    j = i + 1
    if text(tokens, j) == "single":
        j += 1
    n = 1
    nth = text(tokens, j) in lx.ORDINAL_WORDS or kind(tokens, j) == "ord"
    if nth and kind(tokens, j + 1) == "day" and text(tokens, j + 2) == "of":
        return None  # "every third friday of the month": that friday (read_calendar_rule)
    if text(tokens, i) == "alternate":
        n, j = 2, i
    elif text(tokens, j) in _OTHER:
        n, j = _OTHER[text(tokens, j)], j + 1
    elif (count := number(tokens, j)) is not None and kind(tokens, j) != "ord":
        n, j = count, j + 1 + (text(tokens, j + 1) == "of")  # "every couple of hours"
    unit = text(tokens, j)
    if _rate_limit(tokens, i, j):
        return j + 1  # "one auto-reply per person every 3 days": how often at most, not a run
    if unit in ("half", "quarter") and text(tokens, j + 1) in ("hour", "an"):
        end = j + 2 + (text(tokens, j + 1) == "an")
        return _minutes(r, i, 30 if unit == "half" else 15, end)
    if unit == "quarter" and text(tokens, j + 1) == "of" and text(tokens, j + 3) == "hour":
        return _minutes(r, i, 15, j + 4)
    if unit in lx.MINUTE_UNITS:
        return _minutes(r, i, n, j + 1)
    if unit in lx.HOUR_UNITS:
        return _hours(r, i, n, j + 1)
    if unit == "fortnight":
        return _periodic(r, i, "week", 2, j + 1)
    if unit in _UNIT_PERIODS:
        return _periodic(r, i, _UNIT_PERIODS[unit], n, j + 1)
    if unit in _EVERY_DAYPARTS:
        r.dayparts.append((j, lx.DAYPARTS[unit]))
        return _periodic(r, i, "day", n, j + 1)
    if kind(tokens, j) == "day":
        if n > 1:
            r.every_n["week"] = n
        return read_days(tokens, j, r, every=True)
    if kind(tokens, j) == "month":
        return read_date(tokens, j, r, every=True)
    weekday = read_weekday_word(tokens, j, r, every=True)
    if weekday is not None:
        return weekday
    if kind(tokens, j) == "ord":
        listed = read_month_days(tokens, j, r)  # "every 1st and 15th"
        if listed is None:
            r.dom.add(tokens[j].value)
        r.anchors.append(i)
        return listed or j + 1
    return None


# Who a limit is counted for: "max once every 24h per customer", "one reply per person every
# 3 days" say how often at most each of them hears from it, not when the workflow runs.
_PER_WHO = frozenset(
    {"person", "people", "customer", "customers", "contact", "contacts", "sender", "senders",
     "user", "users", "lead", "leads", "client", "clients", "visitor", "visitors", "member",
     "members", "recipient", "recipients", "conversation", "thread", "chat", "address",
     "email", "number", "guest", "guests", "subscriber", "subscribers", "patient", "patients"}
)  # fmt: skip


def _rate_limit(tokens: list[Token], i: int, j: int) -> bool:
    """Whether "every …" at `i` (its unit at `j`) is a cap counted per person."""
    if text(tokens, i - 2) == "per" and text(tokens, i - 1) in _PER_WHO:
        return True
    return text(tokens, j + 1) == "per" and text(tokens, j + 2) in _PER_WHO


def _minutes(r: Reading, i: int, n: int, end: int) -> int | None:
    if n % 60 == 0 and n:
        return _hours(r, i, n // 60, end)
    if 60 < n < 24 * 60:  # "every 90 minutes": cron cannot; the nearest whole hours (said back)
        r.approximated = n
        return _hours(r, i, max(1, int(n / 60 + 0.5)), end)
    if not 1 <= n <= 59:
        return None
    r.minute_step = min(n, r.minute_step or n)
    r.anchors.append(i)
    return end


def _hours(r: Reading, i: int, n: int, end: int) -> int | None:
    if n and n % 24 == 0:
        return _periodic(r, i, "day", n // 24, end)
    if not 1 <= n <= 23:
        return None
    r.hour_step = min(n, r.hour_step or n)
    r.anchors.append(i)
    return end


def _periodic(r: Reading, i: int, period: str, n: int, end: int) -> int:
    if n > 1:
        r.every_n[period] = n
    else:
        r.periods.add(period)
    r.anchors.append(i)
    return end


def _frequency(tokens: list[Token], i: int, r: Reading) -> int | None:
    """ "hourly", "on the hour", "once a week", "twice a day", "3 times a day", "7 days a week"."""
    word = text(tokens, i)
    if word == "on" and text(tokens, i + 1) == "the" and text(tokens, i + 2) == "hour":
        return _hours(r, i, 1, i + 3)
    if word == "bi" and text(tokens, i + 1) in ("-", "") and text(tokens, i + 2) == "weekly":
        return _periodic(r, i, "week", 2, i + 3)
    if word in ("fortnightly", "biweekly"):
        return _periodic(r, i, "week", 2, i + 1)
    if word in _PERIOD_WORDS:
        if text(tokens, i + 1) in _PRICED_NOUNS:
            return None  # "with daily limits", "our monthly insurance plan": no schedule
        if word == "hourly":
            return _hours(r, i, 1, i + 1)
        if word == "nightly":
            r.dayparts.append((i, "night"))
        return _periodic(r, i, _PERIOD_WORDS[word], 1, i + 1)
    times = {"once": 1, "twice": 2, "thrice": 3}.get(word)
    if times is None and (x := _TIMES_X.fullmatch(word)):
        times = int(x.group(1))
    j = i + 1
    if (
        times is None
        and (count := number(tokens, i)) is not None
        and text(tokens, i + 1) == "times"
    ):
        times, j = count, i + 2
    if times is None and word == "7" and text(tokens, i + 1) == "days":
        j, times = i + 1, 7
    if (
        times is None
        and word in ("one", "1", "a", "single")
        and kind(tokens, i + 1) == "word"
        and text(tokens, i + 1) not in _PERIOD_NOUNS
        and text(tokens, i + 2) in ("a", "an", "per", "each", "every")
        and text(tokens, i + 3) in ("day", "week", "month")
    ):
        times, j = 1, i + 2  # "one email a day", "one reminder a week"
    if times is None or text(tokens, i - 1) in _RATE_LIMIT_BEFORE:
        return None
    if text(tokens, j) in ("a", "an", "per", "each", "every") or text(tokens, j) == "daily":
        unit = "day" if text(tokens, j) == "daily" else text(tokens, j + 1)
        end = j + 1 if text(tokens, j) == "daily" else j + 2
    elif word == "7" and text(tokens, j) == "days" and text(tokens, j + 2) == "week":
        return _periodic(r, i, "day", 1, j + 3)
    else:
        return None
    if unit == "hour" and times == 1:
        return _hours(r, i, 1, end)
    if unit not in _UNIT_PERIODS or unit.endswith("s"):
        return None
    if unit == "day" and times > 1:
        r.per_day = times
        r.anchors.append(i)
        said = _bare_times_after(tokens, end, times)  # "twice a day is plenty, 8 and 2"
        if said is not None:
            r.phrases.append(said[0])
            return said[1]
        return end
    if times == 2 and unit in _TWICE:
        return _twice(r, i, unit, end)
    return _periodic(r, i, _UNIT_PERIODS[unit], 1, end) if times == 1 else None


# Words between "twice a day" and the times it names: "twice a day is plenty, 8 and 2".
_BEFORE_TIMES = frozenset(
    {",", "is", "plenty", "enough", "fine", "ok", "okay", "good", "please", "pls", ":", "-",
     "say", "like", "ideally", "around", "about", "at", "(", "so", "i", "think", "would", "be"}
)  # fmt: skip


def _bare_times_after(tokens: list[Token], j: int, count: int) -> tuple[list[Clock], int] | None:
    """Exactly `count` bare times soon after a "N times a day" ("8 and 2", "at 9, 1 and 5")."""
    k = j
    while k < j + 6 and text(tokens, k) in _BEFORE_TIMES:
        k += 1
    first = read_time(tokens, k, bare=True)
    if first is None:
        return None
    clocks, end = [first[0]], first[1]
    while text(tokens, end) in (",", "and", "&", "+") and len(clocks) < count:
        more = read_time(tokens, end + 1, bare=True)
        if more is None:
            break
        clocks.append(more[0])
        end = more[1]
    return (clocks, end) if len(clocks) == count else None


# Twice a week, a month, a year: evenly spread, at the start of each half.
_TWICE = {"week": ({1, 4}, set(), set()), "month": (set(), {1, 15}, set()),
          "year": (set(), {1}, {1, 7})}  # fmt: skip


def _twice(r: Reading, i: int, unit: str, end: int) -> int:
    days, dom, months = _TWICE[unit]
    r.spread_days.update(days)
    r.days_strong = r.days_strong or bool(days)
    r.dom.update(dom)
    r.months.update(months)
    r.months_strong = r.months_strong or bool(months)
    r.anchors.append(i)
    return end


def _window(tokens: list[Token], i: int, r: Reading) -> int | None:
    """ "between 7am and 7pm", "9-5", "during office hours" (not "outside 8am-6pm")."""
    word = text(tokens, i)
    if word in lx.OFFICE_HOURS and text(tokens, i + 1) == "hours":
        if text(tokens, i - 1) not in ("outside", "after", "before", "out"):
            r.office_hours = True
        return i + 2
    if (
        word in lx.OFFICE_HOURS
        and text(tokens, i + 1) == "day"
        and text(tokens, i - 1) == "the"
        and text(tokens, i - 2) in ("during", "through", "throughout", "over", "in")
    ):
        r.office_hours = True  # "every 3 hours during the working day"
        return i + 2
    found = read_window(tokens, i)
    if found is None:
        return None
    if text(tokens, i - 1) in ("except", "excluding", "outside", "not") or (
        text(tokens, i - 1) == "of" and text(tokens, i - 2) == "outside"
    ):
        r.outside.append(found[0])  # "every hour except between 9am and 5pm"
    elif text(tokens, i - 1) not in ("out", "unless"):
        r.windows.append(found[0])
    return found[1]


# What "before N" bounds as a deadline: "each morning before 9", "daily before 8am".
_BEFORE_AFTER = frozenset(
    {"morning", "mornings", "day", "daily", "weekday", "weekdays", "workday", "workdays"}
)


def _times(tokens: list[Token], i: int, r: Reading) -> int | None:
    """Point times: "at 8:30", "5pm", "noon", "at 8 and 5", "end of day"."""
    if text(tokens, i) in lx.EOD or (
        tuple(text(tokens, i + k) for k in range(3)) in lx.EOD_PHRASES[::2]
        or tuple(text(tokens, i + k) for k in range(4)) in lx.EOD_PHRASES
    ):
        size = 1 if text(tokens, i) in lx.EOD else (4 if text(tokens, i + 2) == "the" else 3)
        r.phrases.append([Clock(17, 0, h24=True, at=i)])
        return i + size
    if text(tokens, i) == "before" and text(tokens, i - 1) in _BEFORE_AFTER:
        ahead = read_time(tokens, i + 1, bare=True)  # "each morning before 9": by 08:00
        if ahead is not None and ahead[0].minute == 0 and 1 <= ahead[0].hour <= 24:
            clock = ahead[0]
            if clock.h24 or clock.meridiem:
                early = Clock(
                    (clock.hour - 1) % 24 if clock.h24 else clock.hour - 1 or 12,
                    0,
                    clock.meridiem,
                    clock.h24,
                    at=clock.at,
                )
                if clock.meridiem == "pm" and clock.hour == 12:
                    early = Clock(11, 0, "am", at=clock.at)
            else:
                early = Clock(
                    clock.hour - 1 or 12, 0, "am" if clock.hour == 7 else None, at=clock.at
                )
            r.phrases.append([early])
            return ahead[1]
    found = read_point_times(tokens, i)
    if found is None:
        return None
    r.phrases.append(found[0])
    for k in range(i, found[1]):  # "6 in the morning and 6 in the evening": read inside the list
        if text(tokens, k) in ("morning", "afternoon", "evening") or (
            text(tokens, k) == "night" and text(tokens, k - 1) == "at"
        ):
            r.dayparts.append((k, lx.DAYPARTS[text(tokens, k)]))
    return found[1]


# After "N days before", words that name each record's own date ("3 days before their invoice
# is due"): a daily look at the records (agents.planner.intents), not a shift of the day run.
_OWN_DATE = frozenset(
    {"their", "each", "every", "a", "an", "his", "her", "its", "it's", "they", "any", "your",
     "my", "our", "someone's", "people's"}
)  # fmt: skip


def _days_before(tokens: list[Token], i: int, r: Reading) -> int | None:
    """ "3 days before", "two days earlier", "the day before": a lead on the day named."""
    if text(tokens, i) not in ("before", "earlier", "prior", "ahead", "beforehand"):
        return None
    if text(tokens, i - 1) not in ("day", "days") or r.days_before is not None:
        return None
    count = number(tokens, i - 2)
    if count is None and text(tokens, i - 2) in ("a", "the", "one"):
        count = 1
    if count is None or not 1 <= count <= 27:
        return None
    after = i + 1 + (text(tokens, i) in ("prior", "ahead") and text(tokens, i + 1) in ("to", "of"))
    if text(tokens, after) in _OWN_DATE:
        return None
    r.days_before = count
    return after


_MINUTE_UNITS = {"min": 1, "mins": 1, "minute": 1, "minutes": 1, "hour": 60, "hours": 60,
                 "hr": 60, "hrs": 60}  # fmt: skip


def _minutes_before(tokens: list[Token], i: int, r: Reading) -> int | None:
    """ "30 min before", "an hour before", "half an hour earlier": a lead on the clock time
    said ("our standup is at 10 … 30 min before" runs at 09:30), unless what it is before is
    each record's own time ("an hour before their appointment")."""
    if text(tokens, i) not in ("before", "earlier", "prior", "ahead", "beforehand"):
        return None
    unit = _MINUTE_UNITS.get(text(tokens, i - 1))
    if unit is None or r.minutes_before is not None:
        return None
    count = number(tokens, i - 2)
    if count is None and text(tokens, i - 2) in ("a", "an", "one"):
        count = 30 if text(tokens, i - 3) == "half" and unit == 60 else 1
        unit = 1 if count == 30 else unit
    if count is None or not 1 <= count * unit <= 12 * 60:
        return None
    after = i + 1 + (text(tokens, i) in ("prior", "ahead") and text(tokens, i + 1) in ("to", "of"))
    if text(tokens, after) in _OWN_DATE:
        return None
    r.minutes_before = count * unit
    return after


def _daypart(tokens: list[Token], i: int, r: Reading) -> int | None:
    """ "morning", "evenings", "tonight", "at night", "first thing": context for a bare hour."""
    word = text(tokens, i)
    if word == "first" and text(tokens, i + 1) == "thing":
        r.dayparts.append((i, "morning"))
        return i + 2
    part = lx.DAYPARTS.get(word)
    if part is None:
        return None
    r.dayparts.append((i, part))
    if word in ("mornings", "afternoons", "evenings", "nights"):
        r.periods.add("day")  # "mornings", "evenings": every one of them
        r.anchors.append(i)
    return i + 1


def _days(tokens: list[Token], i: int, r: Reading) -> int | None:
    return read_days(tokens, i, r)


def _weekday_words(tokens: list[Token], i: int, r: Reading) -> int | None:
    return read_weekday_word(tokens, i, r)


_RULES: tuple[Rule, ...] = (
    read_month_rule,
    _every,
    _frequency,
    _window,
    _days,
    _weekday_words,
    read_month_days,
    read_date,
    _days_before,
    _minutes_before,
    _times,
    _daypart,
)
