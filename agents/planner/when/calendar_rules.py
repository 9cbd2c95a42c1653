"""Calendar phrases: weekdays and their lists, days of the month, month rules, dates."""

from __future__ import annotations

from agents.planner.when import lexicon as lx
from agents.planner.when.clocks import kind, number, text
from agents.planner.when.reading import Reading
from agents.planner.when.tokens import Token

_LIST_JOIN = frozenset({",", "and", "&", "/", "+", "or", "n"})
_RANGE_JOIN = frozenset({"-", "to", "through", "thru", "till", "until"})
_ONE_OFF_BEFORE = frozenset(
    {"this", "next", "last", "coming", "by", "until", "till", "since", "before", "after", "from",
     "past", "previous", "on/by"}
)  # fmt: skip
_EXCEPT = frozenset(
    {"except", "excluding", "but", "not", "without", "no", "never", "skip", "skipping", "minus"}
)
# "for the 3rd time", "the 2nd reminder": an ordinal counting things, not a day of the month.
_COUNTED = frozenset(
    {"time", "times", "attempt", "attempts", "try", "tries", "reminder", "reminders", "email",
     "emails", "message", "messages", "invoice", "payment", "one", "ones", "step", "round",
     "stage", "notice", "warning", "person", "place", "row", "column", "line", "item", "order"}
)  # fmt: skip
_QUANT = {"each": True, "every": True, "a": True, "per": True, "the": False}
_SCOPES = frozenset({"month", "quarter", "year"})
_NTH_WEEK = {1: "first_week", 2: "second_week", 3: "third_week", 4: "fourth_week"}
_DOM_NEXT = frozenset(
    {"", "of", "and", "&", "at", "@", "each", "every", "monthly", "in", "on", ",", ".", ";", ":",
     "!", "?", ")", "(", "-", "day", "by", "from", "for", "please", "pls", "then"}
)  # fmt: skip
WEEKDAY_WORDS = {
    "weekday": {1, 2, 3, 4, 5}, "weekdays": {1, 2, 3, 4, 5}, "workday": {1, 2, 3, 4, 5},
    "workdays": {1, 2, 3, 4, 5}, "weeknight": {1, 2, 3, 4, 5}, "weeknights": {1, 2, 3, 4, 5},
    "weekend": {0, 6}, "weekends": {0, 6},
}  # fmt: skip


def read_days(tokens: list[Token], i: int, r: Reading, every: bool = False) -> int | None:
    """Weekdays from `i`: "monday", "mondays", "mon, wed and fri", "mon-fri", "tue/thu"."""
    if kind(tokens, i) != "day" or text(tokens, i - 1) in lx.DAY_PREFIXES:
        return None
    days: list[int] = [tokens[i].value]
    plural, abbreviated = tokens[i].plural, tokens[i].text not in lx.FULL_DAYS
    spelled_range = False  # "monday to friday", "monday through friday": a routine's days
    end = i + 1
    while True:
        join = text(tokens, end)
        if join in _RANGE_JOIN and kind(tokens, end + 1) == "day":
            spelled_range = spelled_range or (join != "-" and not abbreviated)
            last = tokens[end + 1].value
            first = days[-1]
            days.extend((first + k) % 7 for k in range(1, (last - first) % 7 + 1))
        elif join in _LIST_JOIN and kind(tokens, end + 1) == "day":
            days.append(tokens[end + 1].value)
        elif join == "," and text(tokens, end + 1) == "and" and kind(tokens, end + 2) == "day":
            days.append(tokens[end + 2].value)
            end += 1
        elif kind(tokens, end) == "day":  # "mon wed fri": a list without commas
            days.append(tokens[end].value)
            plural = plural or tokens[end].plural
            end += 1
            continue
        else:
            break
        plural = plural or tokens[end + 1].plural
        end += 2
    before = text(tokens, i - 1)
    if text(tokens, end) in ("mornings", "afternoons", "evenings", "nights"):
        plural = True  # "sunday nights at 9", "monday mornings": every one of them
    if text(tokens, end) == "'s" or tokens[end - 1].text.endswith("'s"):
        return end  # "friday's numbers" names a day's data, not when to run
    if plural and not every and _counted(tokens, i):
        return end  # "for the next two sundays": days counted, not when it runs
    if _in_addition(tokens, i, end):
        return end  # "every 30 min, evenings and weekends too": those days as well, not only
    if (text(tokens, end) == "only" or before == "only") and not _excepted(tokens, i):
        r.only_days.update(days)  # "monday thru thursday only": no other day named runs
    if _excepted(tokens, i):
        r.excluded.update(days)
    elif len(days) > 1:
        r.days.update(days)
        r.days_listed = True
        r.days_strong = (
            r.days_strong or plural or every or spelled_range or before in ("every", "each")
        )
    elif plural or every:
        r.days.update(days)
        r.days_strong = True
    elif (
        (before not in _ONE_OFF_BEFORE or (_timed(tokens, end) and before in ("this", "next")))
        and not _by_the_end_of(tokens, i)
        and (not abbreviated or before == "on" or kind(tokens, end) in ("num", "clock", "decimal"))
    ):
        r.lone_days.append((days[0], before == "on"))
    if r.days_strong:
        r.anchors.append(i)
    return end


