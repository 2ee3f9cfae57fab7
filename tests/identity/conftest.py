"""A real identity provider for the partner-access tests: Keycloak, once per session.

The ``keycloak`` fixture starts ``baan_local.keycloak.LocalKeycloak`` (Keycloak's
own distribution from Maven Central, on free loopback ports, data in a temp dir)
with two realms: ``baan``, the platform's realm from deploy/keycloak/baan-realm.json,
and ``other``, the same realm under another name: its tokens look exactly like the
platform's (same clients, scopes, audience, areas) but another issuer signed them.
"""

import json
from collections.abc import Iterator

import pytest

from baan_local.keycloak import LocalKeycloak, baan_realm_file

OTHER_REALM = "other"


@pytest.fixture(scope="session")
def keycloak(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LocalKeycloak]:
    """Keycloak serving the ``baan`` realm and the look-alike ``other`` realm."""
    data_dir = tmp_path_factory.mktemp("keycloak")
    other = json.loads(baan_realm_file().read_text())
    other["realm"] = OTHER_REALM
    other["displayName"] = "Another realm (tests: its tokens must be refused)"
    other_file = data_dir / "other-realm.json"
    other_file.write_text(json.dumps(other))
    server = LocalKeycloak(data_dir / "server", realm_files=[baan_realm_file(), other_file])
    server.start()
    try:
        yield server
    finally:
        server.stop()
