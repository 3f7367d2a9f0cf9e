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
parameter. A row settled as a parameter is listed in `readings/parameters/<table>.txt` with the
value(s) under which the rules give the reader's answer (`chi12-20  chicago-2012.inquiry_scope=custody_topics
# why`); it is decided both ways: under the defaults it must still disagree, and under the values it must
agree fully (a parameter or value the law in force does not declare is a problem too). A row not yet
settled is listed by id in `readings/open/<table>.txt`, one a line with why; a listed row that agrees
is reported too (`stale`), so the lists only shrink.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Callable
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


Params = tuple[tuple[str, tuple[str, ...]], ...]  # (parameter, values), sorted: one engine per distinct set
Decide = Callable[[dict[str, Any]], Decision]  # a row's request -> the decision `sanctuary decide` gives


@dataclass(frozen=True)
class Setting:
    """A row settled as a named parameter: the values under which the rules give the reader's answer."""

    row: str
    params: Params

    def label(self) -> str:
        return " ".join(f"{k}={','.join(v)}" for k, v in self.params)


@dataclass
class Settled:
    """A row listed in `parameters/<table>.txt`, decided under the defaults and under its values."""

    setting: Setting
    problems: list[str]  # empty: it disagrees under the defaults and agrees fully under its values

    @property
    def ok(self) -> bool:
        return not self.problems


@dataclass
class Report:
    table: str
    outcomes: list[Outcome] = field(default_factory=list)
    listed_open: frozenset[str] = frozenset()
    settled: list[Settled] = field(default_factory=list)

    @property
    def disagreements(self) -> list[Outcome]:
        return [o for o in self.outcomes if not o.agrees]

    @property
    def unlisted(self) -> list[Outcome]:
        """Disagreements listed neither as open nor as settled by a parameter: each one a failure."""
        settled = {s.setting.row for s in self.settled}
        return [o for o in self.disagreements if o.row.id not in self.listed_open | settled]

    @property
    def stale(self) -> list[str]:
        """Rows listed as open that agree (or that the table no longer holds)."""
        disagreeing = {o.row.id for o in self.disagreements}
        return sorted(self.listed_open - disagreeing)

    @property
    def unsettled(self) -> list[Settled]:
        """Rows listed as settled by a parameter that are not (see `Settled.problems`)."""
        return [s for s in self.settled if not s.ok]

    @property
    def ok(self) -> bool:
        return not (self.unlisted or self.stale or self.unsettled)

    def to_dict(self) -> dict[str, Any]:
        return {
            "table": self.table,
            "ok": self.ok,
            "rows": len(self.outcomes),
            "agree": len(self.outcomes) - len(self.disagreements),
            "disagree": len(self.disagreements),
            "settled_by_parameter": len(self.settled),
            "listed_open": len(self.listed_open),
            "unlisted": [{"id": o.row.id, "name": o.row.name, "problems": o.problems} for o in self.unlisted],
            "stale": self.stale,
            "unsettled": [{"id": s.setting.row, "params": s.setting.label(), "problems": s.problems} for s in self.unsettled],
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


def settings(name: str, root: Path = READINGS) -> list[Setting]:
    """The rows `parameters/<name>.txt` lists as settled by a parameter, one a line:
    `id  profile.name=value[,value] [profile.name=value ...]  # why` (`#` starts a comment)."""
    path = root / "parameters" / f"{name}.txt"
    if not path.is_file():
        return []
    out: list[Setting] = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        words = line.split("#", 1)[0].split()
        if not words:
            continue
        where = f"{path} line {number}"
        if len(words) < 2:
            raise PolicyError(where, f"{words[0]}: names no parameter (id  profile.name=value[,value] ...  # why)")
        params = []
        for word in words[1:]:
            key, eq, values = word.partition("=")
            if not (eq and key):
                raise PolicyError(where, f"{word!r} is not profile.name=value[,value] (or profile.name= for none)")
            params.append((key, tuple(sorted(v for v in values.split(",") if v))))
        if len({k for k, _ in params}) != len(params):
            raise PolicyError(where, "a parameter is named twice")
        out.append(Setting(words[0], tuple(sorted(params))))
    ids = [s.row for s in out]
    if len(set(ids)) != len(ids):
        raise PolicyError(str(path), f"rows listed twice: {sorted({i for i in ids if ids.count(i) > 1})}")
    return out


def run(name: str, registry: Registry, root: Path = READINGS) -> Report:
    """Decide every row of table `name` under the law it names and compare; decide each row settled by
    a parameter again under its values."""
    table = load(name, root)
    report = Report(name, listed_open=listed_open(name, root))
    decide = _decider(table, registry, ())
    for row in table.rows:
        decision = decide(row.request)
        report.outcomes.append(Outcome(row, decision, problems(row, decision)))
    by_id = {o.row.id: o for o in report.outcomes}
    deciders: dict[Params, Decide | PolicyError] = {}
    for setting in settings(name, root):
        report.settled.append(Settled(setting, _settled_problems(setting, by_id, report.listed_open, table, registry, deciders)))
    return report


def _settled_problems(
    setting: Setting,
    by_id: dict[str, Outcome],
    listed: frozenset[str],
    table: Table,
    registry: Registry,
    deciders: dict[Params, Decide | PolicyError],
) -> list[str]:
    """Why a row listed as settled by `setting` is not (empty: it is)."""
    outcome = by_id.get(setting.row)
    if outcome is None:
        return [f"the table holds no row {setting.row}"]
    if setting.row in listed:
        return [f"listed open too (open/{table.name}.txt): a row is open or settled, not both"]
    if outcome.agrees:
        return ["agrees under the defaults: no parameter is needed, take it off the list"]
    if setting.params not in deciders:
        try:
            deciders[setting.params] = _decider(table, registry, setting.params)
        except PolicyError as exc:
            deciders[setting.params] = exc
    decide = deciders[setting.params]
    if isinstance(decide, PolicyError):
        return [f"under {setting.label()}: {decide}"]
    return [f"under {setting.label()}: {p}" for p in problems(outcome.row, decide(outcome.row.request))]


def _decider(table: Table, registry: Registry, params: Params) -> Decide:
    """Decide a row's request as `sanctuary decide` does, under the table's law and `params`."""
    from sanctuary.pipeline import Pipeline
    from sanctuary.policy.engine import PolicyEngine

    given = {k: list(v) for k, v in params}
    if table.jurisdiction:
        engine = PolicyEngine.for_jurisdiction(table.jurisdiction, registry, given, extra_profiles=table.profiles)
    else:
        engine = PolicyEngine.load(list(table.profiles), registry, given)
    pipeline = Pipeline(engine, trusted=True)
    return lambda request: pipeline.decide_raw(request)[1]


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