def _by_the_end_of(tokens: list[Token], i: int) -> bool:
    """Whether the day at `i` is a deadline: "the ticket comes by end of monday"."""
    if text(tokens, i - 1) != "of" or text(tokens, i - 2) not in ("end", "close", "eod", "cob"):
        return False
    lead = text(tokens, i - 3) if text(tokens, i - 3) != "the" else text(tokens, i - 4)
    return lead in ("by", "until", "till", "before")


def _in_addition(tokens: list[Token], i: int, end: int) -> bool:
    """Whether days are named as well as the rest ("weekends too", "including weekends",
    "and on weekends as well"), not as the only days."""
    after = text(tokens, end)
    if after in ("too", "also") or (after == "as" and text(tokens, end + 1) == "well"):
        return True
    return text(tokens, i - 1) in ("including", "incl", "plus", "even") or (
        text(tokens, i - 1) in ("on", "at") and text(tokens, i - 2) in ("including", "even")
    )


# Words before a count of days that make them a number of days, not a weekly day:
# "the next two sundays", "the last 3 fridays", "a couple of mondays".
_COUNT_BEFORE = frozenset({"next", "last", "past", "previous", "coming", "first", "few", "of"})


def _counted(tokens: list[Token], i: int) -> bool:
    """Whether plural days at `i` are counted ("the next two sundays", "4 mondays")."""
    count = tokens[i - 1] if i > 0 else None
    if count is None or number(tokens, i - 1) is None:
        return False
    return count.kind == "word" or text(tokens, i - 2) in _COUNT_BEFORE


def _excepted(tokens: list[Token], i: int) -> bool:
    """ "except mondays", "not on weekends", "but never at weekends", "instead of friday": the
    day is left out."""
    before = text(tokens, i - 1)
    if (before, text(tokens, i - 2)) in (("of", "instead"), ("than", "rather")):
        return True  # "on thursday instead of friday": the day it no longer runs
    if before in ("on", "at", "during", "over", "the") and text(tokens, i - 2) in _EXCEPT:
        return True
    return before in _EXCEPT


def read_weekday_word(tokens: list[Token], i: int, r: Reading, every: bool = False) -> int | None:
    """ "weekdays", "every weekday", "business days", "weekends" (not "within 2 business days")."""
    word, before = text(tokens, i), text(tokens, i - 1)
    end = i + 1
    if word in ("business", "working", "work", "week", "school") and text(tokens, i + 1) in (
        "day",
        "days",
    ):
        word, end = ("weekdays" if text(tokens, i + 1) == "days" else "weekday"), i + 2
    if word not in WEEKDAY_WORDS:
        return None
    if number(tokens, i - 1) is not None or before in ("a", "one", "this", "next", "last"):
        return end  # a duration ("within 2 business days") or one day ("this weekend")
    if _excepted(tokens, i):
        r.excluded.update(WEEKDAY_WORDS[word])
    elif _in_addition(tokens, i, end):
        return end  # "evenings and weekends too": as well as the other days
    elif (
        word.endswith("s")
        or every
        or before in ("on", "every", "each")
        # "weekday mornings at 8:30": every one of them
        or text(tokens, end) in ("mornings", "afternoons", "evenings", "nights")
    ):
        r.days.update(WEEKDAY_WORDS[word])
        r.days_strong = True
        r.anchors.append(i)
        if word.startswith("weeknight"):
            r.dayparts.append((i, "night"))
    return end


