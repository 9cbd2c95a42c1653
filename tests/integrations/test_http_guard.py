"""The outbound address guard admits only global addresses (or hosts on the allow list)."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest

from integrations.base import ActionError
from integrations.http import guard_url
from tests.conftest import make_settings


@pytest.mark.parametrize(
    "host",
    [
        "100.64.0.1",  # shared address space (carrier-grade NAT)
        "100.100.100.200",  # a cloud metadata service
        "192.0.0.8",  # IETF protocol assignments
        "192.0.0.170",
        "198.18.0.1",  # benchmarking
        "[2002:7f00:1::1]",  # 6to4 of 127.0.0.1
        "[2002:a00:1::1]",  # 6to4 of 10.0.0.1
        "[2002:6440:1::1]",  # 6to4 of 100.64.0.1
        "[64:ff9b::a9fe:a9fe]",  # NAT64 of 169.254.169.254
        "[2001:db8::1]",  # documentation
        "[fd00::1]",  # unique local
    ],
)
async def test_non_global_addresses_are_refused(tmp_path: Path, host: str) -> None:
    settings = make_settings(tmp_path, LEVQOR_HTTP_ALLOWED_HOSTS=[])
    with pytest.raises(ActionError, match=r"refused: .* address"):
        await guard_url(settings, httpx.URL(f"http://{host}/latest"))


@pytest.mark.parametrize("host", ["8.8.8.8", "[2606:4700::1111]", "[2002:808:808::1]"])
async def test_global_addresses_pass(tmp_path: Path, host: str) -> None:
    settings = make_settings(tmp_path, LEVQOR_HTTP_ALLOWED_HOSTS=[])
    assert await guard_url(settings, httpx.URL(f"http://{host}/"))


async def test_the_allow_list_admits_a_named_internal_host(tmp_path: Path) -> None:
    settings = make_settings(tmp_path, LEVQOR_HTTP_ALLOWED_HOSTS=["100.100.100.200"])
    assert await guard_url(settings, httpx.URL("http://100.100.100.200/")) == ()
