"""Real localstripe (PyPI) in a subprocess on a free loopback port, for Levqor's billing tests.

`python -m tests.fakes.localstripe_server PORT` runs localstripe's own aiohttp app unchanged, with
two differences from `python -m localstripe --port N`: it listens on 127.0.0.1 only (localstripe
binds every interface), and it keeps its store in memory (localstripe pickles it to the shared
`/tmp/localstripe.pickle` after every write, which parallel test processes would overwrite).

`LocalStripe.start()` launches it and waits until it answers; `flush()` is `DELETE /_config/data`.
"""

from __future__ import annotations

import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx


class LocalStripe:
    """One localstripe process; `url` is its base address (`http://127.0.0.1:PORT`)."""

    def __init__(self, process: subprocess.Popen[bytes], port: int) -> None:
        self.process, self.url = process, f"http://127.0.0.1:{port}"

    @classmethod
    def start(cls, within: float = 30) -> LocalStripe:
        """Launch localstripe on a free port and return once `GET /v1/plans` answers (a call
        without side effects: `GET /v1/balance` would send a webhook)."""
        with socket.socket() as sock:
            sock.bind(("127.0.0.1", 0))
            port = sock.getsockname()[1]
        process = subprocess.Popen(
            [sys.executable, "-m", "tests.fakes.localstripe_server", str(port)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            cwd=Path(__file__).resolve().parents[2],  # the repository, for `-m tests.fakes…`
        )
        server = cls(process, port)
        deadline = time.monotonic() + within
        while True:
            try:
                httpx.get(f"{server.url}/v1/plans", auth=("sk_test_ping", ""), timeout=2)
                return server
            except httpx.TransportError:
                if process.poll() is not None or time.monotonic() > deadline:
                    server.stop()
                    raise RuntimeError("localstripe did not start") from None
                time.sleep(0.05)

    def flush(self) -> None:
        """Forget every object (`DELETE /_config/data`); registered webhooks stay."""
        httpx.delete(f"{self.url}/_config/data", timeout=10).raise_for_status()

    def mute_webhooks(self) -> None:
        """Point the `levqor` webhook back at localstripe itself (a 404 there), so no event goes
        to a port a finished test's shim no longer holds."""
        hook = {"url": f"{self.url}/_config/muted", "secret": "whsec_muted"}
        httpx.post(f"{self.url}/_config/webhooks/levqor", json=hook, timeout=10).raise_for_status()

    def ids(self, kind: str) -> set[str]:
        """The ids of every object of a kind (`products`, `plans`, …) localstripe holds."""
        answer = httpx.get(f"{self.url}/v1/{kind}?limit=100", auth=("sk_test_ids", ""), timeout=10)
        return {row["id"] for row in answer.raise_for_status().json()["data"]}

    def stop(self) -> None:
        """End the process this object started."""
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=10)


def main(port: int) -> None:
    """Serve localstripe's app on 127.0.0.1:PORT with the store kept in memory only."""
    from aiohttp import web
    from localstripe import resources  # type: ignore[import-untyped]
    from localstripe.server import app  # type: ignore[import-untyped]

    resources.Store.dump_to_disk = lambda self: None
    web.run_app(app, host="127.0.0.1", port=port, print=None, access_log=None)


if __name__ == "__main__":
    main(int(sys.argv[1]))
