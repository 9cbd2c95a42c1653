"""A runs-per-day bar chart with a success-rate line, as a PNG (pure Python: zlib, no plotting)."""

from __future__ import annotations

import hashlib
import hmac
import re
import struct
import time
import zlib
from dataclasses import dataclass
from datetime import date
from itertools import pairwise
from pathlib import Path

from storage.config import Settings

WIDTH, HEIGHT = 640, 320
MARGIN_LEFT, MARGIN_RIGHT, MARGIN_TOP, MARGIN_BOTTOM = 44, 52, 24, 40
BACKGROUND = (255, 255, 255)
AXIS = (140, 149, 159)
INK = (36, 41, 47)
SUCCEEDED = (46, 160, 67)
FAILED = (215, 58, 73)
OTHER = (154, 103, 0)
RATE = (3, 102, 214)
CHART_ID = re.compile(r"^[a-f0-9]{32}$")
Color = tuple[int, int, int]

# A 3x5 pixel font: just the glyphs the chart writes (digits, %, weekday names).
_GLYPHS = {
    "0": "111101101101111", "1": "010110010010111", "2": "111001111100111",
    "3": "111001111001111", "4": "101101111001001", "5": "111100111001111",
    "6": "111100111101111", "7": "111001010010010", "8": "111101111101111",
    "9": "111101111001111", "%": "101001010100101", "A": "010101111101101",
    "D": "110101101101110", "E": "111100110100111", "F": "111100110100100",
    "H": "101101111101101", "I": "111010010010111", "M": "101111111101101",
    "N": "111101101101101", "O": "111101101101111", "R": "110101110101101",
    "S": "111100111001111", "T": "111010010010010", "U": "101101101101111",
    "W": "101101111111101", " ": "000000000000000",
}  # fmt: skip
_WEEKDAYS = ("MON", "TUE", "WED", "THU", "FRI", "SAT", "SUN")


@dataclass(frozen=True)
class DayBar:
    """One day's runs: succeeded and failed (stacked), still running, and the success rate."""

    day: date
    succeeded: int
    failed: int
    other: int = 0

    @property
    def total(self) -> int:
        """Every run of the day."""
        return self.succeeded + self.failed + self.other

    @property
    def success_rate(self) -> float | None:
        """Percent of finished runs that succeeded; None when none finished."""
        finished = self.succeeded + self.failed
        return 100.0 * self.succeeded / finished if finished else None


