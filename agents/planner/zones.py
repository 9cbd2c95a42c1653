"""Timezone phrases ("UK time", "eastern", "Mumbai") → IANA zone names."""

from __future__ import annotations

import re
from functools import cache

# Region words and abbreviations people write in requests.
_REGIONS = {
    "uk": "Europe/London",
    "british": "Europe/London",
    "gmt": "Europe/London",
    "bst": "Europe/London",
    "eastern": "America/New_York",
    "est": "America/New_York",
    "edt": "America/New_York",
    "et": "America/New_York",
    "central": "America/Chicago",
    "cst": "America/Chicago",
    "cdt": "America/Chicago",
    "ct": "America/Chicago",
    "mountain": "America/Denver",
    "mst": "America/Denver",
    "mdt": "America/Denver",
    "pacific": "America/Los_Angeles",
    "pst": "America/Los_Angeles",
    "pdt": "America/Los_Angeles",
    "pt": "America/Los_Angeles",
    "cet": "Europe/Paris",
    "cest": "Europe/Paris",
    "ist": "Asia/Kolkata",
    "indian": "Asia/Kolkata",
    "aest": "Australia/Sydney",
    "aedt": "Australia/Sydney",
    "jst": "Asia/Tokyo",
    "kst": "Asia/Seoul",
    "sgt": "Asia/Singapore",
    "hkt": "Asia/Hong_Kong",
    "pht": "Asia/Manila",
    "wib": "Asia/Jakarta",
    "awst": "Australia/Perth",
    "acst": "Australia/Adelaide",
    "acdt": "Australia/Adelaide",
    "nzst": "Pacific/Auckland",
    "nzdt": "Pacific/Auckland",
    "sast": "Africa/Johannesburg",
    "eet": "Europe/Athens",
    "eest": "Europe/Athens",
    "msk": "Europe/Moscow",
    "hst": "Pacific/Honolulu",
    "akst": "America/Anchorage",
    "akdt": "America/Anchorage",
    "utc": "UTC",
    "nz": "Pacific/Auckland",
}
# Cities (and a few countries with one zone) people name as "<place> time".
_PLACES = {
    "london": "Europe/London",
    "manchester": "Europe/London",
    "edinburgh": "Europe/London",
    "dublin": "Europe/Dublin",
    "ireland": "Europe/Dublin",
    "lisbon": "Europe/Lisbon",
    "paris": "Europe/Paris",
    "france": "Europe/Paris",
    "berlin": "Europe/Berlin",
    "germany": "Europe/Berlin",
    "munich": "Europe/Berlin",
    "amsterdam": "Europe/Amsterdam",
    "brussels": "Europe/Brussels",
    "madrid": "Europe/Madrid",
    "barcelona": "Europe/Madrid",
    "spain": "Europe/Madrid",
    "rome": "Europe/Rome",
    "milan": "Europe/Rome",
    "italy": "Europe/Rome",
    "zurich": "Europe/Zurich",
    "vienna": "Europe/Vienna",
    "stockholm": "Europe/Stockholm",
    "oslo": "Europe/Oslo",
    "copenhagen": "Europe/Copenhagen",
    "helsinki": "Europe/Helsinki",
    "warsaw": "Europe/Warsaw",
    "prague": "Europe/Prague",
    "athens": "Europe/Athens",
    "istanbul": "Europe/Istanbul",
    "moscow": "Europe/Moscow",
    "kyiv": "Europe/Kyiv",
    "new york": "America/New_York",
    "nyc": "America/New_York",
    "boston": "America/New_York",
    "miami": "America/New_York",
    "atlanta": "America/New_York",
    "toronto": "America/Toronto",
    "montreal": "America/Toronto",
    "chicago": "America/Chicago",
    "dallas": "America/Chicago",
    "austin": "America/Chicago",
    "houston": "America/Chicago",
    "denver": "America/Denver",
    "phoenix": "America/Phoenix",
    "los angeles": "America/Los_Angeles",
    "la": "America/Los_Angeles",
    "san francisco": "America/Los_Angeles",
    "sf": "America/Los_Angeles",
    "seattle": "America/Los_Angeles",
    "vancouver": "America/Vancouver",
    "mexico city": "America/Mexico_City",
    "sao paulo": "America/Sao_Paulo",
    "são paulo": "America/Sao_Paulo",
    "buenos aires": "America/Argentina/Buenos_Aires",
    "mumbai": "Asia/Kolkata",
    "delhi": "Asia/Kolkata",
    "bangalore": "Asia/Kolkata",
    "bengaluru": "Asia/Kolkata",
    "india": "Asia/Kolkata",
    "dubai": "Asia/Dubai",
    "singapore": "Asia/Singapore",
    "hong kong": "Asia/Hong_Kong",
    "tokyo": "Asia/Tokyo",
    "japan": "Asia/Tokyo",
    "seoul": "Asia/Seoul",
    "shanghai": "Asia/Shanghai",
    "beijing": "Asia/Shanghai",
    "manila": "Asia/Manila",
    "jakarta": "Asia/Jakarta",
    "bangkok": "Asia/Bangkok",
    "karachi": "Asia/Karachi",
    "sydney": "Australia/Sydney",
    "melbourne": "Australia/Melbourne",
    "brisbane": "Australia/Brisbane",
    "perth": "Australia/Perth",
    "adelaide": "Australia/Adelaide",
    "auckland": "Pacific/Auckland",
    "new zealand": "Pacific/Auckland",
    "johannesburg": "Africa/Johannesburg",
    "cape town": "Africa/Johannesburg",
    "lagos": "Africa/Lagos",
    "nairobi": "Africa/Nairobi",
    "cairo": "Africa/Cairo",
}
# Codes that name nothing but a zone (not "et", "pt", "ct", "ist", "est": words or
# abbreviations too), unless part of a channel, address or name ("#cet-team").
_CODE = re.compile(
    r"(?<![#@/\w-])(gmt|bst|edt|cst|cdt|mst|mdt|pst|pdt|cet|cest|aest|aedt|jst|kst|sgt|hkt|pht|"
    r"awst|acst|acdt|nzst|nzdt|sast|eet|eest|msk|hst|akst|akdt|utc)\b(?![.'-]\w)"
)
_IANA = re.compile(r"\b((?:africa|america|asia|australia|europe|pacific)/[a-z_]+(?:/[a-z_]+)?)\b")
_PLACE_TIME = re.compile(
    r"\b(" + "|".join(sorted(map(re.escape, _PLACES), key=len, reverse=True)) + r")\b"
)
_REGION_TIME = re.compile(r"\b(" + "|".join(map(re.escape, _REGIONS)) + r")\b")
_TIME_BEFORE = re.compile(
    r"(?:\d|\bnoon|\bmidnight|\bmorning|\bevening|\bnight|"
    # "quarter to ten eastern", "half past six pacific": an hour in words
    r"\b(?:at|to|past|till|until)\s+(?:one|two|three|four|five|six|seven|eight|nine|ten|eleven|"
    r"twelve)(?:\s+o'?clock)?)"
    r"\s*(?:am|pm|h)?,?\s*(?:in\s+|-\s*)?$|\b(?:time|timezone|tz)\s*(?:in|:|=)?\s*$"
)


