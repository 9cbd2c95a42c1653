"""Public pages for search engines: the template gallery (`/t`, `/t/{template_id}`),
`/sitemap.xml` and `/robots.txt`. No sign-in; nothing of any workspace is shown."""

from __future__ import annotations

from xml.sax.saxutils import escape

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import HTMLResponse, PlainTextResponse, Response

from bot.api.deps import RuntimeDep, SessionDep
from bot.web.pages.library_templates import CATEGORY_LABELS, card_of, preview_steps
from bot.web.render import templates
from workflows import seo
from workflows.catalog import TemplateCatalog

router = APIRouter(include_in_schema=False)
PRIVATE = ("/api/", "/workflows", "/workspace", "/audit", "/admin/", "/exports/", "/approvals")


def _base(runtime: RuntimeDep) -> str:
    return runtime.settings.public_url.rstrip("/")


@router.get("/t")
async def gallery(request: Request, runtime: RuntimeDep) -> HTMLResponse:
    """Every template, by category."""
    listed = TemplateCatalog.load().list()
    return templates.TemplateResponse(
        request,
        "public/gallery.html",
        {"templates": listed, "labels": CATEGORY_LABELS, "base": _base(runtime)},
    )


@router.get("/t/{template_id}")
async def template_page(
    request: Request, template_id: str, runtime: RuntimeDep, session: SessionDep
) -> HTMLResponse:
    """One template: what it does, the connections it needs, and "Use this template"."""
    try:
        template = TemplateCatalog.load().get(template_id)
    except KeyError:
        raise HTTPException(404, "no such template") from None
    texts = await seo.live_texts(session, template)
    return templates.TemplateResponse(
        request,
        "public/template.html",
        {
            "t": template,
            "card": card_of(template, runtime.registry),
            "steps": preview_steps(template),
            "connections": seo.connections_needed(template),
            "texts": texts,
            "canonical": f"{_base(runtime)}/t/{template.id}",
            "use_url": f"/signup?next=/templates/{template.id}",
        },
    )


@router.get("/sitemap.xml")
async def sitemap(runtime: RuntimeDep) -> Response:
    """The public pages, for search engines."""
    base = _base(runtime)
    urls = [f"{base}/t", *(f"{base}/t/{t.id}" for t in TemplateCatalog.load().list())]
    body = "".join(f"  <url><loc>{escape(u)}</loc></url>\n" for u in urls)
    xml = (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">\n'
        f"{body}</urlset>\n"
    )
    return Response(xml, media_type="application/xml")


@router.get("/robots.txt")
async def robots(runtime: RuntimeDep) -> PlainTextResponse:
    """Crawl the gallery; keep out of everything signed-in."""
    lines = ["User-agent: *", "Allow: /t/", *(f"Disallow: {p}" for p in PRIVATE)]
    lines.append(f"Sitemap: {_base(runtime)}/sitemap.xml")
    return PlainTextResponse("\n".join(lines) + "\n")
