"""What each command does, as plain functions: options in, exit code out; one module per
command, as in :mod:`checker.cli` (``inspect``: validate and plan; ``check``; ``start``;
``render``), with the options they share in ``common`` and the delivery of a result in
``output``.

Contract: never reads the environment, never exits; prints only through the
:class:`~checker.output.Output` the CLI gives it, which redacts every known secret. What only
some commands need is imported inside them: ``validate`` must not pay for an HTTP client,
templates or the polling loop (start-up is paid on every CI build).
"""
