"""``tocsin.web.serve(workers=N)``: N read-only server processes, no writes, TCP_NODELAY set."""

from __future__ import annotations

import contextlib
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from tocsin.store.base import open_store
from tocsin.web import serve
from tocsin.web.app import NoDelayH11Protocol


def test_several_workers_refuse_a_token(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="single worker"):
        serve(db=str(tmp_path / "x.db"), workers=2, token="t" * 32)


class _Transport:
    def __init__(self, sock: socket.socket) -> None:
        self.sock = sock

    def get_extra_info(self, name: str, default: object = None) -> object:
        return {"socket": self.sock, "peername": ("127.0.0.1", 1), "sockname": ("127.0.0.1", 2)}.get(name, default)

    def is_closing(self) -> bool:
        return False


def test_each_connection_gets_tcp_nodelay() -> None:
    """uvicorn's own socket for several workers loses TCP_NODELAY: +40 ms a response (Nagle, delayed ACK)."""
    from uvicorn.config import Config
    from uvicorn.server import ServerState

    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        assert sock.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY) == 0
        config = Config(app=lambda *a: None)
        config.load()
        protocol = NoDelayH11Protocol(config=config, server_state=ServerState(), app_state={})
        with contextlib.suppress(Exception):  # the fake transport is enough for the option, not for uvicorn
            protocol.connection_made(_Transport(sock))
        assert sock.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY) == 1


def test_two_workers_serve_reads(tmp_path: Path) -> None:
    db = tmp_path / "w.db"
    open_store(str(db)).close()
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    code = f"from tocsin.web import serve; serve(db={str(db)!r}, port={port}, workers=2)"
    proc = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        for _ in range(150):
            try:
                meta = httpx.get(f"http://127.0.0.1:{port}/api/meta", timeout=2)
                break
            except httpx.TransportError:
                time.sleep(0.1)
        else:
            pytest.fail("serve(workers=2) did not answer within 15 s")
        assert meta.status_code == 200 and meta.json()["writes"] is False
        assert httpx.get(f"http://127.0.0.1:{port}/api/events", timeout=5).json()["total"] == 0
    finally:
        proc.terminate()
        proc.wait(20)
