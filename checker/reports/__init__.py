"""Results in, report text out: JUnit, Markdown, JSON and terminal formats, the plan, and
atomic writes.

Contract: renders values it is given (no HTTP, no manifest reading); every string entering a
report passes exactly one escaping filter for its format.
"""
