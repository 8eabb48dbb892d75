"""A CalDAV server's error page never reaches the terminal verbatim: a server that echoes the
request (its `Authorization: Basic …` header with it) must not make tasksync print the
user's password."""

from __future__ import annotations

import base64
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from click.testing import CliRunner

from tasksync.calendar.caldav import redact, secret_forms
from tasksync.cli.main import cli

pytest.importorskip("caldav")

PASSWORD = "secret-Pa55word"
USER = "u"


class EchoHandler(BaseHTTPRequestHandler):
    """Answers with a 500 page that shows the request, headers and all. With ``challenge``,
    a request without credentials gets a 401 asking for them first (as a real server does:
    the caldav library sends the password only when asked)."""

    challenge = False

    def _echo(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        if self.challenge and "Authorization" not in self.headers:
            self.send_response(401)
            self.send_header("WWW-Authenticate", 'Basic realm="dav"')
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        page = (f"<html><body><h1>500 Internal Server Error</h1><pre>\n"
                f"{self.command} {self.path}\n{self.headers}\n").encode() + body + (
                b"</pre></body></html>\n")  # fmt: skip
        self.send_response(500)
        self.send_header("Content-Type", "text/html")
        self.send_header("Content-Length", str(len(page)))
        self.end_headers()
        self.wfile.write(page)

    do_GET = do_POST = do_PUT = do_DELETE = do_OPTIONS = do_HEAD = _echo
    do_PROPFIND = do_REPORT = do_MKCALENDAR = do_MKCOL = _echo

    def log_message(self, format: str, *args: object) -> None:
        pass


class ChallengingEchoHandler(EchoHandler):
    challenge = True


@pytest.fixture(params=[EchoHandler, ChallengingEchoHandler], ids=["500", "401-then-500"])
def echo_server(request: pytest.FixtureRequest) -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), request.param)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


def secrets() -> list[str]:
    token = base64.b64encode(f"{USER}:{PASSWORD}".encode()).decode()
    return [PASSWORD, token, token.rstrip("=")]


@pytest.mark.parametrize("command", ["sync", "push", "pull"])
def test_an_error_page_that_echoes_the_request_prints_no_credentials(
    make_vault, echo_server, command
):
    vault = make_vault({"n.md": "- [ ] call Dana 📅 2026-11-23\n"})
    result = CliRunner().invoke(
        cli, ["--vault", str(vault), "caldav", command, "--url", echo_server, "--user", USER],
        env={"TASKSYNC_CALDAV_PASSWORD": PASSWORD, "TASKSYNC_NOW": "2026-11-22T09:00:00Z"},
    )  # fmt: skip
    output = result.stdout + result.stderr
    assert result.exit_code != 0
    assert result.stdout == ""
    assert len(result.stderr.splitlines()) == 1, result.stderr
    for secret in secrets():
        assert secret not in output
    assert "<html" not in output.lower()


def test_a_password_in_the_url_is_not_printed(make_vault, echo_server):
    vault = make_vault({"n.md": "- [ ] call Dana 📅 2026-11-23\n"})
    url = echo_server.replace("http://", f"http://{USER}:{PASSWORD}@")
    result = CliRunner().invoke(cli, ["--vault", str(vault), "caldav", "sync", "--url", url],
                                env={"TASKSYNC_CALDAV_PASSWORD": ""})  # fmt: skip
    output = result.stdout + result.stderr
    assert result.exit_code != 0
    assert len(result.stderr.splitlines()) == 1, result.stderr
    for secret in secrets():
        assert secret not in output


@pytest.mark.parametrize(
    ("message", "hidden"),
    [
        ("Authorization: Basic dTpzZWNyZXQ=", "dTpzZWNyZXQ"),
        ("authorization: bearer abc.DEF-123_x", "abc.DEF-123_x"),
        ("Proxy-Authorization: Digest username=u, response=abc", "response=abc"),
        ("at https://u:hunter2@example.org/dav/", "hunter2"),
        ("the password hunter2 was refused", "hunter2"),
        ("Cookie: session=abc123", "abc123"),
    ],
)  # fmt: skip
def test_redact_hides_credentials(message, hidden):
    redacted = redact(message, ("hunter2",))
    assert hidden not in redacted
    assert "\n" not in redacted


def test_a_short_password_is_hidden_where_it_stands_alone_not_inside_words():
    secrets = secret_forms("http://127.0.0.1/", "tester", "x")
    assert redact("11 sent; the next sync sends the rest (x)", secrets) == (
        "11 sent; the next sync sends the rest (***)"
    )


def test_secret_forms_cover_the_url_and_the_basic_token():
    forms = secret_forms("https://ann:p%40ss@example.org/dav/", None, None)
    assert {"p%40ss", "p@ss", base64.b64encode(b"ann:p@ss").decode()} <= set(forms)
    message = "GET https://ann:p%40ss@example.org/dav/ said p@ss then YW5uOnBAc3M="
    assert redact(message, forms) == "GET https://***@example.org/dav/ said *** then ***"
