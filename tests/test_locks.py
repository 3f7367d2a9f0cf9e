"""The two locks: requirements.lock holds exactly what runs (the closure of pyproject.toml's
dependencies, which `make run` installs), requirements-dev.lock exactly what the extras add (tests,
benchmarks, the screen's training script), and nothing the product imports at run time is left out.

The closures are computed from the installed distributions' own metadata (their Requires-Dist,
markers evaluated for this interpreter), so a dependency that gains or drops a requirement fails here
until the locks are regenerated.
"""

from __future__ import annotations

import re
import subprocess
import sys
import tomllib
from importlib import metadata
from pathlib import Path

from packaging.requirements import Requirement

from audit_fixtures import child_env

ROOT = Path(__file__).resolve().parent.parent
PROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]


def name(text: str) -> str:
    return re.sub(r"[-_.]+", "-", text).lower()


def pins(lock: str) -> dict[str, str]:
    found: dict[str, str] = {}
    for line in (ROOT / lock).read_text(encoding="utf-8").splitlines():
        line = line.split("#", 1)[0].strip()
        if line and not line.startswith("-r "):
            package, _, version = line.partition("==")
            assert version, f"{lock}: {line!r} is not pinned"
            found[name(package)] = version
    return found


def closure(requirements: list[str]) -> set[str]:
    """Every distribution `requirements` need, with the extras they name, on this interpreter."""
    visited: set[tuple[str, str]] = set()
    todo = [(Requirement(r), "") for r in requirements]
    while todo:
        requirement, extra = todo.pop()
        if requirement.marker is not None and not requirement.marker.evaluate({"extra": extra}):
            continue
        key = name(requirement.name)
        for wanted in ("", *requirement.extras):
            if (key, wanted) not in visited:
                visited.add((key, wanted))
                todo += [(Requirement(inner), wanted) for inner in metadata.requires(key) or []]
    return {key for key, _ in visited}


def test_the_runtime_lock_is_exactly_what_the_product_depends_on() -> None:
    runtime = pins("requirements.lock")
    assert set(runtime) == closure(PROJECT["dependencies"])
    for requirement in map(Requirement, PROJECT["dependencies"]):
        pinned = str(requirement.specifier).removeprefix("==")
        assert runtime[name(requirement.name)] == pinned, f"{requirement.name}: pyproject {pinned}, lock {runtime[name(requirement.name)]}"


def test_the_dev_lock_adds_the_extras_and_nothing_twice() -> None:
    runtime, dev = pins("requirements.lock"), pins("requirements-dev.lock")
    assert (ROOT / "requirements-dev.lock").read_text(encoding="utf-8").count("-r requirements.lock") == 1
    assert set(runtime) & set(dev) == set()
    extras = [r for group, reqs in PROJECT["optional-dependencies"].items() if group != "spark" for r in reqs]
    assert set(dev) == closure(PROJECT["dependencies"] + extras) - set(runtime)
    for package, version in {**runtime, **dev}.items():
        assert metadata.version(package) == version, f"{package}: installed {metadata.version(package)}, locked {version}"
    assert "scikit-learn" in dev and "scipy" in dev and "playwright" in dev and "pandas" in dev


def test_the_spark_lock_is_exactly_what_the_spark_extra_adds() -> None:
    """Spark (one retro test) is big, so its extra has a lock of its own that `make test` adds last."""
    runtime, dev, spark = pins("requirements.lock"), pins("requirements-dev.lock"), pins("requirements-spark.lock")
    wanted = PROJECT["optional-dependencies"]["spark"]
    assert set(spark) == closure(PROJECT["dependencies"] + wanted) - set(runtime) - set(dev)
    for package, version in spark.items():
        assert metadata.version(package) == version, f"{package}: installed {metadata.version(package)}, locked {version}"


def test_every_module_imports_without_what_only_the_dev_lock_installs() -> None:
    """Every module of sanctuary but the training script imports in a process where the tests',
    benchmarks' and training tools' packages cannot be imported, as in a venv of requirements.lock
    alone (a library that uses one only when present, as pyarrow does numpy, falls back as there)."""
    dev_only = set(pins("requirements-dev.lock"))
    tops: set[str] = set()
    for dist in metadata.distributions():
        if name(dist.metadata["Name"]) in dev_only:
            tops.update((dist.read_text("top_level.txt") or "").split())
            tops.update(f.parts[0].removesuffix(".py") for f in dist.files or [] if f.suffix == ".py" and ".dist-info" not in f.parts[0])
    tops -= {"sanctuary", "tests", "bin", ".."}
    assert {"sklearn", "scipy", "numpy", "pandas", "pytest", "playwright", "hypothesis"} <= tops
    code = (
        "import importlib, importlib.abc, pkgutil, sys\n"
        f"ABSENT = {sorted(tops)!r}\n"
        "class Absent(importlib.abc.MetaPathFinder):\n"
        "    def find_spec(self, fullname, path, target=None):\n"
        "        if fullname.split('.')[0] in ABSENT:\n"
        "            raise ModuleNotFoundError(f'No module named {fullname!r} (not in requirements.lock)', name=fullname)\n"
        "sys.meta_path.insert(0, Absent())\n"
        "import sanctuary\n"
        "for m in pkgutil.walk_packages(sanctuary.__path__, 'sanctuary.'):\n"
        "    if m.name not in ('sanctuary.__main__', 'sanctuary.screening.train'):\n"
        "        importlib.import_module(m.name)\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, env=child_env(), timeout=120)
    assert done.returncode == 0, done.stderr[-3000:]
