"""`/levqor workspace [SLUG | agency]`: which workspace an agency member acts in from Slack."""

from __future__ import annotations

from accounts import acting
from accounts.agencies import AgencyError
from bot.slack.deps import Actor, SlackDeps
from bot.slack.views.replies import Reply, text_reply


async def workspace(deps: SlackDeps, actor: Actor, slug: str) -> Reply:
    """List the agency and its clients with the one this user acts in, or switch to one."""
    home = actor.home or actor.workspace
    if slug.strip():
        try:
            chosen = await acting.act_in(actor.session, home, actor.member, slug)
        except AgencyError as exc:
            return text_reply(f"{exc}")
        if chosen.id == home.id:
            return text_reply(
                f"You now act in *{home.name}*, your agency's own workspace again. "
                f"`/levqor workspace` lists its clients."
            )
        return text_reply(
            f"You now act in *{chosen.name}*, a client of {home.name}, with your agency role. "
            "What you draft, list and run in Slack happens there until you say "
            "`/levqor workspace agency`."
        )
    if not await acting.is_agency(actor.session, home):
        return text_reply(
            f"{home.name} is not an agency workspace: switching workspaces is for agencies and "
            "their client workspaces (the Agency plan)."
        )
    clients = await acting.clients_of(actor.session, home)
    here = actor.workspace.id

    def line(ws_name: str, ws_slug: str, ws_id: str, what: str) -> str:
        mark = " ← you act here" if ws_id == here else ""
        return f"• *{ws_name}* (`{ws_slug}`) — {what}{mark}"

    lines = [line(home.name, "agency", home.id, "your agency")]
    lines += [line(c.name, c.slug, c.id, "client") for c in clients]
    if not clients:
        lines.append("No client workspaces yet: add one on the Clients page.")
    now = actor.workspace.name
    return text_reply(
        f"You act in *{now}*.\n"
        + "\n".join(lines)
        + "\nSwitch with `/levqor workspace SLUG`; `/levqor workspace agency` goes back.",
        link=deps.link("/clients"),
    )
