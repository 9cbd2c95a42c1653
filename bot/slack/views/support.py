"""`/levqor support <question>`: the answer from the docs (the model's, citing its passages, or
the passages quoted), and a "Still need help?" button that opens a ticket."""

from __future__ import annotations

from bot.help_answers import HelpAnswer
from bot.slack import ids
from bot.slack.views.blocks import Block, actions, button, context, cut, section
from bot.slack.views.replies import Reply, text_reply

ASK = "Ask a question after `support`, for example `/levqor support how do I export my data`."
BUTTON_VALUE_MAX = 1900  # Slack allows 2,000 characters in a button's value


def _quote(text: str) -> str:
    return "\n".join(f"> {line}" for line in text.splitlines() if line.strip())


def support_reply(found: HelpAnswer, help_page: str) -> Reply:
    """The answer, where it comes from, and the button to ask a person."""
    if not found.question:
        return text_reply(ASK)
    blocks: list[Block] = [section(f"*You asked:* {cut(found.question, 300)}")]
    if found.grounded is not None:
        blocks.append(section(found.grounded.text))
        cited = "; ".join(s.source for s in found.grounded.cited)
        blocks.append(context(f"From the docs: {cited}"))
        summary = found.grounded.text
    elif found.passages:
        for passage in found.passages:
            blocks.append(section(_quote(passage.text)))
            blocks.append(context(f"From the docs: {passage.source}"))
        summary = found.passages[0].text
    else:
        blocks.append(section("Nothing in the docs matches that question."))
        summary = "Nothing in the docs matches that question."
    blocks.append(section(f"*Still need help?* Ask a person, or read more on <{help_page}|Help>."))
    value = found.question[:BUTTON_VALUE_MAX]
    blocks.append(actions(button("Still need help?", ids.SUPPORT_TICKET, value, style="primary")))
    return Reply(cut(summary, 3000), blocks)