class Canvas:
    """An RGB pixel buffer with the few drawing operations a chart needs."""

    def __init__(self, width: int, height: int) -> None:
        self.width, self.height = width, height
        self.pixels = bytearray(bytes(BACKGROUND) * (width * height))

    def fill(self, x0: int, y0: int, x1: int, y1: int, color: Color) -> None:
        """Fill the rectangle [x0, x1) x [y0, y1), clipped to the canvas."""
        x0, x1 = max(0, x0), min(self.width, x1)
        row = bytes(color) * max(0, x1 - x0)
        for y in range(max(0, y0), min(self.height, y1)):
            start = (y * self.width + x0) * 3
            self.pixels[start : start + len(row)] = row

    def line(self, x0: int, y0: int, x1: int, y1: int, color: Color) -> None:
        """A 2-pixel-wide straight line (Bresenham)."""
        dx, dy = abs(x1 - x0), -abs(y1 - y0)
        sx, sy = (1 if x0 < x1 else -1), (1 if y0 < y1 else -1)
        error = dx + dy
        while True:
            self.fill(x0, y0, x0 + 2, y0 + 2, color)
            if (x0, y0) == (x1, y1):
                return
            doubled = 2 * error
            if doubled >= dy:
                error, x0 = error + dy, x0 + sx
            if doubled <= dx:
                error, y0 = error + dx, y0 + sy

    def text(self, x: int, y: int, value: str, color: Color = INK, scale: int = 2) -> None:
        """Write `value` with its top-left corner at (x, y); unknown characters are blanks."""
        for index, char in enumerate(value.upper()):
            glyph = _GLYPHS.get(char, _GLYPHS[" "])
            left = x + index * 4 * scale
            for bit, on in enumerate(glyph):
                if on == "1":
                    gx, gy = left + (bit % 3) * scale, y + (bit // 3) * scale
                    self.fill(gx, gy, gx + scale, gy + scale, color)

    def png(self) -> bytes:
        """The canvas as a PNG file (8-bit RGB, unfiltered rows, zlib-compressed)."""
        stride = self.width * 3
        raw = b"".join(
            b"\x00" + bytes(self.pixels[y * stride : (y + 1) * stride]) for y in range(self.height)
        )
        header = struct.pack(">IIBBBBB", self.width, self.height, 8, 2, 0, 0, 0)
        return b"".join([
            b"\x89PNG\r\n\x1a\n", _chunk(b"IHDR", header),
            _chunk(b"IDAT", zlib.compress(raw, 9)), _chunk(b"IEND", b""),
        ])  # fmt: skip


def _chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def text_width(value: str, scale: int = 2) -> int:
    """Pixels `value` takes when written at `scale`."""
    return max(0, len(value) * 4 * scale - scale)


def nice_maximum(value: int) -> int:
    """The y-axis top: `value` rounded up to 1, 2 or 5 times a power of ten (at least 1)."""
    step = 1
    while True:
        for factor in (1, 2, 5):
            if value <= factor * step:
                return factor * step
        step *= 10


def runs_chart(days: list[DayBar], width: int = WIDTH, height: int = HEIGHT) -> bytes:
    """Bars of runs per day (succeeded, failed, running stacked) and a success-rate line."""
    canvas = Canvas(width, height)
    left, top = MARGIN_LEFT, MARGIN_TOP
    right, bottom = width - MARGIN_RIGHT, height - MARGIN_BOTTOM
    plot_height = bottom - top
    top_value = nice_maximum(max((d.total for d in days), default=0))
    canvas.fill(left, top, left + 1, bottom + 1, AXIS)
    canvas.fill(right, top, right + 1, bottom + 1, AXIS)
    canvas.fill(left, bottom, right + 1, bottom + 1, AXIS)
    canvas.text(left - 6 - text_width(str(top_value)), top - 5, str(top_value))
    canvas.text(left - 6 - text_width("0"), bottom - 5, "0")
    canvas.text(right + 6, top - 5, "100%", RATE)
    canvas.text(right + 6, bottom - 5, "0%", RATE)
    slot = (right - left - 1) / max(1, len(days))
    points: list[tuple[int, int] | None] = []
    for index, day in enumerate(days):
        x0 = left + 1 + int(index * slot + slot * 0.2)
        x1 = max(x0 + 1, left + 1 + int(index * slot + slot * 0.8))
        y = bottom
        for count, color in ((day.succeeded, SUCCEEDED), (day.failed, FAILED), (day.other, OTHER)):
            size = round(count * plot_height / top_value)
            canvas.fill(x0, y - size, x1, y, color)
            y -= size
        centre = (x0 + x1) // 2
        if len(days) <= 14 or index % max(1, len(days) // 10) == 0:
            label = _WEEKDAYS[day.day.weekday()] if len(days) <= 14 else str(day.day.day)
            canvas.text(centre - text_width(label) // 2, bottom + 8, label)
            if len(days) <= 14:
                canvas.text(
                    centre - text_width(str(day.day.day)) // 2, bottom + 22, str(day.day.day)
                )
        if day.total and slot >= 24:
            canvas.text(centre - text_width(str(day.total)) // 2, y - 14, str(day.total))
        rate = day.success_rate
        points.append(None if rate is None else (centre, bottom - round(rate * plot_height / 100)))
    for start, end in pairwise(points):
        if start is not None and end is not None:
            canvas.line(*start, *end, RATE)
    for point in points:
        if point is not None:
            canvas.fill(point[0] - 2, point[1] - 2, point[0] + 4, point[1] + 4, RATE)
    return canvas.png()


def chart_id_for(settings: Settings, key: str) -> str:
    """An unguessable id for the chart of a step (stable across retries of that step)."""
    secret = settings.resolved_secret_key.encode()
    return hmac.new(secret, f"chart:{key}".encode(), hashlib.sha256).hexdigest()[:32]


def chart_path(settings: Settings, chart_id: str) -> Path | None:
    """Where a chart with this id is stored; None for anything that is not a chart id."""
    if not CHART_ID.match(chart_id):
        return None
    return Path(settings.data_dir) / "charts" / f"{chart_id}.png"


def save_chart(settings: Settings, chart_id: str, png: bytes) -> Path:
    """Store a chart under the data dir (written to a temp file, then renamed into place).

    At most once an hour per process, charts past `LEVQOR_CHART_RETENTION_DAYS` are removed then.
    """
    path = chart_path(settings, chart_id)
    if path is None:
        raise ValueError(f"not a chart id: {chart_id!r}")
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_suffix(".part")
    partial.write_bytes(png)
    partial.replace(path)
    if time.time() - _pruned.get(path.parent, 0.0) >= PRUNE_EVERY_SECONDS:
        _pruned[path.parent] = time.time()
        prune_charts(settings)
    return path


PRUNE_EVERY_SECONDS = 3600
_pruned: dict[Path, float] = {}  # charts dir -> when this process last pruned it


def prune_charts(settings: Settings, now: float | None = None) -> int:
    """Delete charts older than the retention (and half-written files over an hour old)."""
    folder = Path(settings.data_dir) / "charts"
    if not folder.is_dir():
        return 0
    now = time.time() if now is None else now
    keep = settings.chart_retention_days * 86400
    removed = 0
    for entry in folder.iterdir():
        age = now - entry.stat().st_mtime
        stale = (entry.suffix == ".png" and CHART_ID.match(entry.stem) and age > keep) or (
            entry.suffix == ".part" and age > 3600
        )
        if stale:
            entry.unlink(missing_ok=True)
            removed += 1
    return removed


def load_chart(settings: Settings, chart_id: str) -> bytes | None:
    """A stored chart's PNG bytes, or None when the id is not a stored chart."""
    path = chart_path(settings, chart_id)
    return path.read_bytes() if path is not None and path.is_file() else None
