"""A pack's scenario table (`profiles/<name>/scenarios.toml`): requests written from the statute
text, each with the decision the law gives and the rule it shows firing or not firing.

`run` decides every scenario under the pack (with the packs it extends), or under the pack and the
packs a scenario names in `with` (laws in force together), and reports, besides failures, the
coverage that makes a table worth having: each of the pack's own rules shown both ways — once where
it decides (a deny, or a redaction for a disclosure rule) and once where it must not. A scenario may
exercise a rule of a pack it extends or is composed `with`. `sanctuary policy test NAME` prints the
report; `make test` runs every shipped pack's table.

Scenarios are decided as the department's own tool decides (`sanctuary decide`): what the request
says about the subject and the documents it shows count, as the department's statement.

A scenario:

    [[scenario]]
    name = "ICE asks for a release date"         # what the statute text says, in a line
    expect = "deny"                              # permit | deny
    rule = "california:7284-6-a1c-release"       # the rule it exercises
    fires = true                                 # optional; default: expect == "deny"
    redact = ["home_address"]                    # optional: exactly these categories withheld
    duties = ["california:truth-copy"]           # optional: exactly these duties triggered
    params = { "california.discretion_7282_5" = ["transfer"] }  # optional: parameters for this one
    with = ["illinois-trust"]                    # optional: packs in force with this one
    declarations = ["FL-POLK-SO"]                # optional: agencies whose 625 ILCS 5/2-130 declaration is on file
    home_state = "FL"                            # optional: the state the law is read in (default: Illinois)
    request = { kind = "custody_inquiry", requester = { agency = "ICE-ERO" }, resource = { fields = ["release_date"] } }
"""

from __future__ import annotations

import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sanctuary.agencies import Registry
from sanctuary.agencies.states import state_code
from sanctuary.models import Decision
from sanctuary.policy.errors import PolicyError
from sanctuary.policy.profiles import PROFILES

FILENAME = "scenarios.toml"
_KEYS = {"name", "expect", "rule", "fires", "redact", "duties", "params", "with", "declarations", "home_state", "request"}


@dataclass(frozen=True)
class Scenario:
    number: int
    name: str
    request: dict[str, Any]
    expect: str
    rule: str
    fires: bool
    redact: tuple[str, ...] | None = None
    duties: tuple[str, ...] | None = None
    params: tuple[tuple[str, tuple[str, ...]], ...] = ()
    together: tuple[str, ...] = ()  # `with`: the packs in force with this one
    declarations: tuple[str, ...] = ()  # agencies whose 625 ILCS 5/2-130 declaration is on file
    home_state: str | None = None  # the state the law is read in; None: the engine's default


@dataclass
class Result:
    scenario: Scenario
    decision: Decision
    duties: tuple[str, ...]
    problems: list[str]

    @property
    def ok(self) -> bool:
        return not self.problems


@dataclass
class Report:
    profile: str
    rules: list[str]  # the pack's own forbid rules
    results: list[Result] = field(default_factory=list)
    unknown_rules: list[str] = field(default_factory=list)  # scenarios naming a rule the law they are decided under lacks

    def shown(self, fires: bool) -> set[str]:
        return {r.scenario.rule for r in self.results if r.ok and r.scenario.fires is fires}

    @property
    def never_fired(self) -> list[str]:
        return [r for r in self.rules if r not in self.shown(True)]

    @property
    def never_spared(self) -> list[str]:
        return [r for r in self.rules if r not in self.shown(False)]

    @property
    def failed(self) -> list[Result]:
        return [r for r in self.results if not r.ok]

    @property
    def ok(self) -> bool:
        return not (self.failed or self.never_fired or self.never_spared or self.unknown_rules)

    def to_dict(self) -> dict[str, Any]:
        return {
            "profile": self.profile,
            "ok": self.ok,
            "scenarios": len(self.results),
            "failed": [
                {"number": r.scenario.number, "name": r.scenario.name, "problems": r.problems, "decision": r.decision.decision}
                for r in self.failed
            ],
            "rules": self.rules,
            "never_fired": self.never_fired,
            "never_spared": self.never_spared,
            "unknown_rules": self.unknown_rules,
        }


