"""Reading a web page as a person sees it: visible text, and the prices in it."""

from __future__ import annotations

from integrations.page_text import page_text, prices, visible_lines


def test_visible_text_leaves_out_scripts_styles_and_tags() -> None:
    html = (
        "<html><head><title>T</title><style>p{}</style></head><body>"
        "<script>alert('hi')</script><p>Pro   plan\n <b>$49</b></p>"
        "<noscript>turn on js</noscript><ul><li>One</li><li>Two &amp; three</li></ul></body></html>"
    )
    assert visible_lines(html) == ["Pro plan $49", "One", "Two & three"]


def test_plain_text_pages_keep_their_lines() -> None:
    assert page_text(b"Price:   $5\n\n  Stock: 3 ", "text/plain") == "Price: $5\nStock: 3"


def test_prices_are_a_currency_next_to_a_number() -> None:
    text = "Pro $1,299.00, Team £9, EU 29 EUR, DE 19,99 €, US$12, USD 40; call 555-1234 in 2026"
    found = [(p.text, p.currency, p.amount) for p in prices(text)]
    assert found == [
        ("$1,299.00", "USD", 1299.0),
        ("£9", "GBP", 9.0),
        ("29 EUR", "EUR", 29.0),
        ("19,99 €", "EUR", 19.99),
        ("US$12", "USD", 12.0),
        ("USD 40", "USD", 40.0),
    ]
