"""Email attachments by reference: `chart:<id>` attaches a chart report.build stored.

Only references to stored charts are accepted, never paths or URLs, so nothing a workflow (or the
data it handles) says can attach an arbitrary file.
"""

from __future__ import annotations

from email.message import EmailMessage

from integrations.base import ActionError
from integrations.charts import CHART_ID, load_chart
from storage.config import Settings

CHART_PREFIX = "chart:"


def chart_attachment(settings: Settings, reference: str) -> tuple[str, bytes]:
    """The file name and PNG bytes of a `chart:<id>` reference; ActionError for anything else."""
    chart_id = reference.removeprefix(CHART_PREFIX)
    if not reference.startswith(CHART_PREFIX) or not CHART_ID.match(chart_id):
        raise ActionError(f"cannot attach {reference[:80]!r}: only chart:<id> references attach")
    png = load_chart(settings, chart_id)
    if png is None:
        raise ActionError(f"cannot attach {reference}: no such chart")
    return f"chart-{chart_id[:8]}.png", png


def attach(message: EmailMessage, references: list[str], settings: Settings) -> None:
    """Add each referenced chart to `message` as an image/png attachment (all or none)."""
    files = [chart_attachment(settings, ref) for ref in dict.fromkeys(references)]
    for name, png in files:
        message.add_attachment(png, maintype="image", subtype="png", filename=name)
