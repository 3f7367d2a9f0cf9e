"""The independent readings (`policy/readings/<table>.toml`), run against the rules.

Each table was written from the statute texts in docs/law/sources/ by a reader who had not seen the
rules (src/sanctuary/policy/readings/README.md). A row is a request with the decision the reader found in the
text, the clause that controls it, and what is withheld or released. `run` decides every row as the
department's own tool decides (`sanctuary decide`: what the request says counts as the department's
statement) under the law the table names (`under`: a jurisdiction, or profiles) and says where the
rules and the reading disagree:

- the decision (permit / deny);
- the clause, where the reading denies: the row's clause and one of the decision's citations agree
  when one is a prefix of the other, each taken without its closing note (`MCC 2-173-042(a)(3)`
  agrees with `MCC 2-173-042(a)(1)-(3) (2012)`, `5 ILCS 805/15 (access and transfer)` with
  `5 ILCS 805/15(a)`);
- the categories the row says are withheld (each must be) and released (none may be).

A disagreement is settled from the text, never by editing the expectation to fit the code: the rule
is fixed, or the row's reason says why the reading was wrong, or the open point becomes a named
parameter. A row not yet settled is listed by id in `readings/open/<table>.txt`, one a line with
why; a listed row that agrees is reported too (`stale`), so the list only shrinks.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sanctuary.agencies import Registry
from sanctuary.models import Decision
from sanctuary.policy.errors import PolicyError

READINGS = Path(__file__).parent / "readings"
OPEN = READINGS / "open"
_ROW_KEYS = {"name", "expect", "clause", "reason", "open_point", "released", "withheld", "duties", "request"}
# A closing note: a parenthesis after a space ("(2012)", "(text not retrieved)") or holding words.
_NOTE = re.compile(r"(?:\s+\([^()]*\)|\s*\([^()]*\s[^()]*\))\s*$")
_PLACE = re.compile(r"^(?:Cal\.|N\.Y\.|Wash\.|Or\.|Ore\.|Ill\.)\s*")  # "Cal. Gov. Code" is "Gov. Code"
_RANGE = re.compile(r"\([^()]*\)-\([^()]*\)$")  # "(a)(1)-(3)": the clause is "(a)"
_CODE = re.compile(r"^Veh\.\s*&\s*Traf\.\s*Law\b")  # New York's Vehicle and Traffic Law is "VTL"


@dataclass(frozen=True)
class Row:
    id: str
    name: str
    expect: str
    clause: str
    request: dict[str, Any]
    withheld: tuple[str, ...] = ()
    released: tuple[str, ...] = ()


@dataclass(frozen=True)
class Table:
    name: str
    jurisdiction: str | None
    profiles: tuple[str, ...]
    rows: tuple[Row, ...]


@dataclass
class Outcome:
    row: Row
    decision: Decision
    problems: list[str]

    @property
    def agrees(self) -> bool:
        return not self.problems


@dataclass
class Report:
    table: str
    outcomes: list[Outcome] = field(default_factory=list)
    listed_open: frozenset[str] = frozenset()

    @property
    def disagreements(self) -> list[Outcome]:
        return [o for o in self.outcomes if not o.agrees]

    @property
    def unlisted(self) -> list[Outcome]:
        """Disagreements not listed as open: each one a failure."""
        return [o for o in self.disagreements if o.row.id not in self.listed_open]

    @property
    def stale(self) -> list[str]:
        """Rows listed as open that agree (or that the table no longer holds)."""
        disagreeing = {o.row.id for o in self.disagreements}
        return sorted(self.listed_open - disagreeing)

    @property
    def ok(self) -> bool:
        return not (self.unlisted or self.stale)

    def to_dict(self) -> dict[str, Any]:
        return {
            "table": self.table,
            "ok": self.ok,
            "rows": len(self.outcomes),
            "disagree": len(self.disagreements),
            "listed_open": len(self.listed_open),
            "unlisted": [{"id": o.row.id, "name": o.row.name, "problems": o.problems} for o in self.unlisted],
            "stale": self.stale,
        }


def tables(root: Path = READINGS) -> list[str]:
    return sorted(p.stem for p in root.glob("*.toml"))


def tables_for(name: str, root: Path = READINGS) -> list[str]:
    """The tables `policy test NAME` runs: the one named NAME, if any."""
    return [name] if (root / f"{name}.toml").is_file() else []


def load(name: str, root: Path = READINGS) -> Table:
    path = root / f"{name}.toml"
    try:
        doc = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise PolicyError("table", f"no reading named {name!r}; known: {', '.join(tables(root))}") from None
    except tomllib.TOMLDecodeError as exc:
        raise PolicyError(str(path), str(exc)) from None
    under = doc.get("table", {}).get("under", {})
    if not (under.get("jurisdiction") or under.get("profiles")):
        raise PolicyError(f"{path} table.under", "names neither a jurisdiction nor profiles")
    rows = []
    for i, spec in enumerate(doc.get("scenario", []), 1):
        where = f"{path} scenario {i}"
        unknown = set(spec) - _ROW_KEYS
        if unknown:
            raise PolicyError(where, f"unknown key(s) {sorted(unknown)}")
        for key in ("name", "expect", "clause", "reason", "request"):
            if key not in spec:
                raise PolicyError(where, f"{key}: required")
        if spec["expect"] not in ("permit", "deny"):
            raise PolicyError(where, f"expect: {spec['expect']!r} is not permit or deny")
        request = dict(spec["request"])
        if not request.get("id"):
            raise PolicyError(f"{where} request.id", "required (rows are named by it)")
        rows.append(
            Row(
                id=request["id"],
                name=spec["name"],
                expect=spec["expect"],
                clause=spec["clause"],
                request=request,
                withheld=tuple(spec.get("withheld", ())),
                released=tuple(spec.get("released", ())),
            )
        )
    ids = [r.id for r in rows]
    if len(set(ids)) != len(ids):
        raise PolicyError(str(path), f"request ids repeat: {sorted({i for i in ids if ids.count(i) > 1})}")
    return Table(name, under.get("jurisdiction"), tuple(under.get("profiles", ())), tuple(rows))


def listed_open(name: str, root: Path = READINGS) -> frozenset[str]:
    """The ids `open/<name>.txt` lists (one a line, `id  why`; `#` starts a comment)."""
    path = root / "open" / f"{name}.txt"
    if not path.is_file():
        return frozenset()
    lines = (line.split("#", 1)[0].strip() for line in path.read_text(encoding="utf-8").splitlines())
    return frozenset(line.split()[0] for line in lines if line)


def run(name: str, registry: Registry, root: Path = READINGS) -> Report:
    """Decide every row of table `name` under the law it names and compare."""
    from sanctuary.pipeline import Pipeline
    from sanctuary.policy.engine import PolicyEngine

    table = load(name, root)
    if table.jurisdiction:
        engine = PolicyEngine.for_jurisdiction(table.jurisdiction, registry, extra_profiles=table.profiles)
    else:
        engine = PolicyEngine.load(list(table.profiles), registry)
    pipeline = Pipeline(engine, trusted=True)
    report = Report(name, listed_open=listed_open(name, root))
    for row in table.rows:
        _, decision = pipeline.decide_raw(row.request)
        report.outcomes.append(Outcome(row, decision, problems(row, decision)))
    return report


def problems(row: Row, d: Decision) -> list[str]:
    """Where the decision and the reading disagree (empty: they agree)."""
    out = []
    if d.error:
        out.append(f"refused before deciding: {d.error}")
    if d.decision != row.expect:
        out.append(f"decided {d.decision}, the reading says {row.expect} ({row.clause}): {d.explanation}")
    elif d.decision == "deny" and not any(clause_agrees(row.clause, c) for c in d.citations):
        out.append(f"the reading cites {row.clause!r}; the decision cites {list(d.citations)}")
    if d.decision == "permit" == row.expect:
        missing = sorted(set(row.withheld) - set(d.redact))
        leaked = sorted(set(row.released) & set(d.redact))
        if missing:
            out.append(f"released {missing}, which the reading withholds")
        if leaked:
            out.append(f"withheld {leaked}, which the reading releases")
    return out


def clause_agrees(clause: str, citation: str) -> bool:
    """Whether a reading's clause and a rule's citation name the same clause (one a prefix of the
    other, each without its closing note in words, spaces ignored)."""
    a, b = _core(clause), _core(citation)
    return bool(a and b) and (a.startswith(b) or b.startswith(a))


def _core(text: str) -> str:
    previous = None
    while previous != text:
        previous, text = text, _NOTE.sub("", text)
    text = _CODE.sub("VTL", _PLACE.sub("", _RANGE.sub("", text)))
    return re.sub(r"\s+", "", text).replace("§", "").replace("Sec.", "").lower()
