"""Split a normalised request into the tokens time expressions are made of.

Numbers that are not times (prices, percentages, phone numbers, "24/7", "2.5", links) become
`other` tokens, so no rule later mistakes them for clocks or days.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from agents.planner.when import lexicon as lx
from agents.planner.zones import zone_words

_PATTERN = re.compile(
    r"(?P<skip>https?://\S+|[\w.+-]+@[\w.-]*|[#@][\w-]+|\d+(?:\.\d+)?\s*%|"
    r"[$£€¥]\s*\d[\d,]*(?:\.\d+)?\s*[km]?|\d[\d,]*(?:\.\d+)?\s*(?:usd|eur|gbp|dollars?|pounds?|euros?|bucks)\b|"
    r"\+?\(?\d[\d ().-]{5,}\d|\d+/\d+(?:/\d+)?|\d{4}-\d{2}-\d{2})"
    r"|(?P<clock>\b\d{1,2}[:h]\d{2}(?!\d))"
    r"|(?P<decimal>\b\d+\.\d+(?!\d))"
    r"|(?P<ampm>(?<![a-z])[ap]\.m\.?|(?<![a-z])[ap]m\b)"
    r"|(?P<numword>\b\d+[a-z]+\b)"
    r"|(?P<num>\b\d+\b)"
    r"|(?P<word>[a-z]+(?:'[a-z]+)?)"
    r"|(?P<punct>[,;:.!?()\-/&+>→=])"
)
_SUFFIX = re.compile(r"(\d+)([a-z]+)")
_ORDINAL_SUFFIX = frozenset({"st", "nd", "rd", "th"})


@dataclass(frozen=True)
class Token:
    """One token: kind (num, ord, clock, decimal, ampm, day, month, zone, word, punct, other)."""

    kind: str
    text: str
    value: int = 0
    minute: int = 0
    plural: bool = False


_ISH = re.compile(r"\b(\d{1,2}(?::\d{2})?(?:\s*[ap]m)?)\s*-?\s*ish\b")


def tokenize(text: str) -> list[Token]:
    """The tokens of a normalised (lower-case) request."""
    tokens: list[Token] = []
    text = _ISH.sub(r"\1", text)  # "around 4ish", "9-ish": the time itself
    for match in _PATTERN.finditer(text):
        kind = match.lastgroup or "other"
        piece = match.group(0)
        if kind == "skip":
            tokens.append(Token("other", piece))
        elif kind == "clock":
            hour, minute = re.split(r"[:h]", piece)
            tokens.append(Token("clock", piece, int(hour), int(minute)))
        elif kind == "decimal":
            tokens.append(Token("decimal", piece))
        elif kind == "ampm":
            tokens.append(Token("ampm", lx.AMPM.get(piece.rstrip("."), piece)))
        elif kind == "num":
            tokens.append(Token("num", piece, int(piece) if len(piece) < 6 else -1))
        elif kind == "numword" and _hour_clock(piece, tokens):
            tokens.append(Token("clock", piece, int(piece[:-1]), 0))  # "at 20h" is 20:00
        elif kind == "numword":
            tokens.extend(_glued(piece))
        elif kind == "word":
            tokens.append(word_token(piece))
        else:
            tokens.append(Token("punct", piece))
    return tokens


def _hour_clock(piece: str, before: list[Token]) -> bool:
    """ "at 20h", "@ 9h": the European way of writing a whole hour, not a duration of hours."""
    return (
        piece.endswith("h")
        and piece[:-1].isdigit()
        and int(piece[:-1]) <= 23
        and bool(before)
        and before[-1].text in ("at", "@", "um", "à", "a")
    )


def _glued(piece: str) -> list[Token]:
    """A number with letters attached: "8am", "1st", "15min", "2hrs"; else not a time ("5xx")."""
    match = _SUFFIX.fullmatch(piece)
    if match is None:
        return [Token("other", piece)]
    number, suffix = int(match.group(1)), match.group(2)
    if suffix in ("am", "pm"):
        return [Token("num", match.group(1), number), Token("ampm", suffix)]
    if suffix in _ORDINAL_SUFFIX:
        return [Token("ord", piece, number)]
    if suffix in lx.MINUTE_UNITS or suffix in lx.HOUR_UNITS:
        return [Token("num", match.group(1), number), word_token(suffix)]
    return [Token("other", piece)]


@lru_cache(maxsize=4096)
def word_token(word: str) -> Token:
    """A word as a token: a day (typos and plurals too), a month, a zone, or a plain word."""
    bare = word[:-2] if word.endswith("'s") else word
    if bare in lx.DAYS:
        return Token("day", word, lx.DAYS[bare])
    if bare.endswith("s") and bare[:-1] in lx.DAYS and len(bare) > 4:
        return Token("day", word, lx.DAYS[bare[:-1]], plural=True)
    if bare in lx.MONTHS:
        return Token("month", word, lx.MONTHS[bare])
    if bare in zone_words():
        return Token("zone", word)
    day = _misspelt_day(bare)
    if day is not None:
        return Token("day", word, day[0], plural=day[1])
    return Token("word", word)


def _misspelt_day(word: str) -> tuple[int, bool] | None:
    """ "wednsday", "thurday", "tuseday", "fridays" → (weekday, plural), else None."""
    if len(word) < 6 or not word.endswith(("day", "days", "dy", "dys", "ady", "dya")):
        return None
    plural = word.endswith("s") and not word.endswith("ss")
    stem = word[:-1] if plural else word
    for index, name in enumerate(lx.FULL_DAYS):
        if stem[0] == name[0] and _distance(stem, name) <= (1 if len(name) < 8 else 2):
            return index, plural
    return None


def _distance(a: str, b: str) -> int:
    """Edit distance counting a swap of two neighbours as one edit."""
    if abs(len(a) - len(b)) > 2:
        return 3
    previous2: list[int] = []
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        current = [i] + [0] * len(b)
        for j, cb in enumerate(b, 1):
            cost = 0 if ca == cb else 1
            current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
            if i > 1 and j > 1 and ca == b[j - 2] and a[i - 2] == cb:
                current[j] = min(current[j], previous2[j - 2] + 1)
        previous2, previous = previous, current
    return previous[-1]
