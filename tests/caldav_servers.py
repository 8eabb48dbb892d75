"""Real CalDAV servers for the tests — Radicale and Xandikos — each started on 127.0.0.1 on a
free port with temporary storage, and a "phone": what a task app does to their VTODOs."""

from __future__ import annotations

import base64
import hashlib
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import caldav

USER = "tester"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class Server:
    """A CalDAV server process of our own."""

    kind = ""

    def __init__(self, root: Path, password: str | None = None, largest: int | None = None) -> None:
        self.root, self.port, self.password = root, free_port(), password
        self.largest = largest  # the largest request body it takes (Radicale only)
        root.mkdir(parents=True, exist_ok=True)
        self.url = f"http://127.0.0.1:{self.port}/"
        self.log = root / "server.log"
        self.process: subprocess.Popen[bytes] | None = None

    def command(self) -> list[str]:
        raise NotImplementedError

    def start(self) -> None:
        with open(self.log, "ab") as log:
            self.process = subprocess.Popen(self.command(), stdout=log, stderr=log)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            with socket.socket() as sock:
                if sock.connect_ex(("127.0.0.1", self.port)) == 0:
                    return
            time.sleep(0.05)
        raise RuntimeError(f"{self.kind} did not start: {self.log.read_text()[-2000:]}")

    def stop(self) -> None:
        if self.process is not None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:  # a server that waits on its clients: gone now
                self.process.kill()
                self.process.wait(timeout=10)
            self.process = None

    def crash(self) -> None:
        """Gone at once, as a crashed server is. A graceful stop is no use mid-request: Radicale
        keeps serving a kept-alive connection until its client is done with it."""
        if self.process is not None:
            self.process.kill()
            self.process.wait(timeout=10)
            self.process = None

    def client(self) -> Any:
        return caldav.DAVClient(url=self.url, username=USER, password=self.password or "x",
                                require_tls=False, enable_rfc6764=False)  # fmt: skip

    def calendar(self, name: str = "tasks") -> Any:
        return self.client().principal().calendar(name=name)

    def stored_count(self, name: str = "tasks") -> int:
        return len(self.calendar(name).todos(include_completed=True))


class Radicale(Server):
    kind = "radicale"

    def command(self) -> list[str]:
        auth = "type = none"
        if self.password:
            users = self.root / "users"
            users.write_text(f"{USER}:{self.password}\n")
            auth = f"type = htpasswd\nhtpasswd_filename = {users}\nhtpasswd_encryption = plain"
        config = self.root / "config"
        largest = f"max_content_length = {self.largest}\n" if self.largest else ""
        config.write_text(
            f"[server]\nhosts = 127.0.0.1:{self.port}\n{largest}[auth]\n{auth}\n"
            f"[storage]\nfilesystem_folder = {self.root / 'collections'}\n"
            "[rights]\ntype = owner_only\n[logging]\nlevel = info\n"
        )
        return [sys.executable, "-m", "radicale", "--config", str(config)]


class Xandikos(Server):
    kind = "xandikos"

    def command(self) -> list[str]:
        command = [sys.executable, "-m", "xandikos.web", "-d", str(self.root / "data"),
                   "--state-dir", str(self.root / "state"), "--defaults",
                   "-l", "127.0.0.1", "-p", str(self.port),
                   "--current-user-principal", f"/{USER}/"]  # fmt: skip
        if self.password:
            digest = base64.b64encode(hashlib.sha1(self.password.encode()).digest()).decode()
            users = self.root / "htpasswd"
            users.write_text(f"{USER}:{{SHA}}{digest}\n")
            command += ["--htpasswd", str(users)]
        return command


SERVERS = {"radicale": Radicale, "xandikos": Xandikos}


# -- the phone ----------------------------------------------------------------------------


def todo_by_summary(server: Server, summary: str, name: str = "tasks") -> Any:
    for todo in server.calendar(name).todos(include_completed=True):
        if str(todo.icalendar_component.get("SUMMARY")) == summary:
            return todo
    raise KeyError(summary)


def phone_edit(server: Server, which: str, **changes: Any) -> None:
    """Change a VTODO as a task app would: properties set (None removes one), saved back."""
    todo = todo_by_summary(server, which)
    component = todo.icalendar_component
    for key, value in changes.items():
        name = key.upper().replace("_", "-")
        component.pop(name, None)
        if value is not None:
            component.add(name, value)
    todo.save()


def phone_create(server: Server, uid: str, summary: str, due: str | None = None) -> None:
    due_line = f"DUE;VALUE=DATE:{due.replace('-', '')}\r\n" if due else ""
    server.calendar().save_todo(
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//phone//EN\r\nBEGIN:VTODO\r\n"
        f"UID:{uid}\r\nDTSTAMP:20261122T090000Z\r\nSUMMARY:{summary}\r\n{due_line}"
        "STATUS:NEEDS-ACTION\r\nEND:VTODO\r\nEND:VCALENDAR\r\n"
    )