def read_month_rule(tokens: list[Token], i: int, r: Reading) -> int | None:
    """ "first business day of the month", "last day of each quarter", "month-end",
    "last friday of the month", "end of the month", "start of each month"."""
    word = text(tokens, i)
    ordinal = _ordinal(tokens, i)
    if word in _SCOPES and text(tokens, i + 1) == "-" and text(tokens, i + 2) == "end":
        return _rule(r, i, "last_day", word, True, i + 3)
    if word in _SCOPES and text(tokens, i + 1) == "end":
        return _rule(r, i, "last_day", word, True, i + 2)
    if word in ("mid", "middle"):  # "mid-month", "mid month", "the middle of each month": 15th
        j = i + 2 if text(tokens, i + 1) in ("-", "of") else i + 1
        scope, _, end = _scope(tokens, j)
        if scope != "month":
            return None
        r.dom.add(15)
        r.anchors.append(i)
        return end
    if word in ("end", "close", "start", "beginning") and text(tokens, i + 1) == "of":
        scope, strong, end = _scope(tokens, i + 2)
        if scope is None:
            if text(tokens, end) == "week" or (scope is None and _week_scope(tokens, i + 2)):
                return _end_of_week(tokens, i, r, word)
            return None
        # "end of the month at 5pm …", "at the end of the month, post …": opening the request or
        # with a time of day, it is when an automation runs ("downgrade them at the end of the
        # month" and "by the end of the month" are one-off deadlines).
        strong = strong or (scope == "month" and _recurring_month_end(tokens, i, end))
        if word in ("end", "close"):
            return _rule(r, i, "last_day", scope, strong, end)
        return _first_day(r, i, scope, strong, end)
    if ordinal is None and word not in ("last", "final"):
        return None
    nth = -1 if ordinal is None else ordinal
    j = i + 1
    if nth == 1 and text(tokens, j) == "of":
        scope, strong, end = _scope(tokens, j + 1)
        return None if scope is None else _first_day(r, i, scope, True, end)
    business = text(tokens, j) in ("business", "working", "work")
    if business:
        j += 1
    if kind(tokens, j) == "day" and not business and text(tokens, j + 1) == "of":
        scope, strong, end = _scope(tokens, j + 2)
        if scope is None or not (nth == -1 or 1 <= nth <= 4):
            return None
        r.days.add(tokens[j].value)
        r.days_strong = r.days_strong or strong or scope == "month"
        return _rule(r, i, "last_week" if nth == -1 else _NTH_WEEK[nth], scope, True, end)
    if (
        kind(tokens, j) == "day"
        and not business
        and _on_the(tokens, i)
        and (nth == -1 or 1 <= nth <= 4)
    ):
        # "every 2 months on the second tuesday": the month is said elsewhere; the rule holds
        # only where a month, quarter or year is the period (compose keeps it then)
        r.days.add(tokens[j].value)
        return _rule(r, i, "last_week" if nth == -1 else _NTH_WEEK[nth], "month", False, j + 1)
    day_word = text(tokens, j)
    if day_word == "day" and nth == -1 and text(tokens, j + 1) != "of" and _on_the(tokens, i):
        return _rule(r, i, "last_day", "month", False, j + 1)  # "every month on the last day"
    if day_word not in ("day", "weekday", "workday") or text(tokens, j + 1) != "of":
        return None
    scope, strong, end = _scope(tokens, j + 2)
    if scope is None:
        return None
    working = business or day_word != "day"
    if nth == 1:
        if working:
            return _rule(r, i, "first_business_day", scope, True, end)
        return _first_day(r, i, scope, True, end)
    if working and nth in (2, 3) and scope == "month":  # "the 2nd business day of each month"
        return _rule(r, i, ("second_business_day", "third_business_day")[nth - 2], scope, True, end)
    if nth == -1:
        return _rule(r, i, "last_business_day" if working else "last_day", scope, True, end)
    return None


def _on_the(tokens: list[Token], i: int) -> bool:
    """ "on the last day", "on last day": a day of the calendar, not "last day's signups"."""
    return text(tokens, i - 1) == "on" or (
        text(tokens, i - 1) == "the" and text(tokens, i - 2) == "on"
    )


def _ordinal(tokens: list[Token], i: int) -> int | None:
    token = tokens[i] if i < len(tokens) else None
    if token is None:
        return None
    if token.kind == "ord":
        return token.value
    return lx.ORDINAL_WORDS.get(token.text) if token.kind == "word" else None


def _scope(tokens: list[Token], i: int) -> tuple[str | None, bool, int]:
    """ "the month", "each quarter", "every month", "month" → (scope, recurs, end)."""
    quant = text(tokens, i)
    if quant in ("this", "next", "last"):
        return None, False, i
    strong = _QUANT.get(quant, False)
    j = i + 1 if quant in _QUANT else i
    scope = text(tokens, j)
    if scope in _SCOPES:
        return scope, strong, j + 1
    return None, False, i


def _recurring_month_end(tokens: list[Token], i: int, end: int) -> bool:
    k = i - 1
    while k >= 0 and text(tokens, k) in ("the", "at", "on", "around", "towards", "toward"):
        k -= 1
    if k >= 0 and text(tokens, k) in _ONE_OFF_BEFORE:
        return False
    opens = k < 0
    j = end + (text(tokens, end) in ("at", "@", ","))
    return opens or kind(tokens, j) in ("clock", "num", "ampm")


def _week_scope(tokens: list[Token], i: int) -> bool:
    return text(tokens, i + 1) == "week" and text(tokens, i) in ("the", "each", "every")


