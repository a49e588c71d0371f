"""Located input in, located problems out: YAML with positions, schema checks, messages.

Contract: knows nothing of CodeArts; imports no httpx, click or jinja2.
"""
