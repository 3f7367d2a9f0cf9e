"""`sanctuary proxy`, `sanctuary serve --routes` and `sanctuary demo-upstream` refuse bad input at
start with an error naming the file, line and route (or the option), never a traceback."""

from __future__ import annotations

from pathlib import Path

import pytest
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
    assert f"{bad_map}:1 (route 'a'): kind: 'lookup' is not one of" in " ".join(result.output.split())
    assert "Traceback" not in result.output


@pytest.mark.parametrize("upstream", ["ftp://rms.example", "rms.example:9000", "http://"])
def test_a_bad_upstream_stops_the_start(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, upstream: str) -> None:
    monkeypatch.setenv("SANCTUARY_HOME", str(tmp_path))
    result = CliRunner().invoke(app, ["proxy", "--upstream", upstream, "--routes", EXAMPLE])
    assert result.exit_code == 2, result.output
    assert "upstream:" in result.output and "Traceback" not in result.output
