"""Named email templates (HTML + text bodies from the step's text, sandboxed); unsubscribe links."""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
from dataclasses import dataclass
from functools import lru_cache

from jinja2 import StrictUndefined, Template
from jinja2.sandbox import ImmutableSandboxedEnvironment
from markupsafe import Markup, escape

from integrations.base import ActionError
from storage.compare import same_secret
from storage.config import Settings

_HTML_LAYOUT = """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{ subject }}</title></head>
<body style="margin:0;padding:0;background:#f6f7f9;">
<div style="max-width:600px;margin:0 auto;padding:24px;font-family:Helvetica,Arial,sans-serif;
font-size:15px;line-height:1.5;color:#1f2328;background:#ffffff;">
{% if heading %}<h1 style="font-size:20px;margin:0 0 16px;">{{ subject }}</h1>{% endif %}
{{ body }}
{% if footer %}<hr style="border:none;border-top:1px solid #d0d7de;margin:24px 0 12px;">
<p style="font-size:12px;color:#57606a;">{{ footer }}</p>{% endif %}
</div></body></html>
"""

_TEXT_LAYOUT = """{{ text }}{% if footer %}

--
{{ footer }}{% endif %}
"""


@dataclass(frozen=True)
class EmailTemplate:
    """How a named template lays out a message: heading, footer, monospace body."""

    heading: bool = False
    drip: bool = False
    preformatted: bool = False


TEMPLATES: dict[str, EmailTemplate] = {
    "plain": EmailTemplate(),
    "drip": EmailTemplate(drip=True),
    "report": EmailTemplate(heading=True, preformatted=True),
}


@dataclass(frozen=True)
class RenderedEmail:
    """The two bodies of a message."""

    text: str
    html: str


@lru_cache(maxsize=2)
def _environment(html: bool) -> ImmutableSandboxedEnvironment:
    return ImmutableSandboxedEnvironment(
        autoescape=html, undefined=StrictUndefined, keep_trailing_newline=True
    )


@lru_cache(maxsize=4)
def _layout(html: bool) -> Template:
    return _environment(html).from_string(_HTML_LAYOUT if html else _TEXT_LAYOUT)


def template_named(name: str) -> EmailTemplate:
    """The template called `name`, or an ActionError naming the ones that exist."""
    try:
        return TEMPLATES[name]
    except KeyError:
        raise ActionError(
            f"unknown email template {name!r}; use one of: {', '.join(TEMPLATES)}"
        ) from None


def footer_for(workspace_name: str, unsubscribe_url: str | None) -> str:
    """The line under a message: who sent it, and how to stop drip mail."""
    if unsubscribe_url:
        return f"Sent by {workspace_name}. Unsubscribe: {unsubscribe_url}"
    return ""


def render(
    name: str,
    *,
    subject: str,
    text: str,
    workspace_name: str,
    unsubscribe_url: str | None = None,
) -> RenderedEmail:
    """Both bodies of `text` laid out by template `name`; the text is data, never a template."""
    template = template_named(name)
    footer = footer_for(workspace_name, unsubscribe_url)
    plain = _layout(False).render(text=text.rstrip(), footer=footer)
    html = _layout(True).render(
        subject=subject,
        heading=template.heading,
        body=_html_body(text, preformatted=template.preformatted),
        footer=_linked_footer(workspace_name, unsubscribe_url),
    )
    return RenderedEmail(text=plain, html=html)


def _html_body(text: str, *, preformatted: bool) -> Markup:
    """Paragraphs (blank-line separated) with line breaks, every character escaped."""
    if preformatted:
        style = "font-family:Menlo,Consolas,monospace;font-size:13px;white-space:pre-wrap;"
        return Markup('<pre style="{}">{}</pre>').format(style, text.strip("\n"))
    paragraphs = [p for p in re.split(r"\n\s*\n", text.strip()) if p.strip()]
    return Markup("\n").join(
        Markup("<p>{}</p>").format(Markup("<br>\n").join(escape(line) for line in p.splitlines()))
        for p in paragraphs
    )


def _linked_footer(workspace_name: str, unsubscribe_url: str | None) -> Markup | str:
    if not unsubscribe_url:
        return ""
    return Markup('Sent by {}. <a href="{}">Unsubscribe</a> from these emails.').format(
        workspace_name, unsubscribe_url
    )


def unsubscribe_token(settings: Settings, workspace_id: str, email: str) -> str:
    """`<base64 of workspace id and email>.<HMAC of both with the secret key>`."""
    data = f"{workspace_id}:{email.strip().lower()}"
    encoded = base64.urlsafe_b64encode(data.encode()).rstrip(b"=").decode()
    return f"{encoded}.{_mac(settings, data)}"


def read_unsubscribe_token(settings: Settings, token: str) -> tuple[str, str] | None:
    """`(workspace id, email)` from a genuine token, None from anything else."""
    encoded, _, mac = token.partition(".")
    try:
        data = base64.urlsafe_b64decode(encoded + "=" * (-len(encoded) % 4)).decode()
    except (ValueError, UnicodeDecodeError):
        return None
    workspace_id, sep, email = data.partition(":")
    if not sep or not email or not same_secret(mac, _mac(settings, data)):
        return None
    return workspace_id, email


def _mac(settings: Settings, data: str) -> str:
    key = settings.resolved_secret_key.encode()
    return hmac.new(key, f"unsubscribe:{data}".encode(), hashlib.sha256).hexdigest()[:32]


def unsubscribe_url(settings: Settings, workspace_id: str, email: str) -> str:
    """The one-click unsubscribe link for one recipient of drip mail."""
    token = unsubscribe_token(settings, workspace_id, email)
    return f"{settings.public_url.rstrip('/')}/u/{token}"
