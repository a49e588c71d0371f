"""Manifest files and command-line inputs in, resolved checks out (or located problems).

Contract: no network; reads only the files it is given; imports no httpx, click or jinja2.
"""
