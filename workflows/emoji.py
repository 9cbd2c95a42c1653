"""Slack emoji by name: a reaction trigger matches them, and a draft shows the emoji itself."""

from __future__ import annotations

# Slack's other names for the same emoji
_SAME_EMOJI = {"thumbsup": "+1", "thumbsdown": "-1"}
# The emoji people react with most, by Slack's name: a draft says "reacts 🔥", not ":fire:".
EMOJI = {
    "white_check_mark": "✅", "heavy_check_mark": "✔️", "ballot_box_with_check": "☑️",
    "+1": "👍", "-1": "👎", "fire": "🔥", "eyes": "👀", "heart": "❤️", "tada": "🎉",
    "star": "⭐", "star2": "🌟", "rotating_light": "🚨", "x": "❌", "100": "💯", "pray": "🙏",
    "moneybag": "💰", "rocket": "🚀", "warning": "⚠️", "bug": "🐛", "ticket": "🎫", "memo": "📝",
    "pushpin": "📌", "raised_hands": "🙌", "question": "❓", "bell": "🔔", "inbox_tray": "📥",
    "red_circle": "🔴", "large_green_circle": "🟢", "bookmark": "🔖",
    "clipboard": "📋", "calendar": "📅", "email": "📧", "hourglass": "⌛", "sos": "🆘",
    "no_entry": "⛔", "white_circle": "⚪", "handshake": "🤝", "trophy": "🏆",
    "money_with_wings": "💸",
}  # fmt: skip


def emoji_name(name: str) -> str:
    """`:Fire:`, `fire` and `fire::skin-tone-2` alike → `fire` (and `thumbsup` → `+1`)."""
    bare = name.strip().strip(":").lower().split("::", 1)[0]
    return _SAME_EMOJI.get(bare, bare)
