"""Time words of other languages, put in English before the schedule grammar reads them.

Requests arrive in German, French, Spanish, Dutch, Portuguese, Italian, Chinese or Japanese
("jeden Morgen um 5", "chaque lundi à 9h", "每个月最后一天"). Only the schedule reading sees
the English: recurrence words, weekdays, parts of the day and clock times are mapped one to one,
so the same grammar (and its house rules) reads them. Words that are ambiguous on their own
("morgen" is also "tomorrow", "mañana" also "tomorrow") are only mapped inside a recurrence.
"""

from __future__ import annotations

import re

_DAYS = {
    # German
    "montag": "monday", "dienstag": "tuesday", "mittwoch": "wednesday",
    "donnerstag": "thursday", "freitag": "friday", "samstag": "saturday", "sonntag": "sunday",
    # French
    "lundi": "monday", "mardi": "tuesday", "mercredi": "wednesday", "jeudi": "thursday",
    "vendredi": "friday", "samedi": "saturday", "dimanche": "sunday",
    # Spanish
    "lunes": "monday", "martes": "tuesday", "miércoles": "wednesday", "miercoles": "wednesday",
    "jueves": "thursday", "viernes": "friday", "sábado": "saturday", "sabado": "saturday",
    "domingo": "sunday",
    # Dutch
    "maandag": "monday", "dinsdag": "tuesday", "woensdag": "wednesday",
    "donderdag": "thursday", "vrijdag": "friday", "zaterdag": "saturday", "zondag": "sunday",
    # Italian
    "lunedì": "monday", "lunedi": "monday", "martedì": "tuesday", "martedi": "tuesday",
    "mercoledì": "wednesday", "mercoledi": "wednesday", "giovedì": "thursday",
    "giovedi": "thursday", "venerdì": "friday", "venerdi": "friday",
    # Portuguese
    "segunda": "monday", "terça": "tuesday", "terca": "tuesday", "quarta": "wednesday",
    "quinta": "thursday", "sexta": "friday",
}  # fmt: skip
# Words that say "every", and the units and day parts that may follow them.
_EVERY = (
    r"jede[nmrs]?|chaque|cada|todos\s+los|todas\s+las|tous\s+les|toutes\s+les|elke|iedere|"
    r"todo|toda|todos\s+os|todas\s+as|ogni"
)
_UNITS = {
    "tag": "day", "tage": "days", "woche": "week", "monat": "month", "morgen": "morning",
    "abend": "evening", "nachmittag": "afternoon", "werktag": "weekday",
    "jour": "day", "jours": "days", "semaine": "week", "semaines": "weeks", "mois": "month",
    "matin": "morning", "soir": "evening", "après-midi": "afternoon",
    "día": "day", "dia": "day", "días": "days", "dias": "days", "semana": "week",
    "mes": "month", "mañana": "morning", "tarde": "afternoon", "noche": "night",
    "dag": "day", "week": "week", "maand": "month", "ochtend": "morning", "avond": "evening",
    "giorno": "day", "settimana": "week", "mese": "month", "mattina": "morning", "sera": "evening",
    "manhã": "morning", "manha": "morning", "noite": "night",
}  # fmt: skip
_WORDS = {
    # one word that is a recurrence or a day part on its own
    "täglich": "daily", "taeglich": "daily", "wöchentlich": "weekly", "monatlich": "monthly",
    "stündlich": "hourly", "werktags": "weekdays", "morgens": "mornings", "abends": "evenings",
    "quotidien": "daily", "quotidiennement": "daily", "hebdomadaire": "weekly",
    "hebdomadairement": "weekly", "mensuel": "monthly", "mensuellement": "monthly",
    "diario": "daily", "diariamente": "daily", "semanal": "weekly", "semanalmente": "weekly",
    "mensual": "monthly", "mensualmente": "monthly", "mensalmente": "monthly",
    "dagelijks": "daily", "wekelijks": "weekly", "maandelijks": "monthly",
    "quotidianamente": "daily", "settimanalmente": "weekly", "mensilmente": "monthly",
    "montags": "mondays", "dienstags": "tuesdays", "mittwochs": "wednesdays",
    "donnerstags": "thursdays", "freitags": "fridays", "samstags": "saturdays",
    "sonntags": "sundays",
}  # fmt: skip
_CJK: tuple[tuple[str, str | None], ...] = (
    (r"每(?:个)?月(?:的)?最后一天", " on the last day of every month "),
    (r"(?:周|星期|礼拜)一|月曜日?", " monday "),
    (r"(?:周|星期|礼拜)二|火曜日?", " tuesday "),
    (r"(?:周|星期|礼拜)三|水曜日?", " wednesday "),
    (r"(?:周|星期|礼拜)四|木曜日?", " thursday "),
    (r"(?:周|星期|礼拜)五|金曜日?", " friday "),
    (r"(?:周|星期|礼拜)六|土曜日?", " saturday "),
    (r"(?:周|星期|礼拜)[日天]|日曜日?", " sunday "),
    (r"[每毎]\s*(?=\s(?:mon|tues|wednes|thurs|fri|satur|sun)day\b)", " every "),
    (r"每(?:个)?月", " every month "),
    (r"每(?:个)?(?:周|星期|礼拜)", " every week "),
    (r"每(?:一)?天|每日|毎日", " every day "),
    (r"毎週", " every week "),
    (r"毎月", " every month "),
    (r"早上|上午|朝", " morning "),
    (r"下午|午後", " afternoon "),
    (r"晚上|夜", " evening "),
    (r"(\d{1,2})\s*[点點時]\s*(?:(\d{1,2})\s*分|半)?", None),
)
_EVERY_UNIT = re.compile(
    r"\b(?:" + _EVERY + r")\s+(?:(?:der|die|das|le|la|les|el|los|de|o|a)\s+)?([\w\u00e0-\u00ff-]+)",
    re.IGNORECASE,
)
_CLOCK = re.compile(
    r"\b(?:um|à|a\s+las|a\s+la|om|às|alle|ore|vers)\s+(\d{1,2})(?:\s*(?:[:h.]|uhr)\s*(\d{2}))?"
    r"(?:\s*(?:uhr|h|heures?|hrs|uur))?\b"
)
_WORD = re.compile(r"[\w\u00e0-\u00ff-]+")


