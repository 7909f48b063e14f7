"""The studio's web side: the standard library's HTTP server, on 127.0.0.1 only.

A local tool for one person needs no framework: a threaded ``http.server`` serves a handful of
pages rendered from templates in the package, two static files, the report's redacted pictures
and, on request, an original made in memory. Every request passes ``Guard`` first; every
answer carries a content security policy that lets the page load only from the studio.
"""

from __future__ import annotations

import datetime as dt
import http.server
import re
import threading
import urllib.parse
from collections.abc import Callable
from http import HTTPStatus
from importlib import resources
from pathlib import Path
from typing import Any, ClassVar

import jinja2

from anonymize.errors import AnonymizeError, InputError
from anonymize.progress import Progress, Quiet
from anonymize.report.render import KIND_NAMES, region_kind
from anonymize.review import APPROVED, REJECTED
from anonymize.stories.edit import (
    AddAllowTerm,
    AddKeep,
    AddRedactTerm,
    AddRegion,
    Edit,
    RemoveKeep,
    SetBackground,
    SetSubject,
)
from anonymize.studio.app import Studio
from anonymize.studio.guard import CSRF_FIELD, TOKEN_PARAMETER, Guard

CONTENT_SECURITY_POLICY = (
    "default-src 'none'; img-src 'self'; style-src 'self'; script-src 'self'; form-action 'self'; "
    "frame-ancestors 'none'; base-uri 'none'"
)
HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "same-origin",
    "Cache-Control": "no-store",
    "Cross-Origin-Opener-Policy": "same-origin",
    "Cross-Origin-Resource-Policy": "same-origin",
}
STATIC = {"studio.css": "text/css; charset=utf-8", "studio.js": "text/javascript; charset=utf-8"}
MAX_FORM_BYTES = 256 * 1024
#: A region's reason and a withheld word: a short text, as in a story.
MAX_TEXT = 200

_ENV = jinja2.Environment(
    # The report's templates too: the outlines over a picture are drawn as the report draws them.
    loader=jinja2.ChoiceLoader(
        [jinja2.PackageLoader("anonymize.studio", "templates"), jinja2.PackageLoader("anonymize.report", "templates")]
    ),
    autoescape=True,
    trim_blocks=True,
    lstrip_blocks=True,
)
_ENV.tests["containing"] = lambda text, part: isinstance(text, str) and part in text


class Refused(Exception):
    """A request answered with an error page and nothing changed."""

    def __init__(self, status: HTTPStatus, message: str) -> None:
        super().__init__(message)
        self.status = status


def _number(form: dict[str, str], name: str) -> int:
    try:
        return round(float(form.get(name, "")))
    except ValueError:
        raise Refused(HTTPStatus.BAD_REQUEST, f"{name}: expected a number of pixels") from None


def _text(form: dict[str, str], name: str, what: str) -> str:
    text = " ".join(form.get(name, "").split())
    if not text:
        raise Refused(HTTPStatus.BAD_REQUEST, f"{name}: say {what}")
    if len(text) > MAX_TEXT:
        raise Refused(HTTPStatus.BAD_REQUEST, f"{name}: at most {MAX_TEXT} characters")
    return text


def _box(form: dict[str, str]) -> tuple[int, int, int, int]:
    return (_number(form, "x"), _number(form, "y"), _number(form, "w"), _number(form, "h"))


def _points(form: dict[str, str]) -> tuple[tuple[int, int], ...]:
    """``x,y x,y x,y …`` (spaces or semicolons between points)."""
    numbers = re.findall(r"-?\d+(?:\.\d+)?", form.get("points", ""))
    if len(numbers) < 6 or len(numbers) % 2:
        raise Refused(HTTPStatus.BAD_REQUEST, "points: give at least three points as x,y x,y x,y")
    values = [round(float(n)) for n in numbers]
    return tuple((values[i], values[i + 1]) for i in range(0, len(values), 2))


def _drawn(form: dict[str, str]) -> Edit:
    photo = form.get("photo", "")
    shape = form.get("shape", "box")
    if form.get("purpose") == "subject":
        if shape == "polygon":
            points = _points(form)
        else:
            x, y, w, h = _box(form)
            points = ((x, y), (x + w, y), (x + w, y + h), (x, y + h))
        return SetSubject(photo, points)
    reason = _text(form, "reason", "why this area is redacted")
    if shape == "polygon":
        return AddRegion(photo, "polygon", _points(form), reason)
    if shape not in ("box", "ellipse"):
        raise Refused(HTTPStatus.BAD_REQUEST, "shape: box, ellipse or polygon")
    return AddRegion(photo, shape, _box(form), reason)


