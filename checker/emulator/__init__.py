"""A local stand-in for the CodeArts Pipeline API and its gateway, over real HTTP.

Contract: imported only by the CLI (lazily) and the tests; nothing of the gate depends on it.
"""
