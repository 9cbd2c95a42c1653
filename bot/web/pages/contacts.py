"""The Contacts page for Levqor's own CRM: search, edit one, import and export CSV."""

from __future__ import annotations

from typing import Annotated
from urllib.parse import urlencode

from fastapi import APIRouter, File, Form, Request, UploadFile
from fastapi.responses import Response

from bot.web.auth import CsrfChecked, PageContext
from bot.web.flash import flash_redirect
from bot.web.render import render
from workflows import contacts, policy, service
from workflows.errors import DomainError

router = APIRouter(include_in_schema=False)
PAGE = 50
Text = Annotated[str, Form()]


@router.get("/contacts")
async def contacts_page(
    request: Request, ctx: PageContext, q: str = "", stage: str = "", page: int = 1
) -> Response:
    """Contacts, most recently changed first, 50 a page; search by name, email, company, phone."""
    page = max(page, 1)
    found, total = await contacts.search(ctx.tenant, q, stage, limit=PAGE, offset=(page - 1) * PAGE)

    def link(n: int) -> str:
        query = {k: v for k, v in {"q": q, "stage": stage, "page": str(n)}.items() if v}
        return "/contacts?" + urlencode(query)

    return render(
        request,
        "contacts/index.html",
        ctx.user,
        title="Contacts",
        contacts=found,
        total=total,
        q=q,
        stage=stage,
        stages=await contacts.stages(ctx.tenant),
        next_link=link(page + 1) if page * PAGE < total else None,
        previous_link=link(page - 1) if page > 1 else None,
        may_edit=policy.may_operate(ctx.user.member.role),
    )


@router.get("/contacts/export.csv")
async def export(ctx: PageContext) -> Response:
    """Every contact as a CSV file."""
    body = await contacts.export_csv(ctx.tenant)
    headers = {"Content-Disposition": 'attachment; filename="contacts.csv"'}
    return Response(body, media_type="text/csv; charset=utf-8", headers=headers)


@router.post("/contacts/import", dependencies=[CsrfChecked])
async def import_file(
    ctx: PageContext, file: Annotated[UploadFile | None, File()] = None
) -> Response:
    """Create or update contacts from a CSV file; says how many, and which rows were skipped."""
    try:
        service.require_operator(ctx.user.member, "import contacts")
        if file is None or not file.filename:
            return flash_redirect("/contacts", "Choose a CSV file to import.", "error")
        result = await contacts.import_csv(ctx.tenant, await file.read())
    except DomainError as exc:
        await ctx.tenant.session.rollback()
        return flash_redirect("/contacts", f"Nothing was imported: {exc}.", "error")
    await ctx.tenant.session.commit()
    kind = "ok" if result.created + result.updated else "error"
    return flash_redirect("/contacts", result.sentence(), kind)


@router.get("/contacts/{contact_id}")
async def edit_page(request: Request, contact_id: str, ctx: PageContext) -> Response:
    """One contact's form."""
    contact = await contacts.get_contact(ctx.tenant, contact_id)
    values = {name: getattr(contact, name) or "" for name in contacts.COLUMNS}
    return _form(request, ctx, contact_id, values, None)


def _form(
    request: Request,
    ctx: PageContext,
    contact_id: str,
    values: dict[str, str],
    error: str | None,
    status: int = 200,
) -> Response:
    return render(
        request,
        "contacts/edit.html",
        ctx.user,
        status=status,
        title=f"Contact {values.get('name') or values.get('email')}",
        contact_id=contact_id,
        values=values,
        error=error,
        may_edit=policy.may_operate(ctx.user.member.role),
    )


@router.post("/contacts/{contact_id}", dependencies=[CsrfChecked])
async def save(
    request: Request,
    contact_id: str,
    ctx: PageContext,
    email: Text = "",
    name: Text = "",
    company: Text = "",
    phone: Text = "",
    stage: Text = "",
    source: Text = "",
) -> Response:
    """Save the form; a bad value shows the form again with what was typed and why."""
    values = {
        "email": email,
        "name": name,
        "company": company,
        "phone": phone,
        "stage": stage,
        "source": source,
    }
    try:
        service.require_operator(ctx.user.member, "edit contacts")
        contact = await contacts.update_contact(ctx.tenant, contact_id, values)
        await ctx.tenant.session.commit()
    except DomainError as exc:  # checked before anything is changed: nothing to undo
        return _form(request, ctx, contact_id, values, f"Not saved: {exc}.", status=400)
    back = "/contacts?" + urlencode({"q": contact.email})
    return flash_redirect(back, f"Saved {contact.email}.")
