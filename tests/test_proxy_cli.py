"""`sanctuary proxy`, `sanctuary serve --routes` and `sanctuary demo-upstream` refuse bad input at
start with an error naming the file, line and route (or the option), never a traceback."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

import pytest
import uvicorn
from typer.testing import CliRunner

from sanctuary.cli import app

EXAMPLE = str(Path(__file__).resolve().parent.parent / "examples" / "rms" / "routes.toml")
BAD_MAP = '[[route]]\nname = "a"\nmethod = "GET"\npath = "/a/[x]"\nkind = "lookup"\n'


@pytest.fixture
def bad_map(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    monkeypatch.setenv("SANCTUARY_HOME", str(tmp_path))
    path = tmp_path / "routes.toml"
    path.write_text(BAD_MAP)
    return str(path)


@pytest.mark.parametrize("command", [["proxy", "--upstream", "http://127.0.0.1:9"], ["serve", "--demo"]])
def test_a_bad_route_map_stops_the_start_naming_its_line(bad_map: str, command: list[str]) -> None:
    result = CliRunner().invoke(app, [*command, "--routes", bad_map])
    assert result.exit_code == 2, result.output
    said = "".join(result.output.split())  # the console folds a long path at its width, anywhere
    assert "".join(f"{bad_map}:1 (route 'a'): kind: 'lookup' is not one of".split()) in said
    assert "Traceback" not in result.output


@pytest.mark.parametrize("upstream", ["ftp://rms.example", "rms.example:9000", "http://"])
def test_a_bad_upstream_stops_the_start(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, upstream: str) -> None:
    monkeypatch.setenv("SANCTUARY_HOME", str(tmp_path))
    result = CliRunner().invoke(app, ["proxy", "--upstream", upstream, "--routes", EXAMPLE])
    assert result.exit_code == 2, result.output
    assert "upstream:" in result.output and "Traceback" not in result.output


@pytest.mark.parametrize("command", [["proxy", "--upstream", "http://127.0.0.1:9", "--routes", EXAMPLE], ["serve"]])
def test_serve_and_proxy_take_the_shared_options_the_same_way(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, command: list[str]) -> None:
    monkeypatch.setenv("SANCTUARY_HOME", str(tmp_path))
    events = logging.getLogger("sanctuary")  # the command adds its handler: taken away after the test
    monkeypatch.setattr(events, "handlers", list(events.handlers))
    monkeypatch.setattr(events, "level", events.level)
    started: list[Any] = []
    monkeypatch.setattr(uvicorn.Server, "run", lambda server, *args, **kwargs: started.append(server.config.app))
    options = ["--rate", "3", "--threads", "2", "--log", str(tmp_path / "log.db"), "--port", "0"]
    result = CliRunner().invoke(app, [*command, *options])
    assert result.exit_code == 0, result.output
    (served,) = started
    limiter = served.state.limiter if command[0] == "proxy" else served.state.gateway.limiter
    assert (limiter.rate, limiter.burst) == (3, 6)
    policy = served.state.policy if command[0] == "proxy" else served.state.gateway.policy
    assert policy.error is None and "chicago-2021" in policy.profiles  # the shipped default jurisdiction
    assert "no keys yet" in result.output
