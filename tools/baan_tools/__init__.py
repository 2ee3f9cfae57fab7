"""Baan's developer and operator tools, apart from the local runner and the services.

- ``baan_tools.contracts``: generates and checks the published contracts
  (``make contracts``, ``baan contracts``; docs/contracts.md).
- ``baan_tools.reconcile``: do the services agree? (``make reconcile``,
  ``baan reconcile``; docs/reliability.md).

They read the services from the registry (``baan_shared.registry``) and talk to
them over HTTP or build their apps; nothing here runs inside a service.
"""
