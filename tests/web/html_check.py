"""A strict HTML check for public pages: doctype, language, balanced tags, unique ids, head tags."""

from __future__ import annotations

from dataclasses import dataclass, field
from html.parser import HTMLParser

VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source",
        "track", "wbr"}  # fmt: skip


@dataclass
class Page:
    """What the check found."""

    problems: list[str] = field(default_factory=list)
    title: str = ""
    meta: dict[str, str] = field(default_factory=dict)  # name or property -> content
    links: dict[str, str] = field(default_factory=dict)  # rel -> href
    h1: list[str] = field(default_factory=list)
    anchors: list[tuple[str, str]] = field(default_factory=list)  # (text, href)


class _Checker(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.page = Page()
        self.stack: list[str] = []
        self.ids: set[str] = set()
        self.doctype = False
        self.text_into: list[str] | None = None
        self.anchor: str | None = None
        self.anchor_text: list[str] = []

    def handle_decl(self, decl: str) -> None:
        self.doctype = decl.lower() == "doctype html"

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {k: v or "" for k, v in attrs}
        if len(values) != len(attrs):
            self.page.problems.append(f"<{tag}> repeats an attribute")
        if (ident := values.get("id")) is not None:
            if ident in self.ids:
                self.page.problems.append(f"duplicate id {ident!r}")
            self.ids.add(ident)
        if tag == "html" and not values.get("lang"):
            self.page.problems.append("<html> has no lang")
        if tag == "meta" and ("name" in values or "property" in values):
            self.page.meta[values.get("name") or values["property"]] = values.get("content", "")
        if tag == "link":
            self.page.links[values.get("rel", "")] = values.get("href", "")
        if tag == "img" and "alt" not in values:
            self.page.problems.append("<img> without alt")
        if tag == "a":
            self.anchor, self.anchor_text = values.get("href", ""), []
        if tag in ("title", "h1"):
            self.text_into = []
        if tag not in VOID:
            self.stack.append(tag)

    def handle_endtag(self, tag: str) -> None:
        if tag in VOID:
            return
        if not self.stack or self.stack[-1] != tag:
            self.page.problems.append(f"</{tag}> closes {self.stack[-1:] or 'nothing'}")
            return
        self.stack.pop()
        if tag in ("title", "h1") and self.text_into is not None:
            text = "".join(self.text_into).strip()
            if tag == "title":
                self.page.title = text
            else:
                self.page.h1.append(text)
            self.text_into = None
        if tag == "a" and self.anchor is not None:
            self.page.anchors.append((" ".join("".join(self.anchor_text).split()), self.anchor))
            self.anchor = None

    def handle_data(self, data: str) -> None:
        if self.text_into is not None:
            self.text_into.append(data)
        if self.anchor is not None:
            self.anchor_text.append(data)


def check(html: str) -> Page:
    """Parse `html`; `problems` lists everything that is not well-formed or is missing."""
    checker = _Checker()
    checker.feed(html)
    checker.close()
    page = checker.page
    if not checker.doctype:
        page.problems.append("no <!DOCTYPE html>")
    if checker.stack:
        page.problems.append(f"unclosed: {checker.stack}")
    if not page.title:
        page.problems.append("no <title>")
    if len(page.h1) != 1:
        page.problems.append(f"{len(page.h1)} <h1> elements (want one)")
    if not page.meta.get("description"):
        page.problems.append("no meta description")
    if "viewport" not in page.meta:
        page.problems.append("no meta viewport")
    return page
