"""Who is calling: bearer keys, stored only as SHA-256 hashes, each bound to a role (and an agency).

Roles:
- ``agency``: an outside agency. Its requests are made in its name: the requester agency comes from
  the key, never from the body.
- ``desk``: the department's own request desk, entering requests that arrived on paper or by phone;
  it names the requesting agency in the body.
- ``oversight``: inspector general or commission staff: reads decisions, submits nothing.
- ``admin``: manages keys and reads the clear text behind the log's pseudonyms.

A key is ``sk_<key id>_<secret>``; the key id is public (it names the key in logs and admin
listings), the secret is 32 random bytes. Keys have full entropy, so a single SHA-256 is the right
hash (a slow password hash would only cost throughput). Demo keys are derived from the agency id so
that ``sanctuary demo-keys`` and ``sanctuary serve --demo`` agree without storing clear keys.

``authenticate`` is the one reading of ``Authorization: Bearer <key>``, for the gateway, the
``/v1/authz`` hook and ``sanctuary proxy``: the principal, or a ``Refusal`` (401 or 403) saying why.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import re
import secrets
import threading
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Literal

from sanctuary import config
from sanctuary.errors import SanctuaryError
from sanctuary.models import SELF

# The one home of the roles: who holds a key (all four) and who signs in to the pages (staff).
StaffRole = Literal["desk", "oversight", "admin"]
Role = Literal["agency", StaffRole]
STAFF_ROLES: tuple[StaffRole, ...] = ("desk", "oversight", "admin")
ROLES: tuple[Role, ...] = ("agency", *STAFF_ROLES)
DESK_ROLES: tuple[StaffRole, ...] = ("desk", "admin")  # may enter requests at the desk
OVERSIGHT_ROLES: tuple[StaffRole, ...] = ("oversight", "admin")  # may read and verify the whole log
ADMIN_ROLES: tuple[StaffRole, ...] = ("admin",)  # may issue, list and revoke keys
AGENCY_ROLES: tuple[Role, ...] = ("agency",)  # an outside agency: calls a department system (proxy, hook)
SUBMIT_ROLES: tuple[Role, ...] = ("agency", "desk")  # may submit a request to POST /v1/requests
DEMO_AGENCIES = ("ICE-ERO", "ICE-HSI", "CBP", "FBI", "USMS", "ISP", "CCSO", "EPD")
_DEMO_SECRET = b"sanctuary demo keys: public, for local demonstrations only"
_KEY = re.compile(r"^sk_([a-z0-9]{1,24})_([A-Za-z0-9_-]{16,64})$")


class CredentialError(SanctuaryError, ValueError):
    """A key file or key request that is wrong; names the field."""


@dataclass(frozen=True)
class Principal:
    key_id: str
    role: Role
    agency: str | None  # registry id, for role "agency"
    label: str
    sha256: str
    created: str


@dataclass(frozen=True)
class Refusal:
    """Why a call's key is refused, before anything is read or recorded: 401 (no key; an unknown or
    malformed one: ``unknown``) or 403 (a key whose role may not make the call)."""

    status: Literal[401, 403]
    reason: str
    unknown: bool = False  # a key was sent and is not one of ours (worth a warning in the events)
    field: str = "Authorization"

    @property
    def headers(self) -> dict[str, str] | None:
        """The challenge a 401 carries (RFC 6750)."""
        return {"WWW-Authenticate": "Bearer"} if self.status == 401 else None


def write_private(path: Path, rows: list[dict]) -> None:
    """Write rows as JSON readable by the owner only, atomically (write aside, chmod, rename)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(rows, indent=2), encoding="utf-8")
    os.chmod(tmp, 0o600)
    tmp.replace(path)


