"""The wait loop as one unit: :mod:`loop` runs polls under the deadline and assembles the
report; :mod:`poller` holds what one command knows and decides after each poll.

Contract: the poller depends on the :class:`~checker.polling.poller.Queries` protocol, not on
HTTP, so it is unit-tested with a fake; only :mod:`loop` opens a session. Never prints.
"""
