"""The analytics page: SVG charts with data tables over HTTP, per workspace, and in Chromium."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from playwright.async_api import Page, expect

from bot.web.charts import Series, line_chart, stacked_bars
from storage.models import Run, RunStatus, Workflow
from storage.scope import Tenant
from tests.web.conftest import Web, screenshot, sign_up_client, sign_up_in_browser
from tests.web.test_health_page import FAIL_SPEC, OK_SPEC, new_workflow, workspace_of
from workflows import service


async def add_run(
    web: Web,
    workflow: Workflow,
    day: date,
    status: RunStatus,
    seconds: float | None = None,
    *,
    hour: int = 1,
    error: str | None = None,
) -> None:
    """Store a run created on `day` (UTC) that took `seconds`."""
    created = datetime(day.year, day.month, day.day, hour, tzinfo=UTC)
    started = created + timedelta(seconds=2) if seconds is not None else None
    async with web.runtime.sessions() as session:
        version = await service.active_version(Tenant(session, workflow.workspace_id), workflow)
        session.add(
            Run(
                workspace_id=workflow.workspace_id,
                workflow_id=workflow.id,
                version_id=version.id,
                status=status,
                trigger_type="manual",
                created_at=created,
                started_at=started,
                finished_at=started + timedelta(seconds=seconds) if started and seconds else None,
                error=error,
            )
        )
        await session.commit()


def cells(html: str, table: str, day: date) -> list[str]:
    """The values of `day`'s row in the data table whose summary names `table`."""
    section = html.split(f"Data table: {table}</summary>", 1)[1].split("</table>", 1)[0]
    row = re.search(rf'<tr data-day="{day.isoformat()}">(.*?)</tr>', section)
    assert row, f"no row for {day} in {table}"
    return re.findall(r"<td>(.*?)</td>", row.group(1))


async def seed(web: Web, email: str, workspace: str) -> tuple[str, Workflow, Workflow]:
    """A signed-up workspace with a workflow that succeeds and one that fails."""
    workspace_id = await workspace_of(web, email)
    return (
        workspace_id,
        await new_workflow(web, workspace_id, OK_SPEC),
        await new_workflow(web, workspace_id, FAIL_SPEC),
    )


async def test_charts_and_tables_show_this_workspace_figures_only(web: Web) -> None:
    client = await sign_up_client(web, email="olivia@acme.example", workspace="Acme Ops")
    empty = await client.get("/analytics")
    assert empty.status_code == 200 and "No runs in the last 7 days" in empty.text
    assert "<svg" not in empty.text

    _, ok, bad = await seed(web, "olivia@acme.example", "Acme Ops")
    today = datetime.now(UTC).date()
    yesterday, earlier = today - timedelta(days=1), today - timedelta(days=3)
    for seconds in (1, 2, 3):
        await add_run(web, ok, yesterday, RunStatus.succeeded, seconds)
    await add_run(web, bad, yesterday, RunStatus.failed, 5, error="step ping failed: refused")
    await add_run(web, ok, earlier, RunStatus.succeeded, 0.5)
    await add_run(web, ok, earlier - timedelta(days=10), RunStatus.failed, 1, error="old")
    others = await sign_up_client(web, email="gina@globex.example", workspace="Globex")
    _, their_ok, their_bad = await seed(web, "gina@globex.example", "Globex")
    for _ in range(5):
        await add_run(web, their_bad, yesterday, RunStatus.failed, 9, error="theirs")
    await add_run(web, their_ok, yesterday, RunStatus.succeeded, 30)

    page = (await client.get("/analytics")).text
    assert cells(page, "runs per day", yesterday) == ["3", "1", "0", "4"]
    assert cells(page, "runs per day", earlier) == ["1", "0", "0", "1"]
    assert cells(page, "runs per day", today) == ["0", "0", "0", "0"]
    assert cells(page, "success rate per day", yesterday) == ["75%"]
    assert cells(page, "success rate per day", today) == ["—"]
    assert cells(page, "run duration per day", yesterday) == ["2.5 s", "4.7 s"]
    assert cells(page, "run duration per day", earlier) == ["500 ms", "500 ms"]
    assert page.count('role="img"') == 3 and page.count("<title>") >= 3
    assert 'aria-label="Runs per day. 5 runs in 7 days: 4 succeeded, 1 failed.' in page
    failing = page.split('id="failing-title"', 1)[1]
    assert f'<a href="/workflows/{bad.id}">Ping the dead server</a>' in failing
    assert "step ping failed: refused" in failing and "100%" in failing
    assert "theirs" not in page and their_bad.id not in page

    month = (await client.get("/analytics?days=30")).text
    assert month.count('<tr data-day="') == 3 * 30
    assert cells(month, "runs per day", earlier - timedelta(days=10)) == ["0", "1", "0", "1"]
    assert 'aria-current="page">30 days' in month
    odd = (await client.get("/analytics?days=5")).text
    assert odd.count('<tr data-day="') == 3 * 7
    assert (await web.client().get("/analytics")).status_code == 303
    await client.aclose()
    await others.aclose()