def _rule(r: Reading, i: int, only_on: str, scope: str, strong: bool, end: int) -> int:
    r.only_on, r.scope = only_on, scope
    r.rule_strong = r.rule_strong or strong
    if strong:
        r.anchors.append(i)
    return end


def _first_day(r: Reading, i: int, scope: str, strong: bool, end: int) -> int:
    """ "first day of the month", "start of each quarter": the 1st (of January for a year)."""
    r.dom.add(1)
    if scope == "quarter":
        r.periods.add("quarter")
    elif scope == "year":
        r.months.add(1)
        r.months_strong = r.months_strong or strong
    r.anchors.append(i)
    return end


def _end_of_week(tokens: list[Token], i: int, r: Reading, word: str) -> int:
    quant = text(tokens, i + 2)
    r.end_of_week = word in ("end", "close")
    r.days.add(5 if r.end_of_week else 1)
    if quant in ("each", "every"):
        r.days_strong = True
        r.anchors.append(i)
    return i + 4


def read_month_days(tokens: list[Token], i: int, r: Reading) -> int | None:
    """ "on the 1st", "the 1st and 15th", "10th and 25th of each month", "every 15th"."""
    if kind(tokens, i) != "ord" and not (
        text(tokens, i) in lx.ORDINAL_WORDS and text(tokens, i - 1) == "the"
    ):
        return None
    before = text(tokens, i - 1)
    values = [_ordinal(tokens, i) or 0]
    end = i + 1
    while text(tokens, end) in (",", "and", "&") and (
        (nxt := _ordinal(tokens, end + 1 + (text(tokens, end + 1) == "the"))) is not None
    ):
        end += 2 + (text(tokens, end + 1) == "the")
        values.append(nxt)
    if kind(tokens, end) == "month" or (
        text(tokens, end) == "of" and kind(tokens, end + 1) == "month"
    ):
        return None  # a date: read_date takes it
    of_month = text(tokens, end) == "of" and _scope(tokens, end + 1)[0] == "month"
    if text(tokens, end) == "of" and text(tokens, end + 1) in ("this", "next", "last"):
        return end
    listed = len(values) > 1
    prefixed = before in ("on", "the", "every", "each", "by")
    if not (of_month or listed or prefixed):
        return None
    following = text(tokens, end)
    if following in _COUNTED:
        return None  # "for the 3rd time" counts; it names no day
    on_the = (before == "the" and text(tokens, i - 2) in ("on", "every", "each")) or (
        before in ("every", "each") and listed
    )
    if (
        not of_month
        and not on_the
        and following not in _DOM_NEXT
        and kind(tokens, end) not in ("num", "clock", "ampm", "zone", "end")
    ):
        return None  # "the 2nd reminder" is not a date
    if text(tokens, i) in lx.ORDINAL_WORDS and not (of_month or listed):
        return None  # "on the first" alone is too vague
    if not all(1 <= v <= 31 for v in values):
        return None
    r.dom.update(values)
    r.anchors.append(i)
    return _scope(tokens, end + 1)[2] if of_month else end


def read_date(tokens: list[Token], i: int, r: Reading, every: bool = False) -> int | None:
    """ "january 1st", "1st of january", "15 march", "every january", "in july"."""
    day: int | None = None
    if kind(tokens, i) == "month":
        month, end = tokens[i].value, i + 1
        nxt = tokens[end] if end < len(tokens) else None
        if nxt is not None and nxt.kind in ("ord", "num") and 1 <= nxt.value <= 31:
            day, end = nxt.value, end + 1
    elif kind(tokens, i) in ("ord", "num") and 1 <= tokens[i].value <= 31:
        j = i + 2 if text(tokens, i + 1) == "of" else i + 1
        if kind(tokens, j) != "month":
            return None
        day, month, end = tokens[i].value, tokens[j].value, j + 1
    else:
        return None
    before = text(tokens, i - 1)
    if day is None and tokens[i].text in lx.SHY_MONTHS and not every:
        return None
    if before in _ONE_OFF_BEFORE or (day is None and not every and before != "in"):
        return end
    r.dates.append((month, day))
    after = text(tokens, end) if text(tokens, end) not in (",", "at") else text(tokens, end + 1)
    if every or before in ("every", "each") or after in ("every", "each", "annually", "yearly"):
        r.months_strong = True
        r.periods.add("year")
        r.anchors.append(i)
    return end


def _timed(tokens: list[Token], end: int) -> bool:
    """Whether a time of day follows the day ("this saturday 10am", "next tuesday at 9"): a
    one-off at a stated time, labelled with the days it may fire on."""
    at = end + 1 if text(tokens, end) == "at" else end
    return kind(tokens, at) in ("num", "clock")
