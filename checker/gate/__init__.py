"""The gate's pure core: resolved checks, the request plan, answers, evaluation, results.

Contract: no I/O, no clock, no httpx, click or jinja2; same input, same output.
"""
