"""A poll that could not look for news (a sheet it cannot read) starts a run carrying the reason
(`Run.poll_problem`, apart from the trigger payload); the engine fails that run at once with it,
so it reaches the bell and the failure notices."""

from __future__ import annotations

from storage.models import Run


def sheet_problem(sheet: str, reason: str) -> str:
    """Why the sheet could not be watched, for people."""
    reason = reason.strip().rstrip(".")
    return f"Could not read the “{sheet}” sheet to look for new rows: {reason}."


def unlinked_sheet(spreadsheet: str, edit_url: str) -> str:
    """Why a sheet known by a name (or an id Google does not know) cannot be watched, and what
    to paste where."""
    return (
        "Could not look for new rows: Google Sheets finds a spreadsheet by its link, and this "
        f"workflow only has “{spreadsheet.strip()}” for it. Open the spreadsheet in Google Sheets, "
        "copy its address from the browser (it starts with https://docs.google.com/spreadsheets/), "
        "paste it into the Spreadsheet field of this workflow's trigger on the workflow page "
        f"({edit_url}) and save; the next check uses it once the change is approved. If Google "
        "Sheets is not connected yet, connect it in Settings → Connections too."
    )


def poll_problem(run: Run) -> str | None:
    """The reason a poll could not look for news, when the run was started to report one."""
    return run.poll_problem if run.trigger_type == "poll" and run.poll_problem else None


def page_problem(failures: list[tuple[str, str]], watched: int) -> str:
    """Why some watched pages could not be read (a bad address, a page that is gone), for
    people; the other pages were still compared."""
    shown = "; ".join(f"{url} ({reason.strip().rstrip('.')})" for url, reason in failures[:5])
    more = f"; and {len(failures) - 5} more" if len(failures) > 5 else ""
    which = "the watched page" if watched == 1 else f"{len(failures)} of the {watched} pages"
    return (
        f"Could not read {which} to look for changes: {shown}{more}. Check the address in this "
        "workflow's trigger; the page's last snapshot is kept until it can be read again."
    )
