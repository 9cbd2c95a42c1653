"""What a person sees on a web page: its visible text (one line per block) and the prices in it.

Scripts, styles and other invisible parts are dropped, tags removed and whitespace collapsed;
a price is a currency symbol or code next to a number ("$1,299.00", "£9", "29 EUR", "19,99 €").
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from html.parser import HTMLParser

MAX_TEXT_CHARS = 20_000
MAX_PRICES = 500

_INVISIBLE = frozenset({"script", "style", "noscript", "template", "svg", "head", "iframe"})
_VOID = frozenset(
    {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "wbr"}
)
_BLOCKS = frozenset(
    {
        "address", "article", "aside", "blockquote", "br", "dd", "div", "dl", "dt", "fieldset",
        "figcaption", "figure", "footer", "form", "h1", "h2", "h3", "h4", "h5", "h6", "header",
        "hr", "li", "main", "nav", "ol", "option", "p", "pre", "section", "table", "tbody", "td",
        "tfoot", "th", "thead", "title", "tr", "ul",
    }
)  # fmt: skip


class _Visible(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.lines: list[str] = []
        self._line: list[str] = []
        self._hidden = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _INVISIBLE:
            self._hidden += 1
        elif tag in _BLOCKS:
            self._break()

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _BLOCKS:
            self._break()

    def handle_endtag(self, tag: str) -> None:
        if tag in _INVISIBLE:
            self._hidden = max(0, self._hidden - 1)
        elif tag in _BLOCKS:
            self._break()

    def handle_data(self, data: str) -> None:
        if not self._hidden:
            self._line.append(data)

    def _break(self) -> None:
        line = " ".join("".join(self._line).split())
        if line:
            self.lines.append(line)
        self._line = []

    def close(self) -> None:
        super().close()
        self._break()


def visible_lines(html: str) -> list[str]:
    """The page's visible text, one line per block (paragraph, heading, cell, list item …)."""
    parser = _Visible()
    # A void tag never opens an invisible part; `head` closes even when the page never says so.
    parser.feed(re.sub(r"(?i)<body\b", "</head><body", html, count=1) if "<head" in html else html)
    parser.close()
    return parser.lines


def decode(content: bytes, content_type: str = "") -> str:
    """The page's bytes as text, in the charset its Content-Type names (UTF-8 otherwise)."""
    match = re.search(r"charset=([\w.:-]+)", content_type, re.IGNORECASE)
    try:
        return content.decode(match.group(1) if match else "utf-8", errors="replace")
    except LookupError:
        return content.decode("utf-8", errors="replace")


def page_text(content: bytes, content_type: str = "") -> str:
    """The visible text of a fetched page (lines joined by newlines); plain text stays as it is."""
    text = decode(content, content_type)
    if "html" in content_type.lower() or re.search(r"(?i)<(?:!doctype|html|body|div|p)\b", text):
        return "\n".join(visible_lines(text))
    return "\n".join(" ".join(line.split()) for line in text.splitlines() if line.strip())


@dataclass(frozen=True)
class Price:
    """One price as written on the page, its currency and amount."""

    text: str
    currency: str
    amount: float


_SYMBOLS = {"$": "USD", "£": "GBP", "€": "EUR", "¥": "JPY", "₹": "INR", "₩": "KRW", "₽": "RUB"}
_PREFIXED = {"US$": "USD", "A$": "AUD", "C$": "CAD", "NZ$": "NZD", "HK$": "HKD", "S$": "SGD"}
_CODES = "USD|EUR|GBP|JPY|CHF|CAD|AUD|NZD|SEK|NOK|DKK|PLN|CZK|INR|CNY|HKD|SGD|ZAR|BRL|MXN|KRW|RUB"
_NUMBER = (
    r"\d{1,3}(?:[,\u00a0 ]\d{3})+(?:\.\d{1,2})?|\d{1,3}(?:\.\d{3})+,\d{1,2}|\d+(?:[.,]\d{1,2})?"
)
_SYMBOL = r"US\$|A\$|C\$|NZ\$|HK\$|S\$|[$£€¥₹₩₽]"
_PRICE = re.compile(
    rf"(?P<sym>{_SYMBOL})\s?(?P<n1>{_NUMBER})(?![\d.,]*\d)"
    rf"|\b(?P<code>{_CODES})\s?(?P<n2>{_NUMBER})(?![\d.,]*\d)"
    rf"|(?<![\d.,])(?P<n3>{_NUMBER})\s?(?:(?P<sym2>{_SYMBOL})|(?P<code2>{_CODES})\b)"
)


def _amount(number: str) -> float:
    digits = number.replace("\u00a0", "").replace(" ", "")
    if re.fullmatch(r"\d{1,3}(?:\.\d{3})+,\d{1,2}", digits):  # 1.299,00
        return float(digits.replace(".", "").replace(",", "."))
    if re.fullmatch(r"\d+,\d{1,2}", digits):  # 19,99 (a decimal comma)
        return float(digits.replace(",", "."))
    return float(digits.replace(",", ""))


def prices(text: str) -> list[Price]:
    """The prices written in a text, in the order they appear."""
    found: list[Price] = []
    for match in _PRICE.finditer(text):
        symbol = match.group("sym") or match.group("sym2")
        code = match.group("code") or match.group("code2")
        number = match.group("n1") or match.group("n2") or match.group("n3")
        currency = code or _PREFIXED.get(symbol or "") or _SYMBOLS.get(symbol or "", "")
        written = " ".join(match.group(0).split())
        found.append(Price(written, currency, _amount(number)))
        if len(found) >= MAX_PRICES:
            break
    return found
