"""Growth: the referral link (`/r/{code}` counts the visit and leads to sign-up) and the panel."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from accounts import plans, referrals
from bot.api.deps import RuntimeDep, SessionDep
from bot.web.auth import PageContext, is_secure
from bot.web.render import render

router = APIRouter(include_in_schema=False)


@router.get("/r/{code}")
async def referral_link(
    code: str, request: Request, runtime: RuntimeDep, session: SessionDep
) -> Response:
    """Count the visit, remember the link for sign-up, and go to sign-up."""
    response = RedirectResponse("/signup", status_code=303)
    if await referrals.record_click(session, code):
        await session.commit()
        response.set_cookie(
            referrals.COOKIE,
            code[:32],
            max_age=referrals.COOKIE_DAYS * 86400,
            httponly=True,
            samesite="lax",
            secure=is_secure(request, runtime),
            path="/",
        )
    return response


@router.get("/growth")
async def growth_page(request: Request, ctx: PageContext) -> HTMLResponse:
    """The workspace's referral link and what it led to."""
    figures = await referrals.figures(ctx.tenant.session, ctx.user.workspace)
    await ctx.tenant.session.commit()
    base = ctx.runtime.settings.public_url.rstrip("/")
    return render(
        request,
        "growth/index.html",
        ctx.user,
        title="Growth",
        figures=figures,
        link=f"{base}/r/{figures.code}",
        credit=plans.money(ctx.runtime.settings.referral_credit_pence),
        money=plans.money,
    )
