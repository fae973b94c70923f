"""Ordered SQL migrations, one folder per backend, applied once each."""

from __future__ import annotations

from importlib import resources


def migration_files(backend: str) -> list[tuple[str, str]]:
    folder = resources.files("mmgate.storage").joinpath("migrations", backend)
    files = sorted((f for f in folder.iterdir() if f.name.endswith(".sql")), key=lambda f: f.name)
    return [(f.name.removesuffix(".sql"), f.read_text()) for f in files]