def in_english(text: str) -> str:
    """The request with other languages' time words in English (the rest left as it was)."""
    if text.isascii() and not _maybe_foreign(text):
        return text
    only_um = {m.group(0) for m in _FOREIGN_HINT.finditer(text)} <= {"um", "om"}
    for pattern, english in _CJK:
        text = re.sub(pattern, english or _cjk_clock, text)
    text = _EVERY_UNIT.sub(_every_unit, text)
    if only_um:
        return text  # "um 5 people signed up": an English "um", not German "um 5"
    text = _CLOCK.sub(lambda m: f"at {m.group(1)}:{m.group(2) or '00'}", text)
    return _WORD.sub(lambda m: _WORDS.get(m.group(0), _DAYS.get(m.group(0), m.group(0))), text)


def _cjk_clock(match: re.Match[str]) -> str:
    """ "9点" → " at 9:00 ", "9点30分" → " at 9:30 ", "9点半" → " at 9:30 "."""
    minutes = match.group(2) or ("30" if match.group(0).endswith("半") else "00")
    return f" at {match.group(1)}:{int(minutes):02d} "


def _every_unit(match: re.Match[str]) -> str:
    word = match.group(1)
    english = _UNITS.get(word) or _DAYS.get(word) or _DAYS.get(word.rstrip("s"))
    return f"every {english}" if english else match.group(0)


_FOREIGN_HINT = re.compile(
    r"\b(?:" + "|".join([_EVERY, r"um|uhr|à|om|uur|alle|ore|a\s+las|às", *_WORDS, *_DAYS]) + r")\b"
)


def _maybe_foreign(text: str) -> bool:
    return _FOREIGN_HINT.search(text) is not None


# Everyday words of the languages above that English requests do not use.
# (None that is also an English word or name: not "die", "per", "la", "den", "com", "el".)
_STOPWORDS = frozenset(
    re.findall(
        r"\S+",
        "der das und ein eine mit für dem nicht ich wir les une pour avec los las una para que "
        "het een voor niet gli della não uma",
    )
)


def looks_foreign(text: str) -> bool:
    """Whether a request is written in another language than English (time words read, or
    Chinese/Japanese script, or two everyday words of another language)."""
    if re.search(r"[\u3040-\u30ff\u4e00-\u9fff]", text):
        return True
    words = re.findall(r"[\w\u00e0-\u00ff]+", text.lower())
    return len(_STOPWORDS.intersection(words)) >= 2 or in_english(text.lower()) != text.lower()