async def test_analytics_in_the_browser(web: Web, page: Page, tmp_path: Path) -> None:
    await sign_up_in_browser(page, web)
    _, ok, bad = await seed(web, "olivia@acme.example", "Acme Ops")
    today = datetime.now(UTC).date()
    for back, (good, failed) in enumerate([(4, 1), (6, 0), (3, 2), (5, 1), (7, 0), (2, 3)]):
        day = today - timedelta(days=back)
        for n in range(good):
            await add_run(web, ok, day, RunStatus.succeeded, 1 + n * 0.7, hour=n + 1)
        for n in range(failed):
            await add_run(web, bad, day, RunStatus.failed, 4 + n, hour=n + 10, error="refused")
    await page.goto(f"{web.url}/analytics")
    charts = page.get_by_role("img")
    await expect(charts).to_have_count(3)
    await expect(charts.first).to_have_attribute(
        "aria-label", re.compile(r"^Runs per day\. 34 runs")
    )
    await expect(page.locator(".totals")).to_contain_text("34")
    await expect(page.get_by_role("row", name=re.compile("Ping the dead server"))).to_contain_text(
        "7 of 7"
    )
    table = page.get_by_role("table", name="Runs per day")
    await expect(table).to_be_hidden()
    await page.get_by_text("Data table: runs per day").click()
    await expect(table).to_be_visible()
    await expect(table.get_by_role("row", name=re.compile(today.isoformat()))).to_contain_text("5")
    await screenshot(page, "analytics", tmp_path, full_page=True)
    await page.get_by_role("link", name="90 days").click()
    await expect(page.get_by_role("link", name="90 days")).to_have_attribute("aria-current", "page")
    await page.set_viewport_size({"width": 375, "height": 800})
    width = await page.evaluate("document.documentElement.scrollWidth")
    assert width <= 375


def test_chart_text_is_escaped_and_gaps_break_the_line() -> None:
    svg = str(
        line_chart(
            title='<script>alert("x")</script>',
            summary="a & b",
            labels=["Mon", "<Tue>", "Wed", "Thu"],
            series=[Series("rate", [50.0, None, 75.0, 100.0], 'ok" onload="x')],
            x_label="Day",
            y_label="%",
            y_max=100,
        )
    )
    assert "<script>" not in svg and "&lt;script&gt;" in svg and "a &amp; b" in svg
    assert 'onload="x' not in svg and "&lt;Tue&gt;" in svg
    assert svg.count("<polyline") == 1 and svg.count("<circle") == 3  # Mon alone, Wed-Thu joined
    bars = str(
        stacked_bars(
            title="Runs",
            summary="s",
            labels=["a", "b"],
            series=[Series("ok", [3, 0], "ok"), Series("bad", [2, 1], "bad")],
            x_label="Day",
            y_label="Runs",
        )
    )
    assert bars.count("<rect") == 3 and "a: 3 ok" in bars and "b: 1 bad" in bars
    assert ">8</text>" in bars and ">2.5</text>" not in bars  # whole-number ticks for counts
