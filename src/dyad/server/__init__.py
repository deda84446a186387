"""dyad's HTTP API and dashboard (FastAPI): `dyad serve --db FILE`, docs/server.md.

    from dyad.server import ServerConfig, create_app
    app = create_app(ServerConfig(db="events.duckdb"))     # opens the store read-only

Importing this package imports FastAPI; `import dyad` does not import it.
"""

from __future__ import annotations

from dyad.server.app import ServerConfig, create_app

__all__ = ["ServerConfig", "create_app"]
