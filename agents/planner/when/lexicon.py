"""The words of time expressions: days, months, ordinals, number words, units, parts of day."""

from __future__ import annotations

DAYS = {
    "sunday": 0, "sun": 0, "monday": 1, "mon": 1, "tuesday": 2, "tue": 2, "tues": 2,
    "wednesday": 3, "wed": 3, "weds": 3, "thursday": 4, "thu": 4, "thur": 4, "thurs": 4,
    "friday": 5, "fri": 5, "saturday": 6, "sat": 6,
}  # fmt: skip
FULL_DAYS = ("sunday", "monday", "tuesday", "wednesday", "thursday", "friday", "saturday")
# Named days that are not a weekly day: "the Black Friday offer", "Cyber Monday deals".
DAY_PREFIXES = frozenset({"black", "cyber", "good", "easter", "ash", "holy", "super", "giving"})
MONTHS = {
    "january": 1, "jan": 1, "february": 2, "feb": 2, "march": 3, "mar": 3, "april": 4,
    "apr": 4, "may": 5, "june": 6, "jun": 6, "july": 7, "jul": 7, "august": 8, "aug": 8,
    "september": 9, "sep": 9, "sept": 9, "october": 10, "oct": 10, "november": 11, "nov": 11,
    "december": 12, "dec": 12,
}  # fmt: skip
# Month words that are also ordinary words: they name a month only next to a day number.
SHY_MONTHS = frozenset({"may", "mar", "march", "jan", "sep", "oct", "dec", "jun", "jul", "aug"})
ORDINAL_WORDS = {
    "first": 1, "second": 2, "third": 3, "fourth": 4, "fifth": 5, "sixth": 6, "seventh": 7,
    "eighth": 8, "ninth": 9, "tenth": 10, "eleventh": 11, "twelfth": 12, "fifteenth": 15,
    "twentieth": 20, "thirtieth": 30,
}  # fmt: skip
NUMBER_WORDS = {
    "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8,
    "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "fifteen": 15, "twenty": 20,
    "thirty": 30, "forty": 40, "fifty": 50, "sixty": 60, "couple": 2,
}  # fmt: skip
# Counts said in words, articles included ("a week before", "fourteen days").
COUNT_WORDS = {"a": 1, "an": 1, "fourteen": 14} | NUMBER_WORDS
MINUTE_UNITS = frozenset({"minute", "minutes", "min", "mins", "m"})
HOUR_UNITS = frozenset({"hour", "hours", "hr", "hrs", "h"})
# Words after a number that make it a quantity, not a clock time ("at 14 days", "3 people").
UNITS = frozenset(
    {
        "minute", "minutes", "min", "mins", "hour", "hours", "hr", "hrs", "h", "day", "days",
        "week", "weeks", "month", "months", "year", "years", "second", "seconds", "secs",
        "times", "time", "people", "person", "percent", "units", "unit", "items", "item",
        "star", "stars", "k", "x", "of", "more", "or", "new", "other", "bullet", "line",
        "lines", "words", "pm's",
    }
)  # fmt: skip
# Words ending in "s" that are not plural nouns (a plural after a number is a quantity).
NOT_PLURAL = frozenset(
    {"is", "as", "us", "its", "this", "thus", "was", "has", "does", "plus", "unless",
     "always", "across", "towards", "pls", "thanks", "sharp", "ish", "yes"}
)  # fmt: skip
DAYPARTS = {
    "morning": "morning", "mornings": "morning", "afternoon": "afternoon",
    "afternoons": "afternoon", "evening": "evening", "evenings": "evening", "night": "night",
    "nights": "night", "nightly": "night", "tonight": "evening",
    "early": "morning",
}  # fmt: skip
# The time a part of day means when no clock time is given.
DAYPART_HOURS = {"morning": 9, "afternoon": 14, "evening": 18, "night": 2}
AMPM = {"am": "am", "pm": "pm", "a.m.": "am", "p.m.": "pm", "a.m": "am", "p.m": "pm"}
EOD = frozenset({"eod", "cob"})
EOD_PHRASES = (("end", "of", "day"), ("end", "of", "the", "day"), ("close", "of", "business"))
OFFICE_HOURS = frozenset({"office", "business", "working", "work"})
