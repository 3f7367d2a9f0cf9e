"""Every subcommand imports only what it uses: the one that decides or screens never loads the web
framework, the migrations or the pages (start-up time is measured by bench/cli_start.py)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
import typer

ROOT = Path(__file__).resolve().parent.parent
HEAVY = ("fastapi", "starlette", "uvicorn", "alembic", "sanctuary.web", "sanctuary.gateway.app", "sanctuary.server")
PROBE = f"""
import atexit, sys
atexit.register(lambda: print("LOADED", sorted(m for m in {HEAVY!r} if m in sys.modules), file=sys.stderr))
sys.argv = ["sanctuary", *sys.argv[1:]]
from sanctuary.cli import main
main()
"""


@pytest.mark.parametrize(
    "argv",
    [
        ["screen", "assist ICE"],
        ["decide", "examples/requests.jsonl"],
        ["decide", "--log", "{home}/log.db", "examples/requests.jsonl"],
        ["audit", "verify", "--log", "{home}/log.db"],
        ["scan", "--help"],
        ["policy", "list"],
        ["agencies", "list"],
    ],
)
def test_a_command_loads_no_server_and_no_pages(argv: list[str], tmp_path: Path) -> None:
    env = {**os.environ, "SANCTUARY_HOME": str(tmp_path)}
    args = [a.format(home=tmp_path) for a in argv]
    run = subprocess.run([sys.executable, "-c", PROBE, *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
    loaded = [line for line in run.stderr.splitlines() if line.startswith("LOADED")]
    assert loaded == ["LOADED []"], run.stderr[-2000:]


def test_the_server_command_loads_the_server_only_when_asked_for() -> None:
    probe = (
        "import sys, typer; from sanctuary.cli import app; group = typer.main.get_command(app); "
        "before = 'sanctuary.server' in sys.modules; group.get_command(None, 'serve'); "
        "print(before, 'sanctuary.server' in sys.modules)"
    )
    run = subprocess.run([sys.executable, "-c", probe], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert run.stdout.split() == ["False", "True"], run.stderr


def test_screening_a_reason_loads_neither_the_document_classifier_nor_the_fuzzy_matcher() -> None:
    # `sanctuary screen TEXT` on a reason without misspellings: the classification of documents and
    # rapidfuzz load on first use, and only the lexicon terms the reason's words wake are compiled.
    probe = (
        "import sys; sys.argv = ['sanctuary', 'screen', 'assist ICE']\n"
        "from sanctuary.cli import main\n"
        "try:\n    main()\nexcept SystemExit:\n    pass\n"
        "from sanctuary.screening import lexicon\n"
        "compiled = sum('pattern' in vars(t) for t in lexicon.TERMS)\n"
        "print('LOADED', 'sanctuary.screening.documents' in sys.modules, 'rapidfuzz' in sys.modules, 0 < compiled < len(lexicon.TERMS) // 4)"
    )
    run = subprocess.run([sys.executable, "-c", probe], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert [line for line in run.stdout.splitlines() if line.startswith("LOADED")] == ["LOADED False False True"], run.stderr[-2000:]


def test_the_help_lists_every_command_by_its_own_words_and_imports_none() -> None:
    from sanctuary.cli import LAZY, app

    group = typer.main.get_command(app)
    for name, (_module, _attribute, line) in LAZY.items():
        command = group.get_command(None, name)  # imported: its own help
        first = " ".join((command.help or "").split("\n\n")[0].split())
        assert first.startswith(line), f"{name}: the help listing says {line!r}, the command {first!r}"
    modules = sorted({module for module, _attribute, _line in LAZY.values()})
    probe = f"""
import atexit, sys
atexit.register(lambda: print("LOADED", [m for m in {modules!r} if m in sys.modules], file=sys.stderr))
sys.argv = ["sanctuary", "--help"]
from sanctuary.cli import main
main()
"""
    env = {**os.environ, "COLUMNS": "200"}
    run = subprocess.run([sys.executable, "-c", probe], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
    assert [line for line in run.stderr.splitlines() if line.startswith("LOADED")] == ["LOADED []"], run.stderr[-2000:]
    for name, (_module, _attribute, line) in LAZY.items():
        assert f" {name} " in run.stdout and line[:60] in run.stdout, name
