"""The policy engine: legal profiles compiled to one Cedar policy set, evaluated fail-closed.

Cedar skips a policy whose evaluation errors, so a broken `forbid` would let a request through.
This engine treats any evaluation error, any NoDecision and any failure to build the request as a
deny. Profiles are validated against the schema at load; a set that fails does not load.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import cedarpy

from sanctuary.agencies import Registry
from sanctuary.policy.categories import VOCABULARY_PATH, Vocabulary, vocabulary
from sanctuary.policy.errors import PolicyError
from sanctuary.policy.facts import Facts
from sanctuary.policy.jurisdictions import jurisdictions
from sanctuary.policy.profiles import KINDS, PROFILES, ROOT, Profile, baseline_parameters, expand, provenance

SCHEMA_PATH = ROOT / "schema.cedarschema"
BASELINE_PATH = ROOT / "baseline" / "baseline.cedar"
HOME_STATE = "IL"  # the home state of profiles decided without a jurisdiction (which names its own)
DEFAULT_DENY = "No permitting rule (default deny)"
CONTEXTS = 4096  # Cedar contexts kept serialised (facts repeat: a few booleans and a short list)
STATED_PURPOSE = ".stated_purpose"  # the profile parameter deciding `stated_crime` (policy.immigration)
LIFTS = "lifts_presumption"
SELF_REQUEST = "context.self_request"  # the fact a profile that speaks for a person's own request reads
SUBJECT_FACTS = (
    "context.carveout",
    "context.felony_conviction",
    "context.subject_records",
)  # facts read from the records about the subject


@dataclass(frozen=True)
class Rule:
    """One Cedar policy with the annotations that make it citable."""

    id: str
    profile: str
    effect: str  # permit | forbid
    citation: str
    explain: str
    explain_es: str
    source: str  # file it came from
    text: str


@dataclass(frozen=True)
class Query:
    """One Cedar request about a request's facts: who, doing what, to what."""

    principal: str
    action: str
    resource: str
    resource_type: str = "Resource"


@dataclass(frozen=True)
class Evaluation:
    allowed: bool
    rules: tuple[str, ...]  # determining policy @ids
    errors: tuple[str, ...]


