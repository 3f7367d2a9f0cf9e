"""The one error a scan raises on bad input: it names the field (or option) and the reason."""

from __future__ import annotations

from sanctuary.errors import SanctuaryError


class RetroError(SanctuaryError, ValueError):
    """A retro-audit input that cannot be used: names the field and the reason."""
