"""Free TCP ports on the loopback interface.

Owns the one way Baan's local tooling picks ports for servers it starts itself
(test brokers, throwaway databases), so that parallel runs on one machine do not
collide on fixed numbers. The kernel picks the port; there is a short window
between closing the probe socket and the server binding it, which is fine for a
developer machine or a CI runner.
"""

from __future__ import annotations

import socket
from contextlib import ExitStack


def free_ports(count: int) -> list[int]:
    """Return `count` distinct TCP ports that are free on 127.0.0.1 right now."""
    with ExitStack() as stack:
        sockets = [stack.enter_context(socket.socket()) for _ in range(count)]
        for sock in sockets:
            sock.bind(("127.0.0.1", 0))
        return [sock.getsockname()[1] for sock in sockets]


def free_port() -> int:
    """Return a TCP port that is free on 127.0.0.1 right now."""
    return free_ports(1)[0]


def port_in_use(port: int, host: str = "127.0.0.1") -> bool:
    """Whether something already listens on host:port.

    SO_REUSEADDR, as servers set it, so that connections of a process that just
    exited (TIME_WAIT) do not count.
    """
    with socket.socket() as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((host, port))
        except OSError:
            return True
    return False


def port_open(port: int, host: str = "127.0.0.1", timeout: float = 0.5) -> bool:
    """Whether a TCP connection to host:port is accepted."""
    try:
        with socket.create_connection((host, port), timeout=timeout):
            return True
    except OSError:
        return False
