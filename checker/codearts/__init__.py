"""Talking to CodeArts Pipeline: endpoints, credentials, request signing, batch queries.

Contract: the only package that speaks HTTP or holds secrets; answers leave it as
:mod:`checker.gate.answers` values, never as exceptions.
"""
