"""/verify: the commands it gives work, as written, with the stand-alone verifier."""

from __future__ import annotations

import hashlib
import html
import re
import shlex
import subprocess
import sys
from pathlib import Path

from test_web_pages import ICE_RELEASE_DATE, desk_post
from web_app import make_site  # noqa: F401 - fixture

ROOT = Path(__file__).resolve().parents[1]


def test_the_verify_page_commands_check_the_log(make_site, tmp_path: Path) -> None:
    """As a resident would: the verifier downloaded from the site, its SHA-256 compared with the one
    the README publishes, then run (with nothing of sanctuary importable) on what the site serves."""
    site = make_site()
    desk_post(site.client("desk"), ICE_RELEASE_DATE)
    reader = site.client()
    page = reader.get("/verify")
    assert page.status_code == 200 and "The log holds 1 entry" in page.text
    commands = html.unescape(re.search(r'<pre[^>]*id="commands"[^>]*>(.*?)</pre>', page.text, re.S).group(1)).splitlines()
    assert commands[0].endswith("/verify/verify_log.py -o verify_log.py") and commands[1] == "sha256sum verify_log.py"
    published = re.search(r"^([0-9a-f]{64})  tools/verify_log.py$", (ROOT / "README.md").read_text(encoding="utf-8"), re.M).group(1)
    assert f'id="verifier-sha256">{published}<' in page.text  # the page's line agrees with the README's
    size = ""
    ran = 0
    for line in commands:  # curl through the test client, everything else as written
        words = shlex.split(line.replace("$SIZE", size))
        if words[0] == "curl":
            url, target = words[words.index("-s") + 1], words[words.index("-o") + 1]
            answer = reader.get(url.removeprefix("http://testserver"))
            assert answer.status_code == 200, url
            (tmp_path / target).write_bytes(answer.content)
        elif words[0] == "sha256sum":
            digest = hashlib.sha256((tmp_path / words[1]).read_bytes()).hexdigest()
            assert digest == published, "the served verifier is not the one the README publishes"
        elif line.startswith("SIZE="):
            size = (tmp_path / "checkpoint.txt").read_text().splitlines()[1]
        else:
            assert words[:2] == ["python3", "verify_log.py"]
            vkey = (tmp_path / "vkey.txt").read_text().strip()
            args = [a if a != "$(cat vkey.txt)" else vkey for a in words[2:]]
            run = subprocess.run([sys.executable, "-I", "verify_log.py", *args], cwd=tmp_path, capture_output=True, text=True)
            assert run.returncode == 0, run.stdout + run.stderr
            ran += 1
    assert ran == 2
    entry = (tmp_path / "entry.json").read_bytes()
    tampered = entry.replace(b'"deny"', b'"permit"')
    (tmp_path / "entry.json").write_bytes(tampered)
    vkey = (tmp_path / "vkey.txt").read_text().strip()
    run = subprocess.run(
        [sys.executable, "-I", "verify_log.py", "--vkey", vkey, "inclusion", "--checkpoint", "checkpoint.txt"]
        + ["--entry", "entry.json", "--proof", "proof.json"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
    )
    assert run.returncode != 0  # the same commands catch an entry changed behind the log's back


def test_the_site_serves_the_verifier_the_repository_ships(make_site) -> None:
    served = make_site().client().get("/verify/verify_log.py")
    assert served.status_code == 200 and served.content == (ROOT / "tools" / "verify_log.py").read_bytes()
    assert "verify_log.py" in served.headers["content-disposition"] and served.headers["x-content-type-options"] == "nosniff"
