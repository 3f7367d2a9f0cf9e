"""The policy engine: legal profiles compiled to one Cedar policy set, evaluated fail-closed.

Cedar skips a policy whose evaluation errors, so a broken `forbid` would let a request through.
This engine treats any evaluation error, any NoDecision and any failure to build the request as a
deny. Profiles are validated against the schema at load; a set that fails does not load.
"""

from __future__ import annotations

import hashlib
import json
import tomllib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import cedarpy

from sanctuary.agencies import Registry
from sanctuary.policy.errors import PolicyError
from sanctuary.policy.facts import Facts
from sanctuary.policy.profiles import PROFILES, ROOT, Profile, expand

SCHEMA_PATH = ROOT / "schema.cedarschema"
BASELINE_PATH = ROOT / "baseline" / "baseline.cedar"
FIELDS_PATH = ROOT / "fields.toml"
DEFAULT_DENY = "No permitting rule (default deny)"


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
    ):
        self.profiles = profiles
        self.names = [p.name for p in profiles]
        self.registry = registry
        self.params = _resolve_params(profiles, params or {})
        schema_text = SCHEMA_PATH.read_text(encoding="utf-8")
        fields_text = FIELDS_PATH.read_text(encoding="utf-8")
        sources = [("baseline/baseline.cedar", BASELINE_PATH.read_text(encoding="utf-8"))]
        sources += [f for p in profiles for f in p.files]
        if extra_policies:
            sources.append(("<extra>", extra_policies))
        self.rules_by_policy = _compile_rules(sources)
        self.rules = {r.id: r for r in self.rules_by_policy.values()}
        self._rank = {rid: i for i, rid in enumerate(self.rules)}
        text = "\n".join(t for _, t in sources)
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
            self.fields = _read_fields(fields_text)
            entities = _entities(registry, self.fields)
            self._entities = cedarpy.Entities.from_json_str(json.dumps(entities), schema=self._schema)
        except Exception as exc:  # cedarpy raises plain exceptions on bad input
            raise PolicyError("policy set", str(exc)) from None
        blob = json.dumps(
            {
                "schema": schema_text,
                "fields": fields_text,
                "sources": sources,
                "params": {k: sorted(v) for k, v in self.params.items()},
                "registry": registry.digest(),
            },
            sort_keys=True,
        )
        self.policy_hash = hashlib.sha256(blob.encode()).hexdigest()
        self.dropped_carveouts = frozenset(c for k, v in self.params.items() if k.endswith(".dropped_carveouts") for c in v)

    @classmethod
    def load(
        cls, names: list[str], registry: Registry, params: Mapping[str, Iterable[str]] | None = None, *, root: Path = PROFILES
    ) -> PolicyEngine:
        if not names:
            raise PolicyError("profile", "at least one profile is required")
        return cls(expand(names, root), registry, params, root=root)

    def evaluate_all(self, queries: list[Query], facts: Facts) -> list[Evaluation]:
        """Decide Cedar requests about one set of facts in one call to the engine, in order.

        Any error, NoDecision or binding failure is a deny."""
        context = facts.cedar_context
        requests = [
            {
                "principal": {"type": "Agency", "id": q.principal},
                "action": {"type": "Action", "id": q.action},
                "resource": {"type": q.resource_type, "id": q.resource},
                "context": context,
            }
            for q in queries
        ]
        try:
            results = cedarpy.is_authorized_batch(requests, self._policies, self._entities, self._schema)
        except Exception as exc:  # fail closed on anything the binding raises
            return [Evaluation(False, (), (f"evaluation failed: {exc}",))] * len(queries)
        if len(results) != len(queries):
            return [Evaluation(False, (), ("evaluation failed: the engine answered a different number of requests",))] * len(queries)
        return [self._evaluation(r) for r in results]

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
            for needed in ("citation", "explain"):
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


def _id_prefix(profile: str) -> str:
    """Rule ids carry their profile: `chicago-2021:...`; the proposed EO's rules say `proposed-eo-2019:`."""
    return {"baseline": "baseline:", "chicago-2019-proposed-eo": "proposed-eo-2019:"}.get(profile, f"{profile}:")


def _policy_text(pol: dict[str, Any]) -> str:
    """Cedar's own rendering of one policy, for `policy show` and the policy pages."""
    est = {"staticPolicies": {"policy0": pol}, "templates": {}, "templateLinks": []}
    return cedarpy.policies_from_json_str(json.dumps(est)).strip()


def _read_fields(text: str) -> dict[str, str]:
    doc = tomllib.loads(text)
    return {name: spec["group"] for name, spec in doc.get("field", {}).items()}


def _entities(registry: Registry, fields: dict[str, str]) -> list[dict[str, Any]]:
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
                },
                "parents": [{"type": "Agency", "id": a.parent}] if a.parent else [],
            }
        )
    for group in sorted(set(fields.values())):
        out.append({"uid": {"type": "Field", "id": group}, "attrs": {}, "parents": []})
    for name, group in fields.items():
        out.append({"uid": {"type": "Field", "id": name}, "attrs": {}, "parents": [{"type": "Field", "id": group}]})
    return out


def _resolve_params(profiles: list[Profile], given: Mapping[str, Iterable[str]]) -> dict[str, frozenset[str]]:
    """Profile parameters: `profile.name` -> values, defaults filled in, unknown names and values refused."""
    declared = {f"{p.name}.{n}": spec for p in profiles for n, spec in p.parameters.items()}
    for key in given:
        if key not in declared:
            raise PolicyError("parameter", f"unknown parameter {key!r}; loaded profiles declare: {', '.join(sorted(declared)) or 'none'}")
    out = {}
    for key, spec in declared.items():
        values = frozenset(given.get(key, spec.default))
        bad = values - set(spec.allowed) if spec.allowed else frozenset()
        if bad:
            raise PolicyError("parameter", f"{key}: {', '.join(sorted(bad))} not allowed; one of {', '.join(spec.allowed)}")
        out[key] = values
    return out
