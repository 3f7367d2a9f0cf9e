"""The log's keys, under `sanctuary.config.keys_dir()`.

- `log.key`: the Ed25519 signing key, in the signed-note private key form
  `PRIVATE+KEY+name+hexid+base64(0x01 || seed)`; its name is the checkpoint origin.
- `log.vkey`: the matching verifier key `name+hexid+base64(0x01 || public key)`, for oversight.
- `hmac.key`: 32 random bytes keying the HMAC-SHA-256 that hides personal identifiers in entries.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
import secrets
from dataclasses import dataclass
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from sanctuary import config
from sanctuary.audit.errors import AuditError
from sanctuary.audit.verifier import ED25519, VerifierKey, key_id, sign_line

SIGNING_FILE = "log.key"
VERIFIER_FILE = "log.vkey"
HMAC_FILE = "hmac.key"


@dataclass(frozen=True)
class Signer:
    name: str
    private: Ed25519PrivateKey

    @property
    def vkey(self) -> VerifierKey:
        public = self.private.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)
        return VerifierKey(self.name, key_id(self.name, public), public)

    def sign_note(self, text: str) -> str:
        """A C2SP signed note: the text, a blank line, one Ed25519 signature line."""
        vkey = self.vkey
        return text + "\n" + sign_line(self.name, vkey.key_id, self.private.sign(text.encode()))


def _write_private(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as f:
        f.write(data)


def generate(name: str, keys_dir: Path | None = None) -> Signer:
    """Create the signing key for log `name`; refuse to replace an existing one."""
    if not name or any(c.isspace() for c in name) or "+" in name:
        raise AuditError("name", "a log name must be non-empty, without spaces or '+' (e.g. example.org/decisions)")
    folder = keys_dir or config.keys_dir()
    path = folder / SIGNING_FILE
    if path.exists():
        raise AuditError("key", f"{path} already exists; a log keeps one key (remove it by hand to start a new log)")
    signer = Signer(name, Ed25519PrivateKey.generate())
    seed = signer.private.private_bytes_raw()
    text = f"PRIVATE+KEY+{name}+{signer.vkey.key_id.hex()}+{base64.b64encode(bytes([ED25519]) + seed).decode()}\n"
    _write_private(path, text.encode())
    (folder / VERIFIER_FILE).write_text(str(signer.vkey) + "\n")
    return signer


def load_signer(keys_dir: Path | None = None) -> Signer:
    path = (keys_dir or config.keys_dir()) / SIGNING_FILE
    try:
        text = path.read_text().strip()
    except OSError:
        raise AuditError("key", f"no signing key at {path}: run `sanctuary audit keygen NAME`") from None
    parts = text.removeprefix("PRIVATE+KEY+").split("+", 2)  # names hold no '+'; base64 may
    try:
        if not text.startswith("PRIVATE+KEY+") or len(parts) != 3:
            raise ValueError("not a PRIVATE+KEY+name+hexid+base64 line")
        raw = base64.b64decode(parts[2], validate=True)
        if len(raw) != 33 or raw[0] != ED25519:
            raise ValueError("not an Ed25519 seed")
        signer = Signer(parts[0], Ed25519PrivateKey.from_private_bytes(raw[1:]))
    except ValueError as exc:
        raise AuditError("key", f"{path} is damaged: {exc}") from None
    if signer.vkey.key_id.hex() != parts[1]:
        raise AuditError("key", f"{path} is damaged: key ID does not match the key")
    return signer


def hmac_key(keys_dir: Path | None = None) -> bytes:
    """The identifier-hiding key; created on first use."""
    path = (keys_dir or config.keys_dir()) / HMAC_FILE
    try:
        if not path.exists():
            try:
                _write_private(path, secrets.token_bytes(32))
            except FileExistsError:
                pass
        key = path.read_bytes()
    except OSError as exc:
        raise AuditError("key", f"cannot create or read {path}: {exc}") from None
    if len(key) != 32:
        raise AuditError("key", f"{path} must hold 32 bytes")
    return key


def pseudonym(key: bytes, value: str) -> str:
    """Keyed HMAC-SHA-256 of an identifier, base64: equal values match, the value stays hidden."""
    return base64.b64encode(hmac.new(key, value.encode(), hashlib.sha256).digest()).decode()