class PolicyEngine:
    """A loaded, validated policy set for one composition of profiles."""

    def __init__(
        self,
        profiles: list[Profile],
        registry: Registry,
        params: Mapping[str, Iterable[str]] | None = None,
        *,
        root: Path = PROFILES,
        validate: bool = True,
        extra_policies: str = "",
        home_state: str = HOME_STATE,
        jurisdiction: str | None = None,
        declarations: Iterable[str] = (),
    ):
        self.profiles = profiles
        self.names = [p.name for p in profiles]
        self.registry = registry
        self.params = _resolve_params(profiles, params or {})
        self.home_state = home_state
        self.jurisdiction = jurisdiction
        self.declarations = frozenset(declarations)  # agency ids with a 625 ILCS 5/2-130 declaration on file
        self.vocabulary: Vocabulary = vocabulary()
        self.leaves: tuple[str, ...] = tuple(sorted(self.vocabulary.categories))
        schema_text = SCHEMA_PATH.read_text(encoding="utf-8")
        vocabulary_text = VOCABULARY_PATH.read_text(encoding="utf-8")
        sources = [("baseline/baseline.cedar", BASELINE_PATH.read_text(encoding="utf-8"))]
        sources += [f for p in profiles for f in p.files]
        if extra_policies:
            sources.append(("<extra>", extra_policies))
        self.rules_by_policy = _compile_rules(sources)
        self.rules = {r.id: r for r in self.rules_by_policy.values()}
        _check_provenance(profiles, self.rules.values(), root)
        self._rank = {rid: i for i, rid in enumerate(self.rules)}
        text = "\n".join(t for _, t in sources)
        self.policy_text = text  # the whole set, in load order (cedarpy's ids policy0, policy1, ... follow it)
        if validate:
            result = cedarpy.validate_policies(text, schema_text)
            if not result.validation_passed:
                first = result.errors[0]
                rule = self.rules_by_policy.get(first.policy_id)
                where = f"{rule.source} {rule.id}" if rule else first.policy_id
                raise PolicyError(where, f"does not validate against the schema: {first.error}")
        try:
            self._schema = cedarpy.Schema.from_str(schema_text)
            self._policies = cedarpy.PolicySet.from_str(text)
            entities = _entities(registry, self.vocabulary, self.declarations)
            self._entities = cedarpy.Entities.from_json_str(json.dumps(entities), schema=self._schema)
        except Exception as exc:  # cedarpy raises plain exceptions on bad input
            raise PolicyError("policy set", str(exc)) from None
        blob = json.dumps(
            {
                "schema": schema_text,
                "vocabulary": vocabulary_text,
                "sources": sources,
                "home_state": home_state,
                "declarations": sorted(self.declarations),
                "params": {k: sorted(v) for k, v in self.params.items()},
                "registry": registry.digest(),
            },
            sort_keys=True,
        )
        self.policy_hash = hashlib.sha256(blob.encode()).hexdigest()
        self._parameters = sorted(f"{k}={v}" for k, values in self.params.items() for v in values)
        self.dropped_carveouts = frozenset(c for k, v in self.params.items() if k.endswith(".dropped_carveouts") for c in v)
        # Whether a criminal purpose the requester states (declared, or in words: claims) lifts the
        # 287(g)/ERO presumption of `immigration_purpose`: only where every profile in force that
        # speaks to it (declares `stated_purpose`) turns it on; none speaking: the restrictive default.
        spoken = [v for k, v in self.params.items() if k.endswith(STATED_PURPOSE)]
        self.stated_crime = bool(spoken) and all(LIFTS in v for v in spoken)
        # Whether a person's request for her own records (requester models.SELF) may be opened: only
        # where every profile in force speaks to it (a rule of each reads `context.self_request`); one
        # silent refuses her (fail closed), so adding a profile never turns a deny into a permit.
        self.self_requests = bool(profiles) and all(
            any(SELF_REQUEST in r.text for r in self.rules.values() if r.profile == p.name) for p in profiles
        )
        # Whether any rule in force reads facts about the subject: only then are the records consulted.
        self.reads_subject = any(fact in r.text for r in self.rules.values() for fact in SUBJECT_FACTS)
        self._contexts: dict[Facts, str] = {}
        self.requests_sent = 0  # Cedar requests and batches sent since load (bench/decide.py, make bench-quick)
        self.batches_sent = 0

    @classmethod
    def load(
        cls, names: list[str], registry: Registry, params: Mapping[str, Iterable[str]] | None = None, *, root: Path = PROFILES
    ) -> PolicyEngine:
        if not names:
            raise PolicyError("profile", "at least one profile is required")
        return cls(expand(names, root), registry, params, root=root)

    @classmethod
    def for_jurisdiction(
        cls,
        name: str | None,
        registry: Registry,
        params: Mapping[str, Iterable[str]] | None = None,
        *,
        extra_profiles: Iterable[str] = (),
        declarations: Iterable[str] = (),
        root: Path = PROFILES,
    ) -> PolicyEngine:
        """The profiles in force together in a jurisdiction (default: the shipped default), with its
        home state; `extra_profiles` are composed on top. A profile it names that is not installed is
        a PolicyError that says so."""
        place = jurisdictions().get(name)
        names = list(dict.fromkeys([*place.profiles, *extra_profiles]))
        missing = [n for n in names if not (root / n / "profile.toml").is_file()]
        if missing:
            raise PolicyError(
                "jurisdiction",
                f"{place.name}: profile(s) {', '.join(missing)} not installed; the jurisdiction cannot be enforced without them",
            )
        return cls(
            expand(names, root),
            registry,
            params,
            root=root,
            home_state=place.home_state,
            jurisdiction=place.name,
            declarations=declarations,
        )

    @property
    def label(self) -> str:
        """How decisions name the law in force: the jurisdiction, or the composed profiles."""
        return f"{self.jurisdiction} ({' + '.join(self.names)})" if self.jurisdiction else " + ".join(self.names)

    def context(self, facts: Facts) -> dict[str, Any]:
        """The Cedar context of a request: its facts, and the jurisdiction's home state."""
        return {**facts.cedar_context, "home_state": self.home_state, "parameters": self._parameters}

    def rank(self, rule_id: str) -> int:
        """A rule's place in the loaded set (baseline first, then profiles in order): cite in that order."""
        return self._rank[rule_id]

    def evaluate_all(self, queries: list[Query], facts: Facts, policies: cedarpy.PolicySet | None = None) -> list[Evaluation]:
        """Decide Cedar requests about one set of facts in one call to the engine, in order.

        Any error, NoDecision or binding failure is a deny. `policies` replaces the loaded set with
        another one over the same schema and entities (the duty triggers, sanctuary.duties)."""
        results = self.authorize(queries, facts, policies)
        if isinstance(results, str):
            return [Evaluation(False, (), (results,))] * len(queries)
        return [self._evaluation(r) for r in results]

    def authorize(self, queries: list[Query], facts: Facts, policies: cedarpy.PolicySet | None = None) -> list[cedarpy.AuthzResult] | str:
        """Cedar's answers to `queries` in one batch (the one place the engine asks Cedar, counted in
        `requests_sent` and `batches_sent`), in order; or why there are none."""
        context = self._contexts.get(facts)
        if context is None:  # serialised once per set of facts (cedarpy would json.dumps it per request)
            if len(self._contexts) >= CONTEXTS:
                self._contexts.clear()
            context = self._contexts[facts] = json.dumps(self.context(facts))
        requests = [
            {
                "principal": {"type": "Agency", "id": q.principal},
                "action": {"type": "Action", "id": q.action},
                "resource": {"type": q.resource_type, "id": q.resource},
                "context": context,
            }
            for q in queries
        ]
        self.requests_sent += len(requests)
        self.batches_sent += 1
        try:
            results = cedarpy.is_authorized_batch(requests, policies or self._policies, self._entities, self._schema)
        except Exception as exc:  # fail closed on anything the binding raises
            return f"evaluation failed: {exc}"
        if len(results) != len(queries):
            return "evaluation failed: the engine answered a different number of requests"
        return results

    def _evaluation(self, result: cedarpy.AuthzResult) -> Evaluation:
        diag = result.diagnostics
        rules = tuple(sorted((self.rules_by_policy[p].id for p in diag.reasons if p in self.rules_by_policy), key=self._rank.__getitem__))
        errors = tuple(str(e) for e in diag.errors)
        allowed = result.decision == cedarpy.Decision.Allow and not errors
        return Evaluation(allowed, rules, errors)


