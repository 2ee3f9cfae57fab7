"""Baan's test kit: what every service's tests share, in one package.

Test-only: no service or runtime library imports it (tests/test_layout.py checks).

- ``baan_testkit.auth``: the session's development issuer, tokens, clients of an
  app as a partner reaches it, route walks (scopes, rate limits, bounds).
- ``baan_testkit.areas``: rows of a response lying outside a caller's areas.
- ``baan_testkit.apps``: a service's real app on a test database, Kafka off.
- ``baan_testkit.events``: CloudEvents of catalogue models, Kafka records.
- ``baan_testkit.delivery``: events applied through the service's real inbox.
- ``baan_testkit.outbox``: what a service recorded for publication.
- ``baan_testkit.pytest_plugin``: the ``baan`` pytest plugin (real Kafka broker,
  PostgreSQL server, databases, the test issuer), started only when asked for.
"""
