"""`mmgate db migrate`: bring the database schema up to date, outside of `serve`."""

from __future__ import annotations

import asyncio
from pathlib import Path

import click

from mmgate.cli.options import data_dir_option
from mmgate.settings import Settings
from mmgate.storage.migrate import migration_files
from mmgate.storage.sqlite.store import SqliteStore


@click.group()
def db() -> None:
    """Manage the database."""


@db.command(short_help="Apply pending database migrations.")
@data_dir_option()
@click.option(
    "--database-path",
    envvar="MMGATE_DATABASE_PATH",
    type=click.Path(dir_okay=False, path_type=Path),
    help="The SQLite file [DATA_DIR/gateway.db].",
)
def migrate(data_dir: Path, database_path: Path | None) -> None:
    """Apply every migration not yet applied (the server also does this when it starts)."""
    path = Settings.from_env(data_dir=data_dir, database_path=database_path).sqlite_path
    path.parent.mkdir(parents=True, exist_ok=True)
    asyncio.run(_migrate(path))
    versions = [version for version, _ in migration_files("sqlite")]
    click.echo(f"{path} is up to date ({len(versions)} migrations, latest {versions[-1]})")


async def _migrate(path: Path) -> None:
    store = SqliteStore(path)
    await store.start()  # applies whatever is missing, each migration in one transaction
    await store.close()
