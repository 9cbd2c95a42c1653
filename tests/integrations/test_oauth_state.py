"""The OAuth `state` Google Sheets and HubSpot share: it names the workspace, expires, is bound to
its provider (one's state is refused by the other), and a forged one is refused in words."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from integrations import google_oauth, hubspot_oauth
from integrations.oauth_state import STATE_SECONDS, OAuthError
from tests.conftest import make_settings


def test_states_name_the_workspace_expire_and_are_bound_to_their_provider(
    tmp_path: Path,
) -> None:
    settings = make_settings(tmp_path)
    now = time.time()
    google = google_oauth.make_state(settings, "ws1", now=now)
    hubspot = hubspot_oauth.make_state(settings, "ws1", now=now)
    assert google_oauth.check_state(settings, google, now=now) == "ws1"
    workspace_id, nonce = hubspot_oauth.check_state(settings, hubspot, now=now)
    assert workspace_id == "ws1" and len(nonce) == 16
    assert hubspot_oauth.check_state(settings, hubspot_oauth.make_state(settings, "ws1"))[1] != (
        nonce
    )  # a fresh nonce each time: the callback spends it once

    with pytest.raises(google_oauth.GoogleAuthError, match="Google sign-in link is not valid"):
        google_oauth.check_state(settings, hubspot, now=now)
    body, _, _ = google.rpartition(".")
    with pytest.raises(OAuthError, match="HubSpot sign-in link is not valid"):
        hubspot_oauth.check_state(settings, f"{body}.0.{'0' * 32}", now=now)
    forged = google.replace("ws1", "ws2", 1)
    with pytest.raises(google_oauth.GoogleAuthError, match="not valid"):
        google_oauth.check_state(settings, forged, now=now)
    later = now + STATE_SECONDS + 5
    with pytest.raises(google_oauth.GoogleAuthError, match="Google sign-in link has expired"):
        google_oauth.check_state(settings, google, now=later)
    with pytest.raises(hubspot_oauth.HubSpotAuthError, match="HubSpot sign-in link has expired"):
        hubspot_oauth.check_state(settings, hubspot, now=later)
    other = make_settings(tmp_path / "other", LEVQOR_SECRET_KEY="another-instance-secret")
    with pytest.raises(google_oauth.GoogleAuthError, match="not valid"):
        google_oauth.check_state(other, google, now=now)
