"""The CalDAV server: connecting (credentials on the first request), finding the calendar,
and saying what went wrong in one line that never holds a credential or a server's body.
The sync itself is in ``twoway``."""

from __future__ import annotations

import base64
import os
import re
import unicodedata
from collections.abc import Iterable
from http import HTTPStatus
from typing import Any
from urllib.parse import quote, unquote, urlsplit

from tasksync.errors import TasksyncError


class CalDavError(TasksyncError):
    EXIT_CODE = 7


HIDDEN = "***"
# What says why a connection failed, in the text of the error urllib3's retries wrap it in.
_CONNECTION_CAUSE = re.compile(
    r"\[Errno -?\d+\] ([^'\")\]]+)|(?:Read|Connect) timed out"
    r"|Failed to resolve '[^']+'"
)
_HOST_PORT = re.compile(r"host='([^']+)', port=(\d+)")
# What a message may hold that gives access to the server: credential headers (to the end of
# their line), Basic/Bearer tokens, the user:password@ of a URL, password-like parameters.
_CREDENTIAL_HEADER = re.compile(r"(?i)\b((?:proxy-)?authorization|(?:set-)?cookie)\b[^\S\r\n]*"
                                r"['\"]?[^\S\r\n]*[:=][^\r\n]*")  # fmt: skip
_TOKEN = re.compile(r"(?i)\b(basic|bearer)\s+[A-Za-z0-9+/._~-]+=*")
_USERINFO = re.compile(r"(?i)\b([a-z][a-z0-9+.-]*://)[^/\s?#]*@")
_PASSWORD_PARAMETER = re.compile(
    r"(?i)\b(password|passwd|pwd|access_token|api_?key|secret)(\s*[=:]\s*)[^\s&,;'\"]+"
)


def secret_forms(url: str, user: str | None, password: str | None) -> tuple[str, ...]:
    """The password (given, or in the URL) as a message could show it: as it is, URL-quoted,
    and inside the Basic token of the user and it."""
    parts = urlsplit(url)
    found = set()
    for name, secret in ((user, password), (parts.username, parts.password)):
        if not secret:
            continue
        plain = unquote(secret)
        token = base64.b64encode(f"{unquote(name or '')}:{plain}".encode()).decode()
        found |= {secret, plain, quote(plain, safe=""), token, token.rstrip("=")}
    return tuple(sorted(found))


def redact(text: str, secrets: Iterable[str] = ()) -> str:
    """``text`` as one line of plain characters, without credentials: the ``secrets`` (see
    ``secret_forms``), credential headers, Basic and Bearer tokens and a URL's user:password@."""
    known = _secrets_pattern(secrets)
    text = known.sub(HIDDEN, text) if known else text
    text = _CREDENTIAL_HEADER.sub(rf"\1: {HIDDEN}", text)
    text = _TOKEN.sub(rf"\1 {HIDDEN}", text)
    text = _USERINFO.sub(rf"\1{HIDDEN}@", text)
    text = _PASSWORD_PARAMETER.sub(rf"\1\2{HIDDEN}", text)
    text = "".join(" " if unicodedata.category(c) in ("Cc", "Zl", "Zp") else c for c in text)
    text = " ".join(text.split())
    known = _secrets_pattern(" ".join(s.split()) for s in secrets)  # its blanks are one now
    return known.sub(HIDDEN, text) if known else text


def _secrets_pattern(secrets: Iterable[str]) -> re.Pattern[str] | None:
    """The secrets, each where it stands as a word of its own: a password "x" is hidden in
    "x", not in "next"."""
    words = []
    for secret in sorted({s for s in secrets if s}, key=len, reverse=True):
        before = r"(?<![^\W_])" if secret[0].isalnum() else ""
        after = r"(?![^\W_])" if secret[-1].isalnum() else ""
        words.append(before + re.escape(secret) + after)
    return re.compile("|".join(words)) if words else None


def password_for(url: str, user: str | None) -> str | None:
    """`$TASKSYNC_CALDAV_PASSWORD`, else the system keyring (when the keyring package is there)."""
    if os.environ.get("TASKSYNC_CALDAV_PASSWORD"):
        return os.environ["TASKSYNC_CALDAV_PASSWORD"]
    try:
        import keyring
    except ImportError:
        return None
    try:
        found = keyring.get_password("tasksync", f"{user or ''}@{url}")
    except Exception:
        return None
    return str(found) if found else None