def load(profile: str, root: Path = PROFILES) -> list[Scenario]:
    path = root / profile / FILENAME
    try:
        doc = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise PolicyError(str(path), "no scenario table (run `sanctuary policy new` for a template)") from None
    except tomllib.TOMLDecodeError as exc:
        raise PolicyError(str(path), str(exc)) from None
    out = []
    for i, spec in enumerate(doc.get("scenario", []), 1):
        where = f"{path} scenario {i}"
        unknown = set(spec) - _KEYS
        if unknown:
            raise PolicyError(where, f"unknown key(s) {sorted(unknown)}")
        for key in ("name", "expect", "rule", "request"):
            if key not in spec:
                raise PolicyError(where, f"{key}: required")
        if spec["expect"] not in ("permit", "deny"):
            raise PolicyError(where, f"expect: {spec['expect']!r} is not permit or deny")
        if not isinstance(spec["request"], Mapping):
            raise PolicyError(where, "request: must be a table")
        together = spec.get("with", [])
        if not isinstance(together, list) or not all(isinstance(p, str) for p in together):
            raise PolicyError(where, "with: must be a list of pack names")
        declarations = spec.get("declarations", [])
        if not isinstance(declarations, list) or not all(isinstance(a, str) for a in declarations):
            raise PolicyError(where, "declarations: must be a list of agency ids")
        home_state = spec.get("home_state")
        if home_state is not None and (not isinstance(home_state, str) or state_code(home_state) != home_state):
            raise PolicyError(where, f"home_state: {home_state!r} is not a US state or territory code")
        request = {"id": f"{profile}-scenario-{i}", **spec["request"]}
        out.append(
            Scenario(
                number=i,
                name=spec["name"],
                request=request,
                expect=spec["expect"],
                rule=spec["rule"],
                fires=bool(spec.get("fires", spec["expect"] == "deny")),
                redact=tuple(spec["redact"]) if "redact" in spec else None,
                duties=tuple(spec["duties"]) if "duties" in spec else None,
                params=tuple(sorted((k, tuple(v)) for k, v in spec.get("params", {}).items())),
                together=tuple(together),
                declarations=tuple(sorted(declarations)),
                home_state=home_state,
            )
        )
    if not out:
        raise PolicyError(str(path), "no [[scenario]] entries")
    return out


def run(profile: str, registry: Registry, root: Path = PROFILES) -> Report:
    """Decide every scenario of `profile` under that pack (and those it names in `with`, with the
    declarations on file and the home state it names) and check it."""
    from sanctuary.pipeline import Pipeline, build_pipeline

    pipelines: dict[tuple, Pipeline] = {}

    def pipeline_for(s: Scenario | None) -> Pipeline:
        key = (s.together, s.params, s.declarations, s.home_state) if s else ((), (), (), None)
        if key not in pipelines:
            together, params, declared, home_state = key
            pipelines[key] = build_pipeline(
                [profile, *together],
                registry,
                {k: list(v) for k, v in params},
                declared=declared,
                home_state=home_state,
                trusted=True,
                root=root,
            )
        return pipelines[key]

    engine = pipeline_for(None).engine
    own = [r.id for r in engine.rules.values() if r.profile == profile and r.effect == "forbid"]
    report = Report(profile, own)
    ids = {a.id for a in registry}
    for scenario in load(profile, root):
        unknown = [a for a in scenario.declarations if a not in ids]
        if unknown:
            raise PolicyError(f"{profile} scenario {scenario.number}", f"declarations: unknown agency {unknown}")
        pipeline = pipeline_for(scenario)
        rule = pipeline.engine.rules.get(scenario.rule)
        if rule is None or rule.effect != "forbid":
            report.unknown_rules.append(scenario.rule)
        _, decision = pipeline.decide_raw(scenario.request)
        duties = tuple(decision.duties or ())
        report.results.append(Result(scenario, decision, duties, _problems(scenario, decision, duties, pipeline.engine.rules)))
    return report


def _problems(s: Scenario, d: Decision, duties: tuple[str, ...], rules: Mapping[str, Any]) -> list[str]:
    problems = []
    if d.error:
        problems.append(f"error: {d.error}")
    if d.decision != s.expect:
        problems.append(f"decided {d.decision}, expected {s.expect}: {d.explanation}")
    fired = s.rule in d.rules
    if fired != s.fires:
        problems.append(f"{s.rule} {'fired' if fired else 'did not fire'}; expected it {'to' if s.fires else 'not to'}")
    if fired and s.rule in rules and rules[s.rule].citation not in d.citations:
        problems.append(f"{s.rule} fired but its citation is not among the decision's")
    if s.redact is not None and sorted(d.redact) != sorted(s.redact):
        problems.append(f"withheld {sorted(d.redact)}, expected {sorted(s.redact)}")
    if s.duties is not None and sorted(duties) != sorted(s.duties):
        problems.append(f"triggered duties {sorted(duties)}, expected {sorted(s.duties)}")
    return problems
