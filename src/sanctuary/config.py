"""Where things live by default. Every location can be overridden by an environment variable.

SANCTUARY_HOME   the working folder (default ./var): logs, keys, stores
SANCTUARY_LOG    the decision log: a SQLite path or a postgresql:// URL (default $HOME/log.db)
SANCTUARY_STORE  the records store: a SQLite path or a postgresql:// URL (default $HOME/records.db)
SANCTUARY_KEYS   the folder holding the log's signing key (default $HOME/keys)
"""

from __future__ import annotations

import os
from pathlib import Path


def home() -> Path:
    return Path(os.environ.get("SANCTUARY_HOME", "var"))


def log_url() -> str:
    return os.environ.get("SANCTUARY_LOG", str(home() / "log.db"))


def store_url() -> str:
    return os.environ.get("SANCTUARY_STORE", str(home() / "records.db"))


def keys_dir() -> Path:
    return Path(os.environ.get("SANCTUARY_KEYS", str(home() / "keys")))
