"""The PostgreSQL migrations are applied by the one runner, `mmgate.storage.migrate`;
`postgres/engine.py` (the hot path's) still imports it under this name."""

from __future__ import annotations

from mmgate.storage.migrate import apply_postgres as apply_migrations

__all__ = ["apply_migrations"]
