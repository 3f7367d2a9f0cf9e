class PolicyError(Exception):
    """A policy set that cannot be used: every request it would decide is denied."""

    def __init__(self, where: str, reason: str):
        super().__init__(f"{where}: {reason}")
        self.where = where
        self.reason = reason
