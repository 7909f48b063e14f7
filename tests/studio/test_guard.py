"""The studio answers its own browser only: the key, the Host, the Origin, the form's secret, the paths."""

from __future__ import annotations

import http.client
import re
import urllib.parse
from pathlib import Path

import pytest

from anonymize.fileio import file_sha256
from anonymize.stories.load import read_story
from anonymize.studio.server import CONTENT_SECURITY_POLICY, StudioServer


def _request(
    server: StudioServer,
    method: str,
    path: str,
    headers: dict[str, str] | None = None,
    body: str | None = None,
    cookie: bool = True,
) -> http.client.HTTPResponse:
    connection = http.client.HTTPConnection("127.0.0.1", server.guard.port, timeout=60)
    sent = {"Host": f"127.0.0.1:{server.guard.port}"}
    if cookie:
        sent["Cookie"] = f"{server.guard.cookie}={server.guard.token}"
    if body is not None:
        sent["Content-Type"] = "application/x-www-form-urlencoded"
    sent.update(headers or {})
    connection.request(method, path, body=body, headers=sent)
    response = connection.getresponse()
    response.read()
    response.close()
    return response


def _form(server: StudioServer, story: str, **fields: str) -> str:
    values = {"csrf": server.guard.csrf, "version": server.studio.version(story), **fields}
    return urllib.parse.urlencode(values)


def _origin(server: StudioServer) -> dict[str, str]:
    return {"Origin": f"http://127.0.0.1:{server.guard.port}"}


def _inputs(project: Path) -> dict[str, str]:
    files = [*sorted((project / "stories").glob("*.md")), project / "reviews.yml", project / "mkdocs.yml"]
    return {path.name: file_sha256(path) for path in files}


def test_the_printed_address_sets_the_key_as_a_strict_cookie_and_leaves_the_address_bar(
    studio: StudioServer,
) -> None:
    assert re.fullmatch(r"http://127\.0\.0\.1:\d+/\?token=[\w-]{40,}", studio.url)
    response = _request(studio, "GET", urllib.parse.urlsplit(studio.url)._replace(scheme="", netloc="").geturl(),
                        cookie=False)  # fmt: skip
    assert response.status == 303
    assert response.getheader("Location") == "/"
    cookie = response.getheader("Set-Cookie") or ""
    assert f"={studio.guard.token}" in cookie and "HttpOnly" in cookie and "SameSite=Strict" in cookie
    page = _request(studio, "GET", "/")
    assert page.status == 200
    assert page.getheader("Content-Security-Policy") == CONTENT_SECURITY_POLICY
    assert page.getheader("Cache-Control") == "no-store"
    assert page.getheader("Access-Control-Allow-Origin") is None


@pytest.mark.parametrize(
    ("headers", "cookie"),
    [
        ({}, False),  # no key at all
        ({"Cookie": "anonymize-studio-{port}=guessed"}, False),  # a wrong key
        ({"Cookie": "anonymize-studio-1={token}"}, False),  # the key under another studio's name
        ({"Host": "attacker.example:80"}, True),  # DNS rebinding: the key does not help another name
        ({"Host": "127.0.0.1"}, True),  # another port
    ],
)
def test_a_request_without_the_key_or_to_another_host_is_refused(
    studio: StudioServer, headers: dict[str, str], cookie: bool
) -> None:
    headers = {name: value.format(port=studio.guard.port, token=studio.guard.token) for name, value in headers.items()}
    for path in ("/", "/story/amir", "/original/amir/1", "/static/studio.js"):
        assert _request(studio, "GET", path, headers, cookie=cookie).status == 403
    assert _request(studio, "GET", f"/?token=wrong{studio.guard.token}", headers, cookie=False).status == 403


