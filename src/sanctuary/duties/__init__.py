"""Duties the laws impose on the department, as first-class output.

A pack's `duties.toml` declares them: a duty a decision triggers (notify the person, report the
request), with a Cedar condition saying when and a deadline, and periodic reports (quarterly,
yearly). Triggered duties and their fulfilment are entries of the decision log, so what is owed is
read from the log, never from memory: `sanctuary duties due`, `duties fulfil`, `duties report`.
"""