def _compile_rules(sources: list[tuple[str, str]]) -> dict[str, Rule]:
    """Map cedarpy's positional policy ids (policy0, ...) to citable rules; refuse uncitable ones."""
    rules: dict[str, Rule] = {}
    seen: dict[str, str] = {}
    offset = 0
    for source, text in sources:
        try:
            est = json.loads(cedarpy.policies_to_json_str(text))["staticPolicies"]
        except Exception as exc:
            raise PolicyError(source, f"does not parse: {exc}") from None
        profile = source.split("/", 1)[0]
        for i in range(len(est)):
            pol = est[f"policy{i}"]
            ann = pol.get("annotations", {})
            rid = ann.get("id")
            if not rid:
                raise PolicyError(source, f"policy #{i + 1}: @id annotation required")
            for needed in ("citation", "explain", "explain_es"):
                if not ann.get(needed):
                    raise PolicyError(source, f"{rid}: @{needed} annotation required")
            if profile not in ("<extra>",) and not rid.startswith(_id_prefix(profile)):
                raise PolicyError(source, f"{rid}: @id must start with {_id_prefix(profile)!r}")
            if rid in seen:
                raise PolicyError(source, f"{rid}: @id already used in {seen[rid]}")
            seen[rid] = source
            rules[f"policy{offset + i}"] = Rule(
                id=rid,
                profile=profile,
                effect=pol["effect"],
                citation=ann["citation"],
                explain=ann["explain"],
                explain_es=ann.get("explain_es", ""),
                source=source,
                text=_policy_text(pol),
            )
        offset += len(est)
    return rules