def key_hash(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def keys_file() -> Path:
    return config.keys_dir() / "gateway-keys.json"


def demo_key(name: str) -> str:
    """The demo key of an agency id or staff role: derived, so every demo install has the same ones."""
    slug = re.sub(r"[^a-z0-9]", "", name.lower())[:20]
    secret = hmac.new(_DEMO_SECRET, name.encode(), hashlib.sha256).hexdigest()[:32]
    return f"sk_demo{slug}_{secret}"


def demo_keys() -> dict[str, str]:
    """{agency id or staff role: key} for the demo principals."""
    return {name: demo_key(name) for name in (*DEMO_AGENCIES, *STAFF_ROLES)}


class KeyRing:
    """The accepted keys, by hash. Persisted (hashes only) in a JSON file when given a path."""

    def __init__(self, path: Path | None = None) -> None:
        self.path = path
        self._by_hash: dict[str, Principal] = {}
        self._transient: set[str] = set()  # demo keys: accepted, never written to the file
        self._lock = threading.Lock()
        if path is not None and path.exists():
            self._load(path)

    def _load(self, path: Path) -> None:
        try:
            rows = json.loads(path.read_text(encoding="utf-8"))
            for row in rows:
                principal = Principal(**row)
                if principal.role not in ROLES:
                    raise CredentialError("role", f"{principal.role!r} is not one of {', '.join(ROLES)}")
                self._by_hash[principal.sha256] = principal
        except (OSError, ValueError, TypeError) as exc:
            if isinstance(exc, CredentialError):
                raise
            raise CredentialError(str(path), f"cannot read the key file: {exc}") from exc

    def _save(self) -> None:
        if self.path is not None:
            write_private(self.path, [asdict(p) for h, p in self._by_hash.items() if h not in self._transient])

    def authenticate(self, key: str) -> Principal | None:
        return self._by_hash.get(key_hash(key)) if _KEY.match(key) else None

    def add(self, key: str, role: Role, agency: str | None, label: str) -> Principal:
        match = _KEY.match(key)
        if match is None:
            raise CredentialError("key", "not of the form sk_<id>_<secret>")
        if role not in ROLES:
            raise CredentialError("role", f"{role!r} is not one of {', '.join(ROLES)}")
        if (role == "agency") != (agency is not None):
            raise CredentialError("agency", "an agency key names its agency; staff keys name none")
        if agency == SELF:  # its holder could bind herself to anyone: the department binds her, at the desk
            raise CredentialError("agency", f"no key speaks for {SELF}: a person's own request is entered at the desk")
        principal = Principal(
            key_id=match.group(1),
            role=role,
            agency=agency,
            label=label[:200],
            sha256=key_hash(key),
            created=datetime.now(UTC).isoformat(timespec="seconds"),
        )
        with self._lock:
            self._by_hash[principal.sha256] = principal
        return principal

    def issue(self, role: Role, agency: str | None, label: str) -> tuple[str, Principal]:
        """Make, store (hashed) and return a new key; the clear key is shown once, here."""
        key = f"sk_{secrets.token_hex(4)}_{secrets.token_urlsafe(32)}"
        principal = self.add(key, role, agency, label)
        with self._lock:
            self._save()
        return key, principal

    def revoke(self, key_id: str) -> bool:
        with self._lock:
            hashes = [h for h, p in self._by_hash.items() if p.key_id == key_id]
            for h in hashes:
                del self._by_hash[h]
            self._save()
        return bool(hashes)

    def principals(self) -> list[Principal]:
        return sorted(self._by_hash.values(), key=lambda p: p.key_id)

    def add_demo_keys(self) -> dict[str, str]:
        keys = demo_keys()
        for name, key in keys.items():
            staff = name in STAFF_ROLES
            principal = self.add(key, name if staff else "agency", None if staff else name, f"demo {name}")  # type: ignore[arg-type]
            self._transient.add(principal.sha256)
        return keys


def authenticate(keys: KeyRing, header: str | None, roles: tuple[Role, ...], action: str = "do this") -> Principal | Refusal:
    """The principal behind ``Authorization: Bearer <key>`` if its role is one of ``roles``, else
    why not; ``action`` names what the call does in the 403's reason. An agency key that names no
    agency is refused (fail closed: it must never act as a desk key that names any agency)."""
    if not header:
        return Refusal(401, "missing; send Authorization: Bearer <key>")
    scheme, _, key = header.partition(" ")
    principal = keys.authenticate(key.strip()) if scheme.lower() == "bearer" else None
    if principal is None:
        return Refusal(401, "unknown or malformed key", unknown=True)
    if principal.role not in roles:
        return Refusal(403, f"a {principal.role} key may not {action}; it needs {' or '.join(roles)}")
    if principal.role == "agency" and principal.agency is None:
        return Refusal(403, "this agency key names no agency (a damaged key file); issue it again")
    return principal