#: What each change's form makes of its fields.
EDITS: dict[str, Callable[[dict[str, str]], Edit]] = {
    "region": _drawn,
    "keep": lambda f: AddKeep(f.get("photo", ""), _box(f), _text(f, "reason", "why it is no face or text")),
    "unkeep": lambda f: RemoveKeep(f.get("photo", ""), _box(f)),
    "background": lambda f: SetBackground(f.get("photo", ""), f.get("background", "")),
    "redact": lambda f: AddRedactTerm(_text(f, "term", "the word to withhold")),
    "allow": lambda f: AddAllowTerm(_text(f, "term", "the word to publish as written")),
}


class Handler(http.server.BaseHTTPRequestHandler):
    """One request: guarded, routed, answered."""

    studio: ClassVar[Studio]
    guard: ClassVar[Guard]
    server_version = "anonymize-studio"
    sys_version = ""

    def log_message(self, format: str, *args: Any) -> None:
        pass  # the addresses carry nothing secret, but a terminal of request lines helps nobody

    # -- answering ------------------------------------------------------------------------

    def _send(self, status: HTTPStatus, body: bytes, kind: str, extra: dict[str, str] | None = None) -> None:
        self.send_response(status)
        for name, value in {**HEADERS, **(extra or {})}.items():
            self.send_header(name, value)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def _page(self, template: str, status: HTTPStatus = HTTPStatus.OK, **values: object) -> None:
        html = _ENV.get_template(template).render(
            csrf=self.guard.csrf, kind=region_kind, kind_names=KIND_NAMES, failure=self.studio.failure, **values
        )
        self._send(status, html.encode(), "text/html; charset=utf-8")

    def _refuse(self, status: HTTPStatus, message: str) -> None:
        """A refusal says why and nothing of the project (it may go to a page that is not the studio's)."""
        html = _ENV.get_template("refused.html").render(failure=[], status_code=int(status), message=message)
        self._send(status, html.encode(), "text/html; charset=utf-8")

    def _redirect(self, location: str, extra: dict[str, str] | None = None) -> None:
        self._send(HTTPStatus.SEE_OTHER, b"", "text/plain", {"Location": location, **(extra or {})})

    # -- guarding -------------------------------------------------------------------------

    def _guarded(self) -> tuple[str, dict[str, list[str]]] | None:
        """The path and query of a request that may be served (else refused, and None)."""
        if not self.guard.host_ok(self.headers.get("Host")):
            self._refuse(HTTPStatus.FORBIDDEN, "this studio answers only at its own address")
            return None
        url = urllib.parse.urlsplit(self.path)
        query = urllib.parse.parse_qs(url.query)
        offered = query.get(TOKEN_PARAMETER, [None])[0]
        if self.command == "GET" and offered is not None and self.guard.token_ok(offered):
            # The address the studio printed: keep the secret in a cookie, out of the address bar.
            self._redirect(url.path or "/", {"Set-Cookie": self.guard.set_cookie()})
            return None
        if not self.guard.token_ok(self.guard.cookie_token(self.headers.get("Cookie"))):
            self._refuse(HTTPStatus.FORBIDDEN, "open the address the studio printed when it started (it holds a key)")
            return None
        return urllib.parse.unquote(url.path), query

    def do_HEAD(self) -> None:
        self.do_GET()

    def _answer(self, action: Callable[[], None]) -> None:
        """Run ``action``; what it refuses, or cannot find, is an error page instead."""
        try:
            action()
        except Refused as err:
            self._refuse(err.status, str(err))
        except InputError as err:
            self._refuse(HTTPStatus.NOT_FOUND, str(err))
        except AnonymizeError as err:
            self._refuse(HTTPStatus.INTERNAL_SERVER_ERROR, str(err))

    def do_GET(self) -> None:
        guarded = self._guarded()
        if guarded is not None:
            path, query = guarded
            self._answer(lambda: self._get(path, query))

    def do_POST(self) -> None:
        guarded = self._guarded()
        if guarded is None:
            return
        if not self.guard.origin_ok(self.headers.get("Origin")):
            self._refuse(HTTPStatus.FORBIDDEN, "a change must come from the studio's own page")
            return
        path = guarded[0]

        def change() -> None:
            form = self._form()
            if not self.guard.csrf_ok(form.get(CSRF_FIELD)):
                raise Refused(HTTPStatus.FORBIDDEN, "this form is not from this run of the studio: reload the page")
            self._post(path, form)

        self._answer(change)

    def do_PUT(self) -> None:
        self._refuse(HTTPStatus.METHOD_NOT_ALLOWED, "the studio reads with GET and changes with POST only")

    do_DELETE = do_PATCH = do_OPTIONS = do_PUT

    def _form(self) -> dict[str, str]:
        if self.headers.get_content_type() != "application/x-www-form-urlencoded":
            raise Refused(HTTPStatus.UNSUPPORTED_MEDIA_TYPE, "the studio takes its own forms only")
        try:
            length = int(self.headers.get("Content-Length", "0"))
        except ValueError:
            length = -1
        if not 0 <= length <= MAX_FORM_BYTES:
            raise Refused(HTTPStatus.REQUEST_ENTITY_TOO_LARGE, "the form is too large")
        fields = urllib.parse.parse_qs(self.rfile.read(length).decode("utf-8", "replace"), keep_blank_values=True)
        return {name: values[0] for name, values in fields.items()}

    # -- routes ---------------------------------------------------------------------------

    def _get(self, path: str, query: dict[str, list[str]]) -> None:
        parts = [part for part in path.split("/") if part]
        if not parts:
            self._page("index.html", report=self.studio.report())
        elif parts == ["favicon.ico"]:
            self._send(HTTPStatus.NO_CONTENT, b"", "image/x-icon")  # no icon; asked for by every browser
        elif parts[0] == "static" and len(parts) == 2 and parts[1] in STATIC:
            data = resources.files("anonymize.studio").joinpath(f"assets/{parts[1]}").read_bytes()
            self._send(HTTPStatus.OK, data, STATIC[parts[1]])
        elif parts[0] == "pictures" and len(parts) == 2:
            self._send(HTTPStatus.OK, self.studio.picture(parts[1]).read_bytes(), "image/jpeg")
        elif parts[0] == "original" and len(parts) == 3 and parts[2].isdigit():
            self._send(HTTPStatus.OK, self.studio.original(parts[1], int(parts[2])), "image/jpeg")
        elif parts[0] == "story" and len(parts) == 2:
            self._story(parts[1], query)
        else:
            raise Refused(HTTPStatus.NOT_FOUND, "no such page in the studio")

    def _story(self, story: str, query: dict[str, list[str]]) -> None:
        entry = self.studio.entry(story)
        if entry is None:
            raise Refused(HTTPStatus.NOT_FOUND, f"no story {story!r} in the report")
        shown = query.get("original", [""])[0]
        self._page(
            "story.html",
            s=entry,
            version=self.studio.version(story),
            testimony=self.studio.testimony(story) if entry.get("consent") else None,
            notice=self.studio.notice(story),
            original=int(shown) if shown.isdigit() else None,
        )

    def _post(self, path: str, form: dict[str, str]) -> None:
        parts = [part for part in path.split("/") if part]
        if parts == ["rebuild"]:
            self.studio.rebuild()
            self._redirect("/")
            return
        if len(parts) != 3 or parts[0] != "story":
            raise Refused(HTTPStatus.NOT_FOUND, "no such change in the studio")
        story, action = parts[1], parts[2]
        self.studio.story_file(story)  # refuses a name outside the stories folder
        if action in EDITS:
            self.studio.change(story, EDITS[action](form), form.get("version", ""))
        elif action in ("approve", "reject"):
            by = " ".join(form.get("by", "").split()) or None
            reason = _text(form, "reason", "why it is rejected: what must change") if action == "reject" else None
            self.studio.decide(story, APPROVED if action == "approve" else REJECTED, by, reason)
        else:
            raise Refused(HTTPStatus.NOT_FOUND, "no such change in the studio")
        anchor = form.get("anchor", "")
        fragment = f"#{anchor}" if re.fullmatch(r"[\w-]+", anchor) else ""
        self._redirect(f"/story/{urllib.parse.quote(story)}{fragment}")


class StudioServer:
    """The studio listening on 127.0.0.1; ``url`` holds its key."""

    def __init__(
        self, config_file: Path, port: int = 0, as_of: dt.date | None = None, progress: Progress | None = None
    ) -> None:
        self.studio = Studio(config_file, as_of, progress or Quiet())
        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", port), Handler)
        self.httpd.daemon_threads = True
        self.guard = Guard(int(self.httpd.server_address[1]))
        handler = type("StudioHandler", (Handler,), {"studio": self.studio, "guard": self.guard})
        self.httpd.RequestHandlerClass = handler

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.guard.port}/"

    @property
    def url(self) -> str:
        """The address to open: the studio's, with its key."""
        return f"{self.base}?{TOKEN_PARAMETER}={self.guard.token}"

    def serve_forever(self) -> None:
        self.httpd.serve_forever(poll_interval=0.2)

    def start(self) -> threading.Thread:
        """Serve in a thread of this process (tests, embedding); ``stop`` ends it."""
        thread = threading.Thread(target=self.serve_forever, name="anonymize-studio", daemon=True)
        thread.start()
        return thread

    def stop(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()
