"""Pick a template's overview out of its markdown description: the first plain paragraph."""

from __future__ import annotations

import re

MAX_CHARS = 400
_PREFERRED = re.compile(
    r"overview|what (it|this|the)\b.*\bdoes|description|summary|how it works|about",
    re.IGNORECASE,
)
_SKIPPED = re.compile(
    r"who.*for|setup|set up|requirement|prerequisite|install|customi[sz]|credential|need",
    re.IGNORECASE,
)
_IMAGE = re.compile(r"!\[[^\]]*\]\([^)]*\)")
_LINK = re.compile(r"\[([^\]]*)\]\([^)]*\)")
_HTML = re.compile(r"<[^>]+>")
_URL = re.compile(r"https?://\S+")
_MARKS = re.compile(r"[*_`>|]+")


def plain(markdown: str) -> str:
    """Markdown to plain words: images, links' targets, tags and emphasis marks removed."""
    text = _IMAGE.sub(" ", markdown)
    text = _LINK.sub(r"\1", text)
    text = _HTML.sub(" ", text)
    text = _URL.sub(" ", text)
    text = _MARKS.sub(" ", text)
    return re.sub(r"\s+", " ", text).strip()


def _sections(markdown: str) -> list[tuple[str, list[str]]]:
    """(heading, paragraphs) pairs in order; text before any heading has heading ''."""
    sections: list[tuple[str, list[str]]] = [("", [])]
    for block in re.split(r"\n\s*\n", markdown.replace("\r\n", "\n")):
        lines = [line for line in block.strip().splitlines() if line.strip()]
        while lines and re.match(r"\s*#{1,6}\s", lines[0]):
            sections.append((plain(lines[0].lstrip("# ")), []))
            lines = lines[1:]
        body = plain(" ".join(lines))
        if lines and not re.fullmatch(r"[-=_*\s]*", body) and len(body.split()) >= 4:
            sections[-1][1].append(body)
    return sections


def overview(markdown: str, max_chars: int = MAX_CHARS) -> str:
    """The overview paragraph: under an "Overview"-like heading, else the first plain one."""
    sections = [(head, paras) for head, paras in _sections(markdown) if paras]
    chosen = next((paras[0] for head, paras in sections if _PREFERRED.search(head)), None)
    if chosen is None:
        chosen = next((paras[0] for head, paras in sections if not _SKIPPED.search(head)), "")
    if not chosen and sections:
        chosen = sections[0][1][0]
    return _clip(chosen, max_chars)


def _clip(text: str, max_chars: int) -> str:
    if len(text) <= max_chars:
        return text
    cut = text[:max_chars].rsplit(" ", 1)[0]
    return cut.rstrip(",;:-") + " …"
