"""People who sign in to the pages: staff accounts (desk, oversight, admin) with scrypt password hashes.

Keys (credentials.py) are for programs; people sign in with a user name and password. Passwords are
low-entropy, so they are stored as scrypt hashes (stdlib hashlib, n=2**14, r=8, p=1, 16-byte salt),
compared in constant time, in a JSON file next to the key file. Demo users are derived from the
role name, like the demo keys, so `sanctuary serve --demo` can print them; they are never written.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import re
import secrets
import threading
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path

from sanctuary import config
from sanctuary.gateway.credentials import STAFF_ROLES, CredentialError, StaffRole, write_private

_DEMO_SECRET = b"sanctuary demo users: public, for local demonstrations only"
_NAME = re.compile(r"^[a-z][a-z0-9._-]{1,39}$")
_SCRYPT = {"n": 2**14, "r": 8, "p": 1, "maxmem": 64 * 1024 * 1024, "dklen": 32}
MIN_PASSWORD = 10


@dataclass(frozen=True)
class User:
    name: str
    role: StaffRole
    salt: str  # hex
    scrypt: str  # hex
    created: str


def users_file() -> Path:
    return config.keys_dir() / "gateway-users.json"


def password_hash(password: str, salt: bytes) -> str:
    return hashlib.scrypt(password.encode(), salt=salt, **_SCRYPT).hex()


def demo_password(role: str) -> str:
    """The demo password of a staff role (user name = role): derived, so every demo install agrees."""
    return "demo-" + hmac.new(_DEMO_SECRET, role.encode(), hashlib.sha256).hexdigest()[:12]


class UserBook:
    """Staff accounts by name. Persisted (hashes only) in a JSON file when given a path."""

    def __init__(self, path: Path | None = None) -> None:
        self.path = path
        self._users: dict[str, User] = {}
        self._transient: set[str] = set()  # demo users: accepted, never written to the file
        self._lock = threading.Lock()
        if path is not None and path.exists():
            self._load(path)

    def _load(self, path: Path) -> None:
        try:
            for row in json.loads(path.read_text(encoding="utf-8")):
                user = User(**row)
                if user.role not in STAFF_ROLES:
                    raise CredentialError("role", f"{user.role!r} is not one of {', '.join(STAFF_ROLES)}")
                self._users[user.name] = user
        except (OSError, ValueError, TypeError) as exc:
            if isinstance(exc, CredentialError):
                raise
            raise CredentialError(str(path), f"cannot read the user file: {exc}") from exc

    def _save(self) -> None:
        if self.path is not None:
            write_private(self.path, [asdict(u) for n, u in self._users.items() if n not in self._transient])

    def add(self, name: str, role: str, password: str, *, persist: bool = True) -> User:
        if not _NAME.match(name):
            raise CredentialError("name", "2-40 characters: lower-case letters, digits, '.', '_' or '-', starting with a letter")
        if role not in STAFF_ROLES:
            raise CredentialError("role", f"{role!r} is not one of {', '.join(STAFF_ROLES)}")
        if len(password) < MIN_PASSWORD:
            raise CredentialError("password", f"at least {MIN_PASSWORD} characters")
        salt = secrets.token_bytes(16)
        user = User(
            name,
            role,
            salt.hex(),
            password_hash(password, salt),
            datetime.now(UTC).isoformat(timespec="seconds"),
        )
        with self._lock:
            self._users[name] = user
            if persist:
                self._transient.discard(name)
                self._save()
            else:
                self._transient.add(name)
        return user

    def check(self, name: str, password: str) -> User | None:
        """The user if the password is theirs; the hash is computed even for unknown names."""
        user = self._users.get(name)
        salt = bytes.fromhex(user.salt) if user else b"\0" * 16
        computed = password_hash(password[:1024], salt)
        if user is None or not hmac.compare_digest(computed, user.scrypt):
            return None
        return user

    def remove(self, name: str) -> bool:
        with self._lock:
            found = self._users.pop(name, None) is not None
            self._transient.discard(name)
            self._save()
        return found

    def users(self) -> list[User]:
        return sorted(self._users.values(), key=lambda u: u.name)

    def add_demo_users(self) -> dict[str, str]:
        """{user name: password} for one demo user per staff role (the name is the role)."""
        found: dict[str, str] = {role: demo_password(role) for role in STAFF_ROLES}
        for role, password in found.items():
            self.add(role, role, password, persist=False)
        return found