DEFAULT_CALENDAR = "tasksync"


def open_calendar(url: str, name: str | None, user: str | None, password: str | None) -> Any:
    """The calendar to sync with: the one ``url`` names, when no ``name`` is given and it is
    a calendar; else the calendar called ``name`` (default "tasksync") of the user, made (for
    VTODOs) when missing. Each failure says what it is, in one line."""
    import caldav
    from caldav.lib import error as dav_error

    secrets = secret_forms(url, user, password)
    shown = redact(url, secrets)
    try:
        client = caldav.DAVClient(url=url, username=user, password=password, timeout=30,
                                  require_tls=False, enable_rfc6764=False,
                                  auth_type="basic" if password else None)  # fmt: skip
        if name is None and urlsplit(url).path.strip("/"):
            here = client.calendar(url=url)
            if _is_calendar(here):
                return here
        principal = client.principal()
        wanted = name or DEFAULT_CALENDAR
        try:
            return principal.calendar(name=wanted)
        except dav_error.NotFoundError:
            return principal.make_calendar(name=wanted,
                                           supported_calendar_component_set=["VTODO"])  # fmt: skip
    except dav_error.DAVError as exc:
        raise CalDavError(_dav_failure(exc, shown, user, password, secrets)) from None
    except Exception as exc:  # network failures come as the HTTP library's own errors
        raise CalDavError(f"cannot reach the CalDAV server at {shown}: "
                          f"{short_reason(exc, secrets)}") from None  # fmt: skip


def _is_calendar(calendar: Any) -> bool:
    """Whether a URL is a calendar collection (asking for its resource type)."""
    from caldav.elements import dav

    try:
        kinds = calendar.get_property(dav.ResourceType()) or ""
    except Exception:
        return False
    return "calendar" in str(kinds)


def _dav_failure(exc: Any, shown: str, user: str | None, password: str | None,
                 secrets: Iterable[str]) -> str:  # fmt: skip
    status = getattr(exc, "status", None)
    if status == 401 or (status is None and type(exc).__name__ == "AuthorizationError"):
        if not password:
            return (f"the CalDAV server at {shown} asks for a password and none was given: set "
                    f"$TASKSYNC_CALDAV_PASSWORD, or keep it in the system keyring "
                    f"(`keyring set tasksync {user or ''}@{shown}`)")  # fmt: skip
        return f"the CalDAV server at {shown} refused the credentials of user {user!r} (HTTP 401)"
    if status == 403:
        return (f"the CalDAV server at {shown} forbids it (HTTP 403): the user {user!r} may not "
                "use that path or calendar")  # fmt: skip
    if status == 404 or type(exc).__name__ == "NotFoundError":
        return f"no such calendar or path on the CalDAV server: {shown} (HTTP 404)"
    if status == 423:
        return f"the calendar at {shown} is locked (HTTP 423); try again later"
    return f"CalDAV error at {shown}: {short_reason(exc, secrets)}"


def short_reason(exc: BaseException, secrets: Iterable[str] = ()) -> str:
    """What went wrong, in one short line. Never the server's answer itself: an error page
    may echo the request, its Authorization header with it."""
    status = getattr(exc, "status", None)
    if isinstance(status, int):
        return f"{type(exc).__name__} ({_http_status(status)})"
    text = str(exc)
    causes = [m[1] or m[0] for m in _CONNECTION_CAUSE.finditer(text)]
    if causes:  # urllib3's retries wrap the cause in object reprs: it alone says what happened
        where = _HOST_PORT.search(text)
        at = f" ({where[1]}:{where[2]})" if where else ""
        return f"{type(exc).__name__}: {redact(causes[-1].strip(), secrets)}{at}"
    first = (text.splitlines() or [""])[0]
    first = redact(first, secrets)
    return f"{type(exc).__name__}: {first if len(first) <= 200 else first[:199] + '…'}"


def _http_status(status: int) -> str:
    """The status with the standard's own phrase (not the server's, which it may fill)."""
    try:
        return f"HTTP {status} {HTTPStatus(status).phrase}"
    except ValueError:
        return f"HTTP {status}"