@pytest.mark.parametrize(
    ("headers", "csrf"),
    [
        ({}, True),  # no Origin: not from a page of the studio
        ({"Origin": "http://attacker.example"}, True),  # another site's page
        ({"Origin": "null"}, True),  # a sandboxed frame or a file
        (None, False),  # the studio's own Origin, but not its form
    ],
)
def test_a_change_not_from_the_studios_own_form_is_refused_and_changes_nothing(
    studio: StudioServer, project: Path, headers: dict[str, str] | None, csrf: bool
) -> None:
    before = _inputs(project)
    form = _form(studio, "amir", photo="sample/bridge.jpg", shape="box", x="1", y="1", w="50", h="50", reason="sign")
    if not csrf:
        form = form.replace(urllib.parse.quote(studio.guard.csrf), "forged")
    sent = _origin(studio) if headers is None else headers
    for action in ("region", "approve", "redact"):
        assert _request(studio, "POST", f"/story/amir/{action}", sent, form + "&term=Ruslan").status == 403
    assert _request(studio, "POST", "/rebuild", sent, form).status == 403
    assert _inputs(project) == before


def test_paths_outside_the_project_and_unknown_methods_are_refused(studio: StudioServer, project: Path) -> None:
    (project.parent / "secret.md").write_text("---\nconsent: {}\n---\n", encoding="utf-8")
    before = _inputs(project)
    for path in (
        "/story/..%2Fsecret",
        "/story/../../secret",
        "/pictures/..%2F..%2Fmkdocs.yml",
        "/pictures/..%2Freport.json",
        "/static/..%2F..%2Fapp.py",
        "/static/page.html",
        "/original/amir/0",
        "/original/amir/99",
        "/original/..%2Fsecret/1",
    ):
        assert _request(studio, "GET", path).status in (403, 404), path
    form = _form(studio, "amir", term="Ruslan")
    assert _request(studio, "POST", "/story/..%2F..%2Fsecret/redact", _origin(studio), form).status == 404
    assert _request(studio, "PUT", "/story/amir/redact", _origin(studio), form).status == 405
    assert _request(studio, "POST", "/story/amir/redact", {**_origin(studio), "Content-Type": "text/plain"},
                    form).status == 415  # fmt: skip
    assert _inputs(project) == before


def test_a_change_from_the_studios_form_is_written_and_the_draft_built_again(
    studio: StudioServer, project: Path
) -> None:
    story = project / "stories" / "amir.md"
    before = story.read_text(encoding="utf-8")
    form = _form(studio, "amir", term="bakery", anchor="text")
    response = _request(studio, "POST", "/story/amir/redact", _origin(studio), form)
    assert response.status == 303 and response.getheader("Location") == "/story/amir#text"
    after = story.read_text(encoding="utf-8")
    assert after == before.replace("Argun, Аргун]", "Argun, Аргун, bakery]")
    entry = studio.studio.entry("amir")
    assert entry is not None and entry["status"] == "needs review"  # what is published changed
    # The same form again: made against a version that is no longer on disk, so refused.
    assert _request(studio, "POST", "/story/amir/redact", _origin(studio), form).status == 303
    assert story.read_text(encoding="utf-8") == after
    notice = studio.studio.notice("amir")
    assert notice is not None and not notice.ok and "changed on disk since it was shown" in notice.text


def test_a_drawn_outline_of_the_people_blurs_the_rest(studio: StudioServer, project: Path) -> None:
    points = "700,350 980,350 990,1200 660,1200"
    form = _form(studio, "amir", photo="sample/bridge.jpg", shape="polygon", points=points, purpose="subject")
    assert _request(studio, "POST", "/story/amir/region", _origin(studio), form).status == 303
    photo = read_story(project / "stories" / "amir.md").data["photos"][1]  # type: ignore[index]
    assert photo["subject"] == [[700, 350], [980, 350], [990, 1200], [660, 1200]]
    entry = studio.studio.entry("amir")
    assert entry is not None
    background = entry["photos"][1]["image"]["background"]  # type: ignore[index]
    assert background["treatment"] == "blur" and background["mask"] != "automatic"


def test_a_refusal_tells_nothing_of_the_project(studio: StudioServer, project: Path) -> None:
    studio.studio.failure = ["stories/zelimkhan-family.md: photo IMG_0042.jpg: cannot be read"]
    connection = http.client.HTTPConnection("127.0.0.1", studio.guard.port, timeout=60)
    connection.request("GET", "/", headers={"Host": f"rebound.example:{studio.guard.port}"})
    page = connection.getresponse().read().decode()
    connection.close()
    assert "this studio answers only at its own address" in page
    assert "zelimkhan" not in page and "IMG_0042" not in page and studio.guard.csrf not in page
