"""The log's keys, under `sanctuary.config.keys_dir()`.

- `log.key`: the Ed25519 signing key, in the signed-note private key form
  `PRIVATE+KEY+name+hexid+base64(0x01 || seed)`; its name is the checkpoint origin.
- `log.vkey`: the matching verifier key `name+hexid+base64(0x01 || public key)`, for oversight.
- `hmac.key`: 32 random bytes keying the HMACs of entries (docs/audit.md, "What an entry holds").

A witness keeps its own key the same way (`witness.key`, `witness.vkey`, signature type 0x04).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
import secrets
import tempfile
from dataclasses import dataclass
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from sanctuary import config
from sanctuary.audit.errors import AuditError, KeyExists
from sanctuary.audit.verifier import COSIGNATURE_V1, ED25519, VerifierKey, cosigned_message, key_id, sign_line

SIGNING_FILE = "log.key"
VERIFIER_FILE = "log.vkey"
HMAC_FILE = "hmac.key"


@dataclass(frozen=True)
class Signer:
    name: str
    private: Ed25519PrivateKey
    sig_type: int = ED25519

    @property
    def vkey(self) -> VerifierKey:
        public = self.private.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)
        return VerifierKey(self.name, key_id(self.name, public, self.sig_type), public, self.sig_type)

    def sign_note(self, text: str) -> str:
        """A C2SP signed note: the text, a blank line, one Ed25519 signature line."""
        vkey = self.vkey
        return text + "\n" + sign_line(self.name, vkey.key_id, self.private.sign(text.encode()))

    def cosign(self, text: str, timestamp: int) -> str:
        """A C2SP tlog-cosignature `cosignature/v1` line over a checkpoint's text (a witness's key)."""
        signature = self.private.sign(cosigned_message(text, timestamp))
        return sign_line(self.name, self.vkey.key_id, timestamp.to_bytes(8, "big") + signature)


def _write_private(path: Path, data: bytes) -> None:
    """Create `path` (mode 0600) holding `data`, whole or not at all; FileExistsError if it exists.

    Written to a private temporary file first and linked into place (`link` fails on an existing
    name), so that a process starting at the same moment (a gateway and a proxy on a new home) never
    reads a key half written, and one of two made at once is kept, the other refused."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")  # mode 0600
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.link(temporary, path)
    finally:
        os.unlink(temporary)


def generate(
    name: str, keys_dir: Path | None = None, *, sig_type: int = ED25519, files: tuple[str, str] = (SIGNING_FILE, VERIFIER_FILE)
) -> Signer:
    """Create the signing key `name` (a log's, or with COSIGNATURE_V1 a witness's); refuse to replace one."""
    if not name or any(c.isspace() for c in name) or "+" in name:
        raise AuditError("name", "a key name must be non-empty, without spaces or '+' (e.g. example.org/decisions)")
    folder = keys_dir or config.keys_dir()
    path = folder / files[0]
    exists = KeyExists("key", f"{path} already exists; one key per name (remove it by hand to start again)")
    if path.exists():
        raise exists
    signer = Signer(name, Ed25519PrivateKey.generate(), sig_type)
    seed = signer.private.private_bytes_raw()
    text = f"PRIVATE+KEY+{name}+{signer.vkey.key_id.hex()}+{base64.b64encode(bytes([sig_type]) + seed).decode()}\n"
    try:
        _write_private(path, text.encode())
    except FileExistsError:  # made a moment ago, by another process
        raise exists from None
    except OSError as exc:
        raise AuditError("key", f"cannot create {path}: {exc}") from None
    (folder / files[1]).write_text(str(signer.vkey) + "\n")
    return signer


def load_signer(keys_dir: Path | None = None, *, sig_type: int = ED25519, file: str = SIGNING_FILE) -> Signer:
    path = (keys_dir or config.keys_dir()) / file
    try:
        text = path.read_text().strip()
    except OSError:
        hint = "sanctuary witness keygen NAME --dir DIR" if sig_type == COSIGNATURE_V1 else "sanctuary audit keygen NAME"
        raise AuditError("key", f"no signing key at {path}: run `{hint}`") from None
    parts = text.removeprefix("PRIVATE+KEY+").split("+", 2)  # names hold no '+'; base64 may
    try:
        if not text.startswith("PRIVATE+KEY+") or len(parts) != 3:
            raise ValueError("not a PRIVATE+KEY+name+hexid+base64 line")
        raw = base64.b64decode(parts[2], validate=True)
        if len(raw) != 33 or raw[0] != sig_type:
            raise ValueError(f"not an Ed25519 seed of signature type {sig_type:#04x}")
        signer = Signer(parts[0], Ed25519PrivateKey.from_private_bytes(raw[1:]), sig_type)
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
