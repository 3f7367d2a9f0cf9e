"""What a data request may disclose, with one Cedar request per acting agency.

The reference answer (`reference`) asks Cedar `disclose` once per leaf data category and acting
agency: about 30 requests for each agency judged. But a Cedar policy can only tell two categories
apart by the category entities it names (`resource in Category::"status"`, `[...].contains(resource)`):
a Category has no attributes, and nothing else in a request holds one. So the leaves fall into a
few classes that every policy treats alike, and what a policy says about a class follows from the
policy with `resource` (and `action`, which is `disclose`) replaced by what they are for it.

`Disclosure.compile` builds, once per policy set, a *shadow* set of forbids evaluated with the
decision's own request (the request's action, for each acting agency):
  - every policy again, with its own scope, as a forbid: whether the request satisfies it, from
    which Cedar's answer to the request follows (allowed: a permit satisfied, no forbid);
  - every policy that applies to `disclose`, once for each different thing it says about a class
    of leaves, its `resource` and `action` replaced by constants: satisfied exactly when the
    policy is, for those leaves.
  - each of the `conditions` it is given (the duties' conditions, `duties.book`) as a forbid with
    scope `(principal, action, resource)`: whether it holds for the request, reported with the
    judgement, so the duties a request triggers cost no second batch.
All are forbids, so Cedar reports every one the request satisfies, and evaluates each exactly as
it would the policy (the same expressions, in the same order, short cuts and errors included);
any error in a rule's shadow fails the decision closed, as in the reference; an error in a
condition's only counts as the condition holding (a duty is never silently dropped). A request that
is not a data request is judged by the first kind (and the conditions) alone. A set whose rules use
`resource` or `action` other than by naming entities cannot be compiled: it is judged by the
reference.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import cedarpy

from sanctuary.errors import SanctuaryError
from sanctuary.policy.categories import Vocabulary
from sanctuary.policy.engine import Evaluation, PolicyEngine, Query
from sanctuary.policy.facts import Facts

DISCLOSE = "disclose"
# leaf -> [(agency id, the forbids that withhold it from that agency)], agencies in the order judged
Withheld = dict[str, list[tuple[str, list[str]]]]


@dataclass(frozen=True)
class Judgement:
    """A request judged for each acting agency: its action, and (a data request) the leaves withheld."""

    actions: tuple[Evaluation, ...]  # one per acting agency, in order
    withheld: Withheld
    errors: tuple[str, ...]  # any: the decision fails closed
    # The indexes of the conditions compiled with the set that hold (or erred) for any acting agency;
    # None: not asked (the reference: the caller asks them itself).
    conditions: frozenset[int] | None = None


def reference(engine: PolicyEngine, acting: Sequence[str], action: str, resource: str, facts: Facts, data: bool) -> Judgement:
    """The answer by definition: the action for each agency, and `disclose` asked of every leaf."""
    queries = [Query(a, action, resource) for a in acting]
    if data:
        queries += [Query(a, DISCLOSE, leaf, "Category") for leaf in engine.leaves for a in acting]
    evaluations = engine.evaluate_all(queries, facts)
    errors = tuple(e for ev in evaluations for e in ev.errors)
    withheld: Withheld = {}
    for query, ev in zip(queries[len(acting) :], evaluations[len(acting) :], strict=True):
        if not ev.allowed:
            forbids = [r for r in ev.rules if engine.rules[r].effect == "forbid"]
            withheld.setdefault(query.resource, []).append((query.principal, forbids))
    return Judgement(tuple(evaluations[: len(acting)]), withheld, errors)


class Opaque(SanctuaryError):
    """A policy reads `resource` or `action` in a way that cannot be replaced by a constant."""

    def __init__(self, reason: str) -> None:
        super().__init__("policy", reason)


@dataclass(frozen=True)
class _Class:
    leaves: tuple[str, ...]
    permits: tuple[tuple[str, str], ...]  # (shadow id, rule id) of the permits that speak for these leaves
    forbids: tuple[tuple[str, str], ...]


class Disclosure:
    """A policy set compiled for one Cedar request per acting agency (see the module's docstring)."""

    def __init__(
        self,
        engine: PolicyEngine,
        policies: cedarpy.PolicySet,
        actions: cedarpy.PolicySet,
        action_roles: dict[str, list[str]],
        classes: list[_Class],
        conditions: dict[str, list[int]],
    ):
        self.engine = engine
        self.policies = policies  # every shadow: what a data request is judged by
        self.actions = actions  # the rules' own shadows and the conditions: what any other request is judged by
        self.action_roles = action_roles  # shadow id -> the original policies (cedarpy's ids) it stands for, for the action
        self.classes = classes
        self.conditions = conditions  # shadow id -> the indexes of the conditions it stands for
        self._rule_shadows = set(action_roles) | {sid for k in classes for sid, _ in (*k.permits, *k.forbids)}

    @classmethod
    def compile(cls, engine: PolicyEngine, conditions: Sequence[str] = ()) -> Disclosure | None:
        """The shadow set of `engine`'s policies, with `conditions` (Cedar `when` expressions, over
        the same schema), or None when a rule or a condition cannot be compiled."""
        est = json.loads(cedarpy.policies_to_json_str(engine.policy_text))["staticPolicies"]
        vocab = engine.vocabulary
        shadow: dict[str, str] = {}  # canonical JSON of a shadow policy -> its id
        shadows: dict[str, dict[str, Any]] = {}
        action_roles: dict[str, list[str]] = {}

        def add(policy: dict[str, Any]) -> str:
            key = json.dumps(policy, sort_keys=True)
            if key not in shadow:
                shadow[key] = f"s{len(shadow)}"
                shadows[shadow[key]] = policy
            return shadow[key]

        per_leaf: dict[str, list[tuple[str, str]]] = {leaf: [] for leaf in engine.leaves}  # leaf -> [(shadow id, policy id)]
        try:
            for pid, policy in est.items():
                plain = {k: v for k, v in policy.items() if k != "annotations"}
                action_roles.setdefault(add({**plain, "effect": "forbid"}), []).append(pid)
                for leaf in engine.leaves:
                    fixed = _for_leaf(plain, leaf, vocab)
                    if fixed is not None:
                        per_leaf[leaf].append((add({**fixed, "effect": "forbid"}), pid))
        except Opaque:
            return None
        by_condition: dict[str, list[int]] = {}
        if conditions:
            try:
                text = "\n".join(f"forbid (principal, action, resource) when {{ {c} }};" for c in conditions)
                parsed = json.loads(cedarpy.policies_to_json_str(text))["staticPolicies"]
            except Exception:  # noqa: BLE001 - a condition Cedar will not parse: the reference judges
                return None
            for i in range(len(conditions)):
                sid = add({k: v for k, v in parsed[f"policy{i}"].items() if k != "annotations"})
                by_condition.setdefault(sid, []).append(i)
        by_signature: dict[tuple[tuple[str, str], ...], list[str]] = {}
        for leaf in engine.leaves:
            by_signature.setdefault(tuple(per_leaf[leaf]), []).append(leaf)
        classes = []
        for signature, leaves in by_signature.items():
            permits = tuple((sid, pid) for sid, pid in signature if engine.rules_by_policy[pid].effect == "permit")
            forbids = tuple((sid, pid) for sid, pid in signature if engine.rules_by_policy[pid].effect == "forbid")
            classes.append(_Class(tuple(leaves), permits, forbids))
        try:
            policies = _policy_set(shadows)
            actions = _policy_set({sid: shadows[sid] for sid in shadows if sid in action_roles or sid in by_condition})
        except Exception:  # noqa: BLE001 - a shadow set Cedar will not take: the reference judges
            return None
        return cls(engine, policies, actions, action_roles, classes, by_condition)

    def judge(self, acting: Sequence[str], action: str, resource: str, facts: Facts, data: bool = True) -> Judgement:
        """The request's action, the conditions and (`data`) every leaf's `disclose`, for each acting
        agency: one request each."""
        engine = self.engine
        results = engine.authorize([Query(a, action, resource) for a in acting], facts, self.policies if data else self.actions)
        if isinstance(results, str):  # the engine failed: fail closed, every condition holds
            every = {i for indexes in self.conditions.values() for i in indexes}
            return Judgement(tuple(Evaluation(False, (), (results,)) for _ in acting), {}, (results,), self._held(every))
        actions = []
        errors: list[str] = []
        held: set[int] = set()
        rules_by_policy = engine.rules_by_policy
        rank = engine.rank
        per_class: list[list[tuple[str, list[str]]]] = [[] for _ in self.classes]
        for agency, result in zip(acting, results, strict=True):
            diag = result.diagnostics
            own = [str(e) for e in diag.errors if self._rule_error(str(e))]
            errors.extend(own)
            satisfied = set(diag.reasons)
            for sid, indexes in self.conditions.items():
                if sid in satisfied or any(f"`{sid}`" in str(e) for e in diag.errors):
                    held.update(indexes)
            fired = [rules_by_policy[pid] for s in satisfied for pid in self.action_roles.get(s, ())]
            permits = [r.id for r in fired if r.effect == "permit"]
            forbids = [r.id for r in fired if r.effect == "forbid"]
            allowed = bool(permits) and not forbids and not own
            rules = tuple(sorted(permits if permits and not forbids else forbids, key=rank))
            actions.append(Evaluation(allowed, rules, tuple(own)))
            for withheld, klass in zip(per_class, self.classes, strict=True) if data else ():
                against = sorted({rules_by_policy[pid].id for sid, pid in klass.forbids if sid in satisfied}, key=rank)
                if against or not any(sid in satisfied for sid, _ in klass.permits):
                    withheld.append((agency, against))
        out: Withheld = {}
        for withheld, klass in zip(per_class, self.classes, strict=True):
            if withheld:
                for leaf in klass.leaves:
                    out[leaf] = list(withheld)
        return Judgement(tuple(actions), {leaf: out[leaf] for leaf in sorted(out)}, tuple(errors), self._held(held))

    def _held(self, indexes: set[int]) -> frozenset[int] | None:
        return frozenset(indexes) if self.conditions else None

    def _rule_error(self, error: str) -> bool:
        """Whether an error Cedar reports is a rule's (the decision fails closed), not only a condition's."""
        named = [sid for sid in self.conditions if f"`{sid}`" in error]
        return not named or any(sid in self._rule_shadows for sid in named)


def judge(
    engine: PolicyEngine, disclosure: Disclosure | None, acting: Sequence[str], action: str, resource: str, facts: Facts, data: bool
) -> Judgement:
    """The judgement of a request: compiled when the set compiles, else the reference."""
    if disclosure is not None:
        return disclosure.judge(acting, action, resource, facts, data)
    return reference(engine, acting, action, resource, facts, data)


def _policy_set(shadows: dict[str, dict[str, Any]]) -> cedarpy.PolicySet:
    return cedarpy.PolicySet.from_json_str(json.dumps({"staticPolicies": shadows, "templates": {}, "templateLinks": []}))


# -- replacing `resource` and `action` by what they are for one leaf and `disclose` --------------


def _for_leaf(policy: dict[str, Any], leaf: str, vocab: Vocabulary) -> dict[str, Any] | None:
    """`policy` as it reads when `disclose` is asked of `leaf`, with scope `(principal, action,
    resource)` and constants for `resource` and `action`; None when it cannot be satisfied then.
    Conditions are evaluated in order (scope first), so only leading constant conditions are
    dropped: what follows a condition Cedar evaluates is kept whole, errors and all."""
    if not _scope_holds(policy["action"], "Action", lambda e: e == DISCLOSE):
        return None
    if not _scope_holds(policy["resource"], "Category", lambda e: _in_category(leaf, e, vocab)):
        return None
    group = vocab.categories[leaf].group
    env = {
        "resource": ("Category", lambda e: _in_category(leaf, e, vocab), (leaf, *([group] if group else []))),
        "action": ("Action", lambda e: e == DISCLOSE, (DISCLOSE,)),
    }
    conditions: list[dict[str, Any]] = []
    for condition in policy.get("conditions", []):
        body = _fold(_substitute(condition["body"], env))
        if not conditions and isinstance(body, dict) and set(body) == {"Value"} and isinstance(body["Value"], bool):
            if body["Value"] != (condition["kind"] == "when"):
                return None  # a leading condition that fails: never satisfied for this leaf
            continue  # a leading condition that holds: nothing to evaluate
        conditions.append({"kind": condition["kind"], "body": body})
    return {**policy, "action": {"op": "All"}, "resource": {"op": "All"}, "conditions": conditions}


def _in_category(leaf: str, entity: str, vocab: Vocabulary) -> bool:
    """`Category::leaf in Category::entity`: the leaf itself or its group."""
    return entity == leaf or vocab.categories[leaf].group == entity


def _scope_holds(scope: dict[str, Any], kind: str, holds: Any) -> bool:
    op = scope["op"]
    if op == "All":
        return True
    if op in ("==", "in") and "entity" in scope and scope["entity"].get("type") == kind:
        return bool(holds(scope["entity"]["id"]))
    if op == "in" and "entities" in scope and all(e.get("type") == kind for e in scope["entities"]):
        return any(holds(e["id"]) for e in scope["entities"])
    raise Opaque(f"{kind} scope {op}")


def _entity(node: Any, kind: str) -> str | None:
    """The id of an entity literal of type `kind`, else None."""
    if isinstance(node, dict) and set(node) == {"Value"} and isinstance(node["Value"], dict):
        entity = node["Value"].get("__entity")
        if isinstance(entity, dict) and entity.get("type") == kind:
            return str(entity["id"])
    return None


def _entities(node: Any, kind: str) -> list[str] | None:
    """The ids of a set of entity literals of type `kind`, else None."""
    if isinstance(node, dict) and set(node) == {"Set"}:
        ids = [_entity(item, kind) for item in node["Set"]]
        return None if any(i is None for i in ids) else [i for i in ids if i is not None]
    return None


def _var(node: Any, env: dict[str, Any]) -> str | None:
    if isinstance(node, dict) and set(node) == {"Var"} and node["Var"] in env:
        return str(node["Var"])
    return None


def _substitute(node: Any, env: dict[str, tuple[str, Any, tuple[str, ...]]]) -> Any:
    """`node` with each test of a variable in `env` against entity literals replaced by its value, and
    `var in <expression>` (a fact holding a set of entities, `context.compelled`) by
    `<expression>.containsAny([what the variable is in])`: the leaf and its group, the only entities a
    category is in. The schema types such a fact `Set<Category>` (every policy validates at load); were
    it one entity, `containsAny` would err and the decision fail closed."""
    if isinstance(node, list):
        return [_substitute(item, env) for item in node]
    if not isinstance(node, dict):
        return node
    if _var(node, env):
        raise Opaque(f"{node['Var']} read otherwise than against entities")
    for op in ("==", "!=", "in"):
        args = node.get(op)
        if isinstance(args, dict) and set(args) == {"left", "right"}:
            for var_side, lit_side in (("left", "right"), ("right", "left")):
                name = _var(args[var_side], env)
                if name is None or (op == "in" and var_side == "right"):
                    continue
                kind, holds, within = env[name]
                one = _entity(args[lit_side], kind)
                many = _entities(args[lit_side], kind) if op == "in" else None
                if one is not None:
                    value = bool(holds(one))
                elif many is not None:
                    value = any(holds(e) for e in many)
                elif op == "in" and _var(args[lit_side], env) is None:
                    among = {"Set": [{"Value": {"__entity": {"type": kind, "id": e}}} for e in within]}
                    return {"containsAny": {"left": _substitute(args[lit_side], env), "right": among}}
                else:
                    raise Opaque(f"{name} {op} something other than entity literals")
                return {"Value": value if op != "!=" else not value}
    args = node.get("contains")
    if isinstance(args, dict) and set(args) == {"left", "right"}:
        name = _var(args["right"], env)
        if name is not None:
            kind, holds, _ = env[name]
            many = _entities(args["left"], kind)
            if many is None:
                raise Opaque(f"contains({name}) on something other than entity literals")
            return {"Value": any(holds(e) for e in many)}
    return {key: _substitute(value, env) for key, value in node.items()}


def _const(node: Any) -> bool | None:
    if isinstance(node, dict) and set(node) == {"Value"} and isinstance(node["Value"], bool):
        return bool(node["Value"])
    return None


def _fold(node: Any) -> Any:
    """Constant conditions folded where Cedar would not look further (`false && x`, `true || x`,
    `!true`, `if true then a else b`), and `true && x` / `false || x` to `x` (a boolean, the policy
    validates). What Cedar evaluates before a constant stays, so errors stay where they were."""
    if isinstance(node, list):
        return [_fold(item) for item in node]
    if not isinstance(node, dict):
        return node
    node = {key: _fold(value) for key, value in node.items()}
    for op, stop in (("&&", False), ("||", True)):
        args = node.get(op)
        if isinstance(args, dict) and set(args) == {"left", "right"}:
            left = _const(args["left"])
            if left is not None:
                return {"Value": stop} if left == stop else args["right"]
    args = node.get("!")
    if isinstance(args, dict) and set(args) == {"arg"} and _const(args["arg"]) is not None:
        return {"Value": not _const(args["arg"])}
    args = node.get("if-then-else")
    if isinstance(args, dict) and _const(args.get("if")) is not None:
        return args["then"] if _const(args["if"]) else args["else"]
    return node