def _check_provenance(profiles: list[Profile], rules: Iterable[Rule], root: Path) -> None:
    """Refuse a profile's rule whose source page gives no provenance row (profiles.provenance)."""
    rows = {rid: row for p in profiles for rid, row in provenance(p, root).items()}
    ours = {p.name for p in profiles}
    for rule in rules:
        if rule.profile in ours and rule.id not in rows:
            raise PolicyError(
                f"{rule.source} {rule.id}",
                "its source page (docs/law/, named in the profile's sources) has no provenance row: "
                "name the enacted text it rests on and its kind (" + ", ".join(KINDS) + ")",
            )


def _id_prefix(profile: str) -> str:
    """Rule ids carry their profile: `chicago-2021:...`; the proposed EO's rules say `proposed-eo-2019:`."""
    return {"baseline": "baseline:", "chicago-2019-proposed-eo": "proposed-eo-2019:"}.get(profile, f"{profile}:")


def _policy_text(pol: dict[str, Any]) -> str:
    """Cedar's own rendering of one policy, for `policy show` and the policy pages."""
    est = {"staticPolicies": {"policy0": pol}, "templates": {}, "templateLinks": []}
    return cedarpy.policies_from_json_str(json.dumps(est)).strip()


def _entities(registry: Registry, vocab: Vocabulary, declarations: frozenset[str]) -> list[dict[str, Any]]:
    out = []
    for a in registry:
        out.append(
            {
                "uid": {"type": "Agency", "id": a.id},
                "attrs": {
                    "federal": a.federal,
                    "law_enforcement": a.law_enforcement,
                    "immigration_enforcement": a.immigration_enforcement,
                    "has_287g": a.has_287g,
                    "relays_to_dhs": a.relays_to_dhs,
                    "state": a.state,
                    "alpr_declaration": a.id in declarations,
                    "public_agency": a.level != "private",
                },
                "parents": [{"type": "Agency", "id": a.parent}] if a.parent else [],
            }
        )
    for group in vocab.groups:
        out.append({"uid": {"type": "Category", "id": group}, "attrs": {}, "parents": []})
    for leaf in vocab.categories.values():
        out.append({"uid": {"type": "Category", "id": leaf.name}, "attrs": {}, "parents": [{"type": "Category", "id": leaf.group}]})
    return out


def _resolve_params(profiles: list[Profile], given: Mapping[str, Iterable[str]]) -> dict[str, frozenset[str]]:
    """Parameters: `profile.name` (and the department's `baseline.name`) -> values, defaults filled in,
    unknown names and values refused."""
    declared = {f"baseline.{n}": spec for n, spec in baseline_parameters().items()}
    declared |= {f"{p.name}.{n}": spec for p in profiles for n, spec in p.parameters.items()}
    for key in given:
        if key not in declared:
            raise PolicyError("parameter", f"unknown parameter {key!r}; loaded profiles declare: {', '.join(sorted(declared)) or 'none'}")
    out = {}
    for key, spec in declared.items():
        values = frozenset(given.get(key, spec.default))
        bad = values - set(spec.allowed) if spec.allowed else frozenset()
        if bad:
            raise PolicyError("parameter", f"{key}: {', '.join(sorted(bad))} not allowed; one of {', '.join(spec.allowed)}")
        if not spec.several and len(values) != 1:
            given_values = ", ".join(sorted(values)) or "none"
            raise PolicyError("parameter", f"{key}: takes exactly one of {', '.join(spec.allowed)} (given: {given_values})")
        out[key] = values
    return out