# A UTC offset ("GMT-5", "UTC+2", "utc +05:30"): whole hours are the fixed-offset IANA zones,
# whose sign is inverted (UTC+2 is Etc/GMT-2); the usual half-hour offsets are their country's.
_OFFSET = re.compile(r"(?<![#@/\w-])(?:utc|gmt)\s?([+-])\s?(\d{1,2})(?::?(00|30|45))?(?![\d:])")
_PART_HOUR_ZONES = {
    "+5:30": "Asia/Kolkata",
    "+5:45": "Asia/Kathmandu",
    "+3:30": "Asia/Tehran",
    "+4:30": "Asia/Kabul",
    "+6:30": "Asia/Yangon",
    "+9:30": "Australia/Darwin",
    "-3:30": "America/St_Johns",
}


def _offset_zone(text: str) -> str | None:
    """The zone of a UTC offset the request names, or None."""
    found = _OFFSET.search(text)
    if found is None:
        return None
    sign, hours, minutes = found.group(1), int(found.group(2)), found.group(3) or "00"
    if minutes != "00":
        return _PART_HOUR_ZONES.get(f"{sign}{hours}:{minutes}")
    if hours == 0:
        return "UTC"
    if hours > (14 if sign == "+" else 12):
        return None
    return f"Etc/GMT{'-' if sign == '+' else '+'}{hours}"


def find_timezone(text: str) -> str | None:
    """The IANA zone a normalised request names, or None when it names none."""
    offset = _offset_zone(text)
    if offset:
        return offset
    match = _IANA.search(text)
    if match:
        return "/".join(p.title() for p in match.group(1).split("/"))
    for pattern, table in ((_PLACE_TIME, _PLACES), (_REGION_TIME, _REGIONS)):
        for match in pattern.finditer(text):
            if _near_time(text, match.start(), match.end()):
                return table[match.group(1)]
    # A zone code is a zone wherever it stands ("… today's events. AEST", "we're on CET").
    code = _CODE.search(text)
    return _REGIONS[code.group(1)] if code else None


@cache
def zone_words() -> frozenset[str]:
    """The one-word zone names ("pst", "eastern", "london"), so time parsing can step over them."""
    words = {w for w in (*_REGIONS, *_PLACES) if " " not in w}
    return frozenset(words | {"time", "timezone", "tz"})


# Where the team is says whose clock the times are on: "we're in melbourne", "based in dublin".
_WHERE_WE_ARE = re.compile(
    r"(?:\b(?:we'?re|we\s+are|i'?m|i\s+am)\s+(?:all\s+)?(?:based\s+|located\s+)?in|"
    r"\b(?:based|located)\s+(?:out\s+of|in)|\bour\s+(?:office|team|shop|store)\s+is\s+in)\s+$"
)


def _near_time(text: str, start: int, end: int) -> bool:
    before = text[max(0, start - 16) : start]
    after = text[end : end + 12]
    if _WHERE_WE_ARE.search(text[max(0, start - 30) : start]):
        return True
    return bool(_TIME_BEFORE.search(before)) or bool(re.match(r"\s*(time|timezone|tz)\b", after))
