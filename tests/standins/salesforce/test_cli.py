"""`acctbot sandbox` in a subprocess: the three lines, a real client, a clean stop."""

from __future__ import annotations

import json
import os
import queue
import signal
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from simple_salesforce import Salesforce

from tests.support.paths import REPO_ROOT

ROOT = REPO_ROOT

DATA = {
    "User": [{"Id": "005000000000001AAA", "Name": "Ana Rep", "Email": "ana.rep@example.com"}],
    "Account": [
        {
            "Id": "001000000000001AAA",
            "Name": "Acme Corp",
            "AccountNumber": "A-1001",
            "OwnerId": "005000000000001AAA",
        }
    ],
}


def start(*args: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "bot.cli", "sandbox", *args],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def read_lines(proc: subprocess.Popen[str], n: int, timeout: float = 30) -> list[str]:
    """The first n stdout lines, or fail after timeout seconds."""
    lines: queue.Queue[str] = queue.Queue()

    def pump() -> None:
        assert proc.stdout is not None
        for _ in range(n):
            lines.put(proc.stdout.readline())

    threading.Thread(target=pump, daemon=True).start()
    out = []
    for _ in range(n):
        try:
            out.append(lines.get(timeout=timeout).rstrip("\n"))
        except queue.Empty:
            proc.kill()
            pytest.fail(f"the sandbox printed only {out!r}; stderr: {proc.stderr.read()}")  # type: ignore[union-attr]
    return out


@pytest.fixture
def running(tmp_path: Path) -> Iterator[tuple[subprocess.Popen[str], dict[str, str]]]:
    data_file = tmp_path / "org.json"
    data_file.write_text(json.dumps(DATA))
    proc = start("--port", "0", "--data", str(data_file))
    try:
        lines = read_lines(proc, 3)
        env = dict(line.split("=", 1) for line in lines)
        yield proc, env
    finally:
        if proc.poll() is None:
            proc.kill()
        proc.wait(timeout=10)


def test_sandbox_prints_three_lines_and_serves(
    running: tuple[subprocess.Popen[str], dict[str, str]], monkeypatch: pytest.MonkeyPatch
) -> None:
    proc, env = running
    assert list(env) == ["SF_INSTANCE_URL", "SF_ACCESS_TOKEN", "REQUESTS_CA_BUNDLE"]
    assert env["SF_INSTANCE_URL"].startswith("https://127.0.0.1:")
    assert int(env["SF_INSTANCE_URL"].rsplit(":", 1)[1]) > 0
    assert os.path.isfile(env["REQUESTS_CA_BUNDLE"])
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", env["REQUESTS_CA_BUNDLE"])
    sf = Salesforce(instance_url=env["SF_INSTANCE_URL"], session_id=env["SF_ACCESS_TOKEN"])
    result = sf.query("SELECT Id, Name, Owner.Name FROM Account")
    assert result["totalSize"] == 1
    assert result["records"][0]["Name"] == "Acme Corp"
    assert result["records"][0]["Owner"]["Name"] == "Ana Rep"

    proc.send_signal(signal.SIGTERM)
    assert proc.wait(timeout=10) == 0
    assert not os.path.exists(env["REQUESTS_CA_BUNDLE"])  # the throw-away CA is removed


def test_sandbox_stops_on_sigint(running: tuple[subprocess.Popen[str], dict[str, str]]) -> None:
    proc, _ = running
    proc.send_signal(signal.SIGINT)
    assert proc.wait(timeout=10) == 0
    assert proc.stderr is not None and "Traceback" not in proc.stderr.read()


def test_seeded_org_without_data_file(monkeypatch: pytest.MonkeyPatch) -> None:
    proc = start("--port", "0", "--seed", "7")
    try:
        env = dict(line.split("=", 1) for line in read_lines(proc, 3))
        monkeypatch.setenv("REQUESTS_CA_BUNDLE", env["REQUESTS_CA_BUNDLE"])
        sf = Salesforce(instance_url=env["SF_INSTANCE_URL"], session_id=env["SF_ACCESS_TOKEN"])
        assert sf.query("SELECT Id FROM User")["totalSize"] > 0
    finally:
        proc.terminate()
        assert proc.wait(timeout=10) == 0


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        ("{not json", "not valid JSON"),
        (json.dumps({"Widget": [{"Name": "x"}]}), "not a valid data set"),
        (json.dumps({"Account": [{"Name": "x", "Colour": "red"}]}), "Colour"),
    ],
)
def test_bad_data_file_exits_2_with_one_line(tmp_path: Path, content: str, expected: str) -> None:
    data_file = tmp_path / "bad.json"
    data_file.write_text(content)
    proc = start("--port", "0", "--data", str(data_file))
    out, err = proc.communicate(timeout=30)
    assert proc.returncode == 2
    assert out == ""
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    assert expected in lines[0] and str(data_file) in lines[0]


def test_missing_data_file_exits_2(tmp_path: Path) -> None:
    proc = start("--data", str(tmp_path / "nope.json"))
    _, err = proc.communicate(timeout=30)
    assert proc.returncode == 2
    assert len(err.strip().splitlines()) == 1 and "nope.json" in err
