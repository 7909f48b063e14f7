"""``anonymize studio`` as a person starts and stops it: one address to open, Ctrl-C to stop."""

from __future__ import annotations

import http.client
import re
import signal
import subprocess
import sys
from pathlib import Path

from click.testing import CliRunner

from anonymize.cli import main


def _listening(port: int) -> list[str]:
    """The addresses a socket listens on at ``port``, as the kernel lists them (Linux)."""
    addresses = []
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        for line in Path(table).read_text().splitlines()[1:]:
            local, state = line.split()[1], line.split()[3]
            address, _, hex_port = local.partition(":")
            if state == "0A" and int(hex_port, 16) == port:
                raw = bytes.fromhex(address)
                addresses.append(".".join(str(b) for b in raw[::-1]) if len(raw) == 4 else raw.hex())
    return addresses


def test_the_studio_prints_its_address_answers_on_127_0_0_1_only_and_stops_on_ctrl_c(project: Path) -> None:
    studio = subprocess.Popen(
        [sys.executable, "-m", "anonymize", "studio", "--no-browser", "-q"],
        cwd=project,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert studio.stdout is not None
        first = studio.stdout.readline()
        found = re.fullmatch(r"studio: http://127\.0\.0\.1:(\d+)/\?token=([\w-]+)\n", first)
        assert found, first
        assert "Ctrl-C stops the studio" in studio.stdout.readline()
        port, token = int(found[1]), found[2]
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        connection.request("GET", f"/?token={token}")
        answer = connection.getresponse()
        assert answer.status == 303
        cookie = str(answer.getheader("Set-Cookie")).split(";")[0]
        answer.read()
        connection.request("GET", "/story/amir", headers={"Cookie": cookie})
        page = connection.getresponse()
        assert page.status == 200 and "Photo 2: <code>sample/bridge.jpg</code>" in page.read().decode()
        connection.close()
        assert _listening(port) == ["127.0.0.1"]
    finally:
        studio.send_signal(signal.SIGINT)
        out, err = studio.communicate(timeout=60)
    assert studio.returncode == 0, err
    assert out.strip().endswith("studio stopped")
    assert "Traceback" not in err


def test_a_project_that_cannot_be_read_is_one_line_and_exit_2(tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["studio", "--no-browser", "-f", str(tmp_path / "mkdocs.yml")])
    assert result.exit_code == 2
    assert result.stderr.strip().splitlines() == [
        f"anonymize: {tmp_path / 'mkdocs.yml'}: no such file: the project's mkdocs.yml"
    ]
