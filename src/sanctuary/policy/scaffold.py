"""`sanctuary policy new NAME`: a new pack to fill in — profile.toml, a rule file carrying every
annotation a rule needs, a scenario table that shows the rule both ways, and a docs/law/ page for
the sources. It passes `sanctuary policy test NAME` as written, so a city starts from green and
changes one thing at a time (docs/profiles.md walks through it)."""

from __future__ import annotations

import re
from pathlib import Path

from sanctuary.policy.errors import PolicyError
from sanctuary.policy.profiles import PROFILES

NAME = re.compile(r"^[a-z][a-z0-9]*(?:-[a-z0-9]+)*$")

PROFILE = '''title = "{title}"
in_force = "YYYY-MM-DD to date"
extends = []
sources = [
  "The official text, with its address (https://...)",
  "docs/law/{name}.md",
]
notes = """
How the pack reads the law's words in the registry's terms (which agencies, which documents), and
every point the sources do not settle. Each unverified point is a parameter below, never a guess.
"""

# An unverified point, as a named parameter a department sets (sanctuary decide --param {name}.example_reading=strict).
# [parameters.example_reading]
# default = ["strict"]
# allowed = ["strict", "broad"]
# doc = "Which reading of section __ applies. Unverified: the sources do not say."
# (exactly one value is set; a parameter that is a set of values says several = true)
'''

RULES = """// The rules of {name}: each one forbids something, cites its clause and says it in plain words,
// in English and Spanish. Facts a rule may read: policy/schema.cedarschema. A rule's @id starts
// with "{name}:".

@id("{name}:no-immigration-holds")
@citation("{title} §__ (replace with the clause)")
@explain("No one is held on an immigration detainer or an administrative warrant without a judicial criminal warrant.")
@explain_es("Nadie es retenido por una solicitud de retención migratoria o una orden administrativa sin una orden judicial penal.")
forbid (principal, action == Action::"detention_hold", resource)
when {{ context.administrative_document }}
unless {{ context.judicial_criminal_warrant }};
"""

SCENARIOS = """# Scenario table for {name}: requests written from the text of the law, each with the decision the
# law gives and the rule it shows. Every rule needs one scenario where it decides and one where it
# must not. Run: sanctuary policy test {name}

[[scenario]]
name = "The sheriff relays an I-247A immigration detainer"
expect = "deny"
rule = "{name}:no-immigration-holds"
[scenario.request]
kind = "detention_hold"
requester = {{ agency = "CCSO" }}
documents = [{{ type = "I-247A" }}]

[[scenario]]
name = "The Marshals hold a person on a judge's criminal warrant"
expect = "permit"
rule = "{name}:no-immigration-holds"
[scenario.request]
kind = "detention_hold"
requester = {{ agency = "USMS" }}
documents = [{{ type = "judicial_warrant", court = "Circuit Court of Cook County", signed_by = "Judge A. Novak", criminal = true }}]
"""

PAGE = """# {title}

Pack: `{name}`. Written in our own words from the sources below; quote only text you have retrieved,
with its address, and never a subsection letter you have not seen.

## Sources
- The official text: (address) — confirmed / secondary / unverified.

## What the law says (paraphrased)
(Each prohibition, exception and duty, in plain words.)

## How the pack encodes it
| rule | clause | what it forbids |
|---|---|---|
| `{name}:no-immigration-holds` | §__ | holds on an immigration detainer or administrative warrant, without a judicial criminal warrant |

## Unverified points
(Each one is a parameter in `profile.toml`, named and documented.)

## Provenance
(Every rule needs a row, or it does not load. Kind: enacted, proposal, press-reported directive or
department parameter. Kept sources: the ids of the texts you retrieved into docs/law/sources/.)

| rule | rests on | kind | kept sources |
|---|---|---|---|
| `{name}:no-immigration-holds` | (replace: the code section or chaptered act) | enacted | — |
"""


def scaffold(name: str, title: str = "", root: Path = PROFILES, docs: Path = Path("docs/law")) -> list[Path]:
    """Write the new pack and its page; refuses a bad name or an existing pack or page."""
    if not NAME.match(name):
        raise PolicyError("name", f"{name!r}: use lower-case letters, digits and single hyphens (e.g. evanston-2026)")
    folder, page = root / name, docs / f"{name}.md"
    for path in (folder, page):
        if path.exists():
            raise PolicyError("name", f"{path} already exists")
    values = {"name": name, "title": title or f"{name} (replace with the law's title)"}
    files = {
        folder / "profile.toml": PROFILE,
        folder / "rules.cedar": RULES,
        folder / "scenarios.toml": SCENARIOS,
        page: PAGE,
    }
    written = []
    for path, template in files.items():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(template.format(**values), encoding="utf-8")
        written.append(path)
    return written
