from sanctuary.errors import SanctuaryError


class PolicyError(SanctuaryError):
    """A policy set that cannot be used: every request it would decide is denied. `field` names where."""
