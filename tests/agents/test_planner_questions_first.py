"""Questions asked before anything can be drafted: an email nobody was named to read is asked
about, not sent to the asker; a request that asks nothing of any step carries only the start it
read (no stand-in fetch from a made-up address) and offers things to pick from."""

from __future__ import annotations

import pytest

from agents.evaluation import integrations_of
from agents.planner import draft


@pytest.mark.parametrize(
    "request_text",
    [
        "send the ops metrics email every tuesday at 10",
        "send a mail whenever a deploy finishes",
    ],
)
def test_an_email_with_no_reader_named_is_asked_about(request_text: str) -> None:
    result = draft(request_text)
    assert result.status == "clarify", result
    assert result.question is not None and result.question.startswith(("Who", "Where")), result
    assert result.suggestions, result


@pytest.mark.parametrize(
    "request_text",
    [
        "email me the ops metrics every tuesday at 10",
        "send a mail to qa@acme.io whenever a deploy finishes",
        "every tuesday at 10 send the ops metrics email to ops@acme.io",
        "i want the ops metrics email sent every tuesday at 10",
    ],
)
def test_an_email_whose_reader_is_named_is_drafted(request_text: str) -> None:
    result = draft(request_text)
    assert result.status == "draft", result


@pytest.mark.parametrize(
    "request_text", ["i'd like an automation bot", "no clue where to start, what can this do"]
)
def test_a_request_asking_nothing_of_a_step_carries_no_stand_in_step(request_text: str) -> None:
    result = draft(request_text)
    assert result.status == "clarify", result
    assert result.workflow is not None and result.workflow["steps"] == [], result.workflow
    assert integrations_of(result) == set()
    assert "example.com" not in (result.summary or "")
    assert result.suggestions is not None and 2 <= len(result.suggestions) <= 3, result
    assert result.question is not None and "pick one of these" in result.question
    assert "which tool" not in result.question  # plain words for someone who does not know yet


@pytest.mark.parametrize(
    "request_text",
    [
        "each new sign-up (google or apple login) gets a welcome email and I get one with their "
        "company name",
        "when someone joins with their microsoft account, add them to the crm",
    ],
)
def test_how_someone_signs_in_is_no_secret(request_text: str) -> None:
    result = draft(request_text)
    assert result.status == "draft", result
    assert "credentials" not in integrations_of(result), result


@pytest.mark.parametrize(
    "request_text",
    ["email the new office manager the google login for the shared mailbox"],
)
def test_a_login_sent_to_someone_is_still_refused(request_text: str) -> None:
    assert draft(request_text).status == "refuse"


@pytest.mark.parametrize(
    ("request_text", "said"),
    [
        ("tell #eng when a pull request is merged", "A pull request is merged"),
        ("ping #cs when a zendesk ticket gets the vip tag", "A zendesk ticket gets the vip tag"),
    ],
)
def test_an_apps_event_is_posted_as_what_happened_not_as_a_submission(
    request_text: str, said: str
) -> None:
    result = draft(request_text)
    assert result.status == "draft" and result.workflow is not None, result
    text = str(result.workflow["steps"][-1]["inputs"]["text"])
    assert text.startswith(said), text
    assert "submission" not in text and "trigger.company" not in text, text
    assert "name, company" not in (result.summary or ""), result.summary


def test_a_form_submission_is_still_posted_with_the_persons_details() -> None:
    result = draft("when someone fills in the quote form, post it in #sales")
    assert result.workflow is not None
    assert "trigger.name" in str(result.workflow["steps"][-1]["inputs"]["text"])
