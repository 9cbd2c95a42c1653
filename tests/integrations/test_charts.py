"""The report chart: a valid PNG whose bars and line follow the figures; stored, attached, built."""

from __future__ import annotations

import os
import struct
import time
import zlib
from datetime import date, timedelta
from email import message_from_bytes, policy
from email.message import EmailMessage
from pathlib import Path

import httpx
import pytest
from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlmodel.ext.asyncio.session import AsyncSession

from integrations.attachments import attach
from integrations.base import ActionContext, ActionError
from integrations.charts import (
    DayBar,
    chart_id_for,
    chart_path,
    load_chart,
    prune_charts,
    runs_chart,
    save_chart,
)
from integrations.report import ACTIONS
from storage.config import Settings
from storage.models import Run, RunStatus, Workflow, WorkflowVersion, Workspace
from storage.types import utcnow
from tests.conftest import make_settings

GREEN, RED, BLUE, WHITE = (46, 160, 67), (215, 58, 73), (3, 102, 214), (255, 255, 255)
Image = tuple[int, int, list[list[tuple[int, int, int]]]]


def decode_png(data: bytes) -> Image:
    """A small, independent PNG reader (8-bit RGB, all five row filters), checking every CRC."""
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    pos, idat, header = 8, b"", b""
    while pos < len(data):
        (length,) = struct.unpack(">I", data[pos : pos + 4])
        kind, body = data[pos + 4 : pos + 8], data[pos + 8 : pos + 8 + length]
        (crc,) = struct.unpack(">I", data[pos + 8 + length : pos + 12 + length])
        assert crc == zlib.crc32(kind + body), kind
        header = body if kind == b"IHDR" else header
        idat += body if kind == b"IDAT" else b""
        pos += 12 + length
    width, height, depth, color, _, _, interlace = struct.unpack(">IIBBBBB", header)
    assert (depth, color, interlace) == (8, 2, 0)
    raw, stride, rows, previous = zlib.decompress(idat), width * 3, [], bytearray(width * 3)
    for y in range(height):
        kind, line = (
            raw[y * (stride + 1)],
            bytearray(raw[y * (stride + 1) + 1 : (y + 1) * (stride + 1)]),
        )
        for i in range(stride):
            a, b = line[i - 3] if i >= 3 else 0, previous[i]
            c = previous[i - 3] if i >= 3 else 0
            p = a + b - c
            nearest = min((abs(p - a), 0, a), (abs(p - b), 1, b), (abs(p - c), 2, c))[2]
            line[i] = (line[i] + (0, a, b, (a + b) // 2, nearest)[kind]) & 0xFF
        rows.append([tuple(line[x * 3 : x * 3 + 3]) for x in range(width)])
        previous = line
    return width, height, rows  # type: ignore[return-value]


def bars(image: Image) -> list[tuple[int, int, int, float]]:
    """Per bar, left to right: its centre column, green height, red height, mean y of the line."""
    width, height, rows = image
    coloured = [y for y in range(height) if rows[y].count(GREEN) + rows[y].count(RED) > 0]
    if not coloured:
        return []
    baseline = max(coloured)
    columns = [x for x in range(width) if any(rows[y][x] in (GREEN, RED) for y in range(height))]
    segments: list[list[int]] = []
    for x in columns:
        if segments and segments[-1][-1] == x - 1:
            segments[-1].append(x)
        else:
            segments.append([x])
    found = []
    for segment in segments:
        # Extents over the bar's whole width: the rate line may cover a few of its pixels.
        greens = [y for x in segment for y in range(height) if rows[y][x] == GREEN]
        reds = [y for x in segment for y in range(height) if rows[y][x] == RED]
        green = baseline - min(greens) + 1 if greens else 0
        red = (baseline - green + 1) - min(reds) if reds else 0
        x = segment[len(segment) // 2]
        blue = [y for y in range(height) if rows[y][x] == BLUE]
        found.append((x, green, red, sum(blue) / max(1, len(blue))))
    return found


MONDAY = date(2025, 6, 2)
DAYS = [
    DayBar(MONDAY, succeeded=3, failed=1),
    DayBar(MONDAY + timedelta(days=1), succeeded=0, failed=0),
    DayBar(MONDAY + timedelta(days=2), succeeded=8, failed=0),
    DayBar(MONDAY + timedelta(days=3), succeeded=1, failed=3),
]


def test_png_is_valid_and_bars_follow_the_figures() -> None:
    width, height, rows = image = decode_png(runs_chart(DAYS, width=480, height=260))
    assert (width, height, len(rows)) == (480, 260, 260)
    found = bars(image)
    assert len(found) == 3  # the empty Tuesday draws no bar
    (_, g1, r1, line1), (_, g3, r3, line3), (_, g4, r4, line4) = found
    unit = g3 / 8  # the tallest bar (8 runs) sets the scale
    assert unit > 10
    for (green, red), (succeeded, failed) in zip(
        [(g1, r1), (g3, r3), (g4, r4)], [(3, 1), (8, 0), (1, 3)], strict=True
    ):
        assert abs(green - succeeded * unit) <= 3 and abs(red - failed * unit) <= 3
    assert line3 < line1 < line4  # 100% above 75% above 25%
    assert abs((line4 - line3) / (line1 - line3) - 3) < 0.3  # 75 points down vs 25 points down


def test_empty_period_still_draws_axes() -> None:
    width, height, rows = image = decode_png(runs_chart([DayBar(MONDAY, 0, 0)]))
    assert (width, height) == (640, 320) and bars(image) == []
    assert any(pixel != WHITE for row in rows for pixel in row)


def test_chart_ids_are_keyed_and_stored_safely(tmp_path: Path) -> None:
    settings = make_settings(tmp_path)
    first, again = chart_id_for(settings, "run1:report"), chart_id_for(settings, "run1:report")
    assert first == again and len(first) == 32 and first != chart_id_for(settings, "run2:report")
    other = make_settings(tmp_path / "other", LEVQOR_SECRET_KEY="another-secret")
    assert chart_id_for(other, "run1:report") != first
    assert chart_path(settings, "../../secret.key") is None and load_chart(settings, "nope") is None
    png = runs_chart(DAYS)
    assert save_chart(settings, first, png).parent == tmp_path / "charts"
    assert load_chart(settings, first) == png
    with pytest.raises(ValueError):
        save_chart(settings, "../x", png)


def test_charts_attach_to_email_and_nothing_else_does(tmp_path: Path) -> None:
    settings = make_settings(tmp_path)
    chart_id = chart_id_for(settings, "k")
    png = runs_chart(DAYS)
    save_chart(settings, chart_id, png)
    message = EmailMessage()
    message.set_content("figures")
    message.add_alternative("<p>figures</p>", subtype="html")
    for bad in ("/etc/passwd", "chart:../../secret.key", f"file:{chart_id}", "chart:" + "0" * 32):
        with pytest.raises(ActionError):
            attach(message, [f"chart:{chart_id}", bad], settings)
        assert not any(p.get_content_type() == "image/png" for p in message.walk())
    attach(message, [f"chart:{chart_id}", f"chart:{chart_id}"], settings)
    parsed = message_from_bytes(message.as_bytes(), policy=policy.default)
    images = [p for p in parsed.walk() if p.get_content_type() == "image/png"]
    assert len(images) == 1 and images[0].get_content() == png
    assert parsed.get_body(("plain",)) is not None and parsed.get_body(("html",)) is not None


async def test_report_build_draws_the_runs_it_counts(
    settings: Settings, sessions: async_sessionmaker[AsyncSession], workspace: Workspace
) -> None:
    now = utcnow()
    async with sessions() as session:
        wf = Workflow(workspace_id=workspace.id, name="Lead intake", webhook_secret="s")
        session.add(wf)
        await session.flush()
        version = WorkflowVersion(
            workspace_id=workspace.id, workflow_id=wf.id, version=1, approval_class="A"
        )
        session.add(version)
        await session.flush()
        for days_ago, status in [(0, "succeeded"), (0, "failed"), (2, "succeeded"),
                                 (2, "succeeded"), (2, "succeeded"), (5, "failed")]:  # fmt: skip
            session.add(Run(workspace_id=workspace.id, workflow_id=wf.id, version_id=version.id,
                            status=RunStatus(status), trigger_type="manual",
                            created_at=now - timedelta(days=days_ago, minutes=1)))  # fmt: skip
        await session.commit()
    ctx = ActionContext(
        settings=settings, sessions=sessions, http=httpx.AsyncClient(), workspace_id=workspace.id,
        workflow_id=wf.id, run_id="run", step_id="report", idempotency_key="run:report",
    )  # fmt: skip
    out = await ACTIONS[0].run(ctx, {"period": "7 days", "chart": True, "title": "Weekly"})
    per_day = out.figures["per_day"]
    assert len(per_day) == 8 and per_day[-1]["date"] == now.date().isoformat()
    assert sum(d["runs"] for d in per_day) == out.figures["runs_total"] == 6
    assert [(d["succeeded"], d["failed"]) for d in per_day if d["runs"]] == [(0, 1), (3, 0), (1, 1)]
    assert out.chart_url == f"{settings.public_url}/charts/{out.chart_id}.png"
    assert out.attachments == [f"chart:{out.chart_id}"]
    png = load_chart(settings, out.chart_id or "")
    assert png is not None
    heights = [(green, red) for _, green, red, _ in bars(decode_png(png))]
    unit = heights[1][0] / 3
    assert [(round(g / unit), round(r / unit)) for g, r in heights] == [(0, 1), (3, 0), (1, 1)]
    image = [b for b in out.blocks if b["type"] == "image"]
    assert image and image[0]["image_url"] == out.chart_url
    assert out.chart_url in out.html and "Weekly" in out.html and "50.0% success" not in out.html
    plain = await ACTIONS[0].run(ctx, {"period": "7 days"})
    assert plain.chart_url is None and not [b for b in plain.blocks if b["type"] == "image"]


def test_charts_past_the_retention_are_removed_when_a_chart_is_saved(tmp_path: Path) -> None:
    settings = make_settings(tmp_path, LEVQOR_CHART_RETENTION_DAYS="30")
    png = runs_chart(DAYS)
    old, recent = chart_id_for(settings, "old"), chart_id_for(settings, "recent")
    for chart_id, days_ago in ((old, 31), (recent, 29)):
        path = save_chart(settings, chart_id, png)
        stamp = time.time() - days_ago * 86400
        os.utime(path, (stamp, stamp))
    stray = tmp_path / "charts" / "notes.txt"  # not ours: left alone
    stray.write_text("keep")
    half = tmp_path / "charts" / f"{chart_id_for(settings, 'crashed')}.part"
    half.write_bytes(b"partial")
    os.utime(half, (time.time() - 7200, time.time() - 7200))

    assert prune_charts(settings) == 2
    assert load_chart(settings, old) is None and load_chart(settings, recent) == png
    assert stray.exists() and not half.exists()
    assert prune_charts(settings, now=time.time() + 2 * 86400) == 1  # now the 29-day one is 31


def test_saving_prunes_at_most_hourly(tmp_path: Path) -> None:
    settings = make_settings(tmp_path, LEVQOR_CHART_RETENTION_DAYS="1")
    png = runs_chart(DAYS)
    first = save_chart(settings, chart_id_for(settings, "a"), png)  # prunes (first in this dir)
    stamp = time.time() - 3 * 86400
    os.utime(first, (stamp, stamp))
    save_chart(settings, chart_id_for(settings, "b"), png)  # within the hour: no prune
    assert first.exists()
