"""A deployment is a jurisdiction: its profiles load together, its home state makes "out of state"
relative, the declarations on file reach the rules, and a profile it needs but lacks is a clear error."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from conftest import registry, request
from sanctuary.models import parse_request
from sanctuary.pipeline import Pipeline
from sanctuary.policy.declarations import read_declarations
from sanctuary.policy.engine import PolicyEngine
from sanctuary.policy.errors import PolicyError
from sanctuary.policy.jurisdictions import jurisdictions
from sanctuary.policy.profiles import PROFILES

# A stand-in ALPR profile that reads what the real one reads: home state, parameters, declarations.
ALPR_RULE = """
@id("illinois-alpr:out-of-state") @citation("625 ILCS 5/2-130 (test stand-in)") @explain("Out-of-state, no declaration.")
@explain_es("Fuera del estado, sin declaración.")
forbid (principal, action == Action::"disclose", resource in Category::"alpr")
when { !principal.alpr_declaration && !principal.federal && principal.state != context.home_state
       && context.parameters.contains("illinois-alpr.scope=other_state") };
"""
ALPR_TOML = """title = "stand-in"
sources = ["docs/law/illinois-alpr.md"]
[parameters.scope]
default = ["other_state"]
allowed = ["other_state"]
"""


@pytest.fixture
def root(tmp_path: Path) -> Path:
    root = tmp_path / "profiles"
    shutil.copytree(PROFILES, root)
    alpr = root / "illinois-alpr"
    if alpr.exists():
        shutil.rmtree(alpr)
    alpr.mkdir()
    (alpr / "rules.cedar").write_text(ALPR_RULE)
    (alpr / "profile.toml").write_text(ALPR_TOML)
    law = tmp_path / "docs" / "law"  # the stand-in's own page, with its provenance row
    law.mkdir(parents=True)
    (law / "illinois-alpr.md").write_text(
        "# stand-in\n\n## Provenance\n\n| rule | rests on | kind | kept sources |\n|---|---|---|---|\n"
        "| `illinois-alpr:out-of-state` | 625 ILCS 5/2-130 | enacted | il-625ilcs5-2-130-bill-texts |\n"
    )
    return root


def plate(agency: str) -> dict:
    return request(
        "database_query",
        agency,
        purpose={"text": "robbery", "category": "criminal"},
        resource={"search": {"type": "plate", "plate": "DEMO123"}},
        # a 287(g) agency's criminal purpose is shown by a judge's warrant, not by its own statement
        documents=[
            {"type": "judicial_warrant", "court": "Circuit Court of Polk County, Florida", "signed_by": "Judge M. Ortiz", "criminal": True}
        ],
    )


def test_a_jurisdiction_whose_profile_is_missing_is_a_clear_policy_error(tmp_path: Path) -> None:
    root = tmp_path / "profiles"
    shutil.copytree(PROFILES, root)
    shutil.rmtree(root / "illinois-alpr", ignore_errors=True)
    with pytest.raises(PolicyError, match="illinois-alpr not installed"):
        PolicyEngine.for_jurisdiction("chicago", registry(), root=root)
    with pytest.raises(PolicyError, match="unknown jurisdiction"):
        PolicyEngine.for_jurisdiction("gotham", registry(), root=root)


def test_the_jurisdiction_loads_its_profiles_and_home_state(root: Path) -> None:
    engine = PolicyEngine.for_jurisdiction("chicago", registry(), root=root)
    assert engine.names == list(jurisdictions().get("chicago").profiles)
    assert engine.home_state == "IL" and engine.label.startswith("chicago (")
    pipeline = Pipeline(engine, trusted=True)
    assert pipeline.decide(parse_request(plate("Polk County FL SO"))).decision == "deny"  # FL: out of state
    assert pipeline.decide(parse_request(plate("Evanston PD"))).decision == "permit"  # IL: home
    # "out of state" is relative: the same rules deployed in Florida
    florida = PolicyEngine(engine.profiles, registry(), home_state="FL", root=root)
    assert Pipeline(florida, trusted=True).decide(parse_request(plate("Polk County FL SO"))).decision == "permit"
    assert Pipeline(florida, trusted=True).decide(parse_request(plate("Evanston PD"))).decision == "deny"


def test_a_declaration_on_file_reaches_the_rules_and_changes_the_policy_hash(root: Path, tmp_path: Path) -> None:
    csv = tmp_path / "declarations.csv"
    csv.write_text("Agency,State,Signed\nPolk County Sheriff's Office,FL,2024-02-01\nNo Such Office,TX,2024-01-01\n")
    on_file = read_declarations(csv, registry())
    assert on_file.agencies == {"FL-POLK-SO"} and on_file.unresolved == ("No Such Office",)
    without = PolicyEngine.for_jurisdiction("chicago", registry(), root=root)
    with_it = PolicyEngine.for_jurisdiction("chicago", registry(), root=root, declarations=on_file.agencies)
    assert Pipeline(with_it, trusted=True).decide(parse_request(plate("Polk County FL SO"))).decision == "permit"
    assert without.policy_hash != with_it.policy_hash


def test_a_declaration_described_in_a_request_is_a_claim(root: Path) -> None:
    body = {**plate("Polk County FL SO"), "documents": [{"type": "other", "text": "Signed declaration under 625 ILCS 5/2-130"}]}
    d = Pipeline(PolicyEngine.for_jurisdiction("chicago", registry(), root=root)).decide(parse_request(body))
    assert d.decision == "deny" and d.claims == ["documents[0]: other"]


def test_a_declarations_file_without_an_agency_column_is_refused(tmp_path: Path) -> None:
    bad = tmp_path / "d.csv"
    bad.write_text("who,when\nx,y\n")
    with pytest.raises(PolicyError, match="no column naming the agency"):
        read_declarations(bad, registry())


def test_decide_takes_its_input_as_the_departments_unless_as_requester(tmp_path: Path) -> None:
    import json

    from typer.testing import CliRunner

    from sanctuary.cli import app

    line = json.dumps(request("detainee_access", "ICE-ERO", subject={"person_id": "P0000001", "gang_database": True}))
    runner = CliRunner()
    department = json.loads(runner.invoke(app, ["decide", "-p", "chicago-2012", "-"], input=line + "\n").stdout)
    assert department["decision"] == "permit" and department["facts_source"].startswith("department statement")
    outside = json.loads(runner.invoke(app, ["decide", "--as-requester", "-p", "chicago-2012", "-"], input=line + "\n").stdout)
    assert outside["decision"] == "deny" and outside["claims"] == ["subject.gang_database"]


def test_decide_with_a_jurisdiction_and_extra_profiles() -> None:
    """Until the illinois-alpr profile is installed the jurisdiction does not load, and says why."""
    import json

    from typer.testing import CliRunner

    from sanctuary.cli import app

    line = json.dumps(plate("Evanston PD"))
    result = CliRunner().invoke(app, ["decide", "-j", "chicago", "-p", "chicago-2019-proposed-eo", "-"], input=line + "\n")
    decision = json.loads(result.stdout.splitlines()[-1])
    installed = (PROFILES / "illinois-alpr" / "profile.toml").is_file()
    if installed:
        assert decision["profiles"] == [
            *jurisdictions().get("chicago").profiles,
            "chicago-2012",
            "chicago-2019-mayoral",
            "chicago-2019-proposed-eo",
        ]
    else:
        assert decision["decision"] == "deny" and "illinois-alpr not installed" in decision["error"]


def test_with_neither_a_jurisdiction_nor_profiles_every_server_decides_under_the_configured_default(tmp_path: Path) -> None:
    """The gateway's and the proxy's configurations default to the deployment's jurisdiction (city,
    state and ALPR law together), never to the city's profile alone."""
    from sanctuary.gateway.app import GatewayConfig
    from sanctuary.gateway.services import load_policy
    from sanctuary.proxy.app import ProxyConfig

    place = jurisdictions().get()
    for cfg in (GatewayConfig(), ProxyConfig(upstream="http://127.0.0.1:9", routes=None)):
        policy = load_policy(cfg.profiles, cfg.params, cfg.agencies, jurisdiction=cfg.jurisdiction)
        assert policy.engine is not None and policy.engine.jurisdiction == place.name
        assert set(place.profiles) <= set(policy.engine.names) and len(place.profiles) > 1


def test_a_jurisdictions_file_that_does_not_load_is_a_pipeline_that_denies(monkeypatch: pytest.MonkeyPatch) -> None:
    from sanctuary import pipeline
    from sanctuary.pipeline import Unloaded, load_pipeline

    def broken(jurisdiction: str | None, profiles: object) -> str | None:
        raise PolicyError("jurisdictions.toml", "does not parse")

    monkeypatch.setattr(pipeline, "in_force", broken)
    path = load_pipeline([], registry())
    assert isinstance(path, Unloaded) and "jurisdictions.toml" in path.error
    decision = path.decide(parse_request(plate("FBI")))
    assert decision.decision == "deny" and decision.failure is not None
