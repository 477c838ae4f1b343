"""Worker "hosts" in network namespaces of their own, for tests about many hosts.

Each host is a Linux network namespace joined to this one by a veth pair on a /30 of local
addresses, with a hostname of its own (a UTS namespace). Redis and PostgreSQL listen on loopback
only, so a small TCP relay on this side of each veth pair carries the host's connections to them:
the worker reaches the broker and the store across a network link, as a worker on another
machine would, and shares nothing else with the CLI.

Needs root and iproute2 (``ip netns``). :func:`network_namespaces_available` tells; where they are
not, tests fall back to hosts that differ only in home, working directory and worker name.
"""
from __future__ import annotations

import secrets
import shutil
import socket
import subprocess
import threading
from urllib.parse import urlsplit, urlunsplit


def network_namespaces_available() -> bool:
    if shutil.which("ip") is None or shutil.which("unshare") is None:
        return False
    probe = "cfprobe" + secrets.token_hex(3)
    made = subprocess.run(["ip", "netns", "add", probe], capture_output=True).returncode == 0
    if made:
        subprocess.run(["ip", "netns", "del", probe], capture_output=True)
    return made


class Relay:
    """Accepts TCP connections on ``listen`` and splices each to ``target``."""

    def __init__(self, listen: tuple[str, int], target: tuple[str, int]):
        self.target = target
        self.server = socket.create_server(listen, reuse_port=False)
        self.closed = False
        self.connections: list[socket.socket] = []
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while not self.closed:
            try:
                client, _ = self.server.accept()
            except OSError:
                return
            try:
                upstream = socket.create_connection(self.target, timeout=5)
            except OSError:
                client.close()
                continue
            upstream.settimeout(None)
            self.connections += [client, upstream]
            for src, dst in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pipe, args=(src, dst), daemon=True).start()

    @staticmethod
    def _pipe(src: socket.socket, dst: socket.socket) -> None:
        try:
            while data := src.recv(65536):
                dst.sendall(data)
        except OSError:
            pass
        finally:
            for sock in (src, dst):
                try:
                    sock.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass

    def close(self) -> None:
        self.closed = True
        self.server.close()
        for sock in self.connections:
            sock.close()


class NetnsHost:
    """One host: a network namespace, a veth pair, a hostname, relays to the services."""

    def __init__(self, name: str, subnet: int, service_urls: list[str], attempts: int = 5):
        self.name = name
        self.hostname = f"{name}-host"
        self.relays: list[Relay] = []
        # The /30 is picked at random: another test session on this machine may hold the same
        # one (its relay's address then is in use), so a clash is undone and another one picked.
        for attempt in range(attempts):
            try:
                self._create(name, subnet, service_urls)
                return
            except (subprocess.CalledProcessError, OSError):
                self.remove()
                if attempt == attempts - 1:
                    raise

    def _create(self, name: str, subnet: int, service_urls: list[str]) -> None:
        token = secrets.token_hex(2)
        self.netns = f"cf-{name}-{token}"
        outer, inner = f"cfo{token}{subnet % 100}", f"cfi{token}{subnet % 100}"
        third = secrets.randbelow(250) + 1
        self.gateway = f"10.{200 + subnet}.{third}.1"
        self.address = f"10.{200 + subnet}.{third}.2"
        self.relays = []
        self.outer = outer
        commands = [
            ["ip", "netns", "add", self.netns],
            ["ip", "link", "add", outer, "type", "veth", "peer", "name", inner],
            ["ip", "link", "set", inner, "netns", self.netns],
            ["ip", "addr", "add", f"{self.gateway}/30", "dev", outer],
            ["ip", "link", "set", outer, "up"],
            ["ip", "-n", self.netns, "addr", "add", f"{self.address}/30", "dev", inner],
            ["ip", "-n", self.netns, "link", "set", inner, "up"],
            ["ip", "-n", self.netns, "link", "set", "lo", "up"],
        ]
        for command in commands:
            subprocess.run(command, check=True, capture_output=True)
        for url in service_urls:
            parts = urlsplit(url)
            self.relays.append(Relay((self.gateway, parts.port), (parts.hostname, parts.port)))

    def url(self, url: str) -> str:
        """``url`` as seen from inside this host: the service behind the gateway address."""
        parts = urlsplit(url)
        netloc = parts.netloc.rsplit("@", 1)
        userinfo = netloc[0] + "@" if len(netloc) == 2 else ""
        return urlunsplit(parts._replace(netloc=f"{userinfo}{self.gateway}:{parts.port}"))

    def command(self, argv: list[str]) -> list[str]:
        """``argv`` run inside the namespace, under this host's own hostname."""
        return ["ip", "netns", "exec", self.netns, "unshare", "--uts", "--",
                "sh", "-c", f'hostname {self.hostname} && exec "$@"', "sh", *argv]

    def remove(self) -> None:
        for relay in self.relays:
            relay.close()
        subprocess.run(["ip", "link", "del", self.outer], capture_output=True)
        subprocess.run(["ip", "netns", "del", self.netns], capture_output=True)
