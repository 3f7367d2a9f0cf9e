"""The tamper-evident decision log: an RFC 9162 Merkle tree with C2SP signed checkpoints.

`open_log(url)` opens it (a SQLite path or a postgresql:// URL); `append` / `append_built` add
entries (bytes: a decision's are encoded by `sanctuary.recording`);
`checkpoint`, `prove`, `consistency` and `verify` let anyone check that nothing was changed,
removed or reordered. `verifier` is the stand-alone checker oversight staff run (tools/verify_log.py).
"""

from sanctuary.audit.errors import AuditError, ForkRefused
from sanctuary.audit.log import ConsistencyProof, DecisionLog, InclusionProof, VerifyResult, open_log

__all__ = ["AuditError", "ConsistencyProof", "DecisionLog", "ForkRefused", "InclusionProof", "VerifyResult", "open_log"]
