"""`mmgate db migrate`: bring the database schema up to date, outside of `serve`."""

from __future__ import annotations

import asyncio
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import click

from mmgate.cli.options import data_dir_option
from mmgate.settings import Settings
from mmgate.storage.factory import database, migrate_database
from mmgate.storage.migrate import migration_files
from mmgate.storage.queries import POSTGRES, SQLITE


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
@click.option(
    "--database-url",
    envvar="MMGATE_DATABASE_URL",
    help="postgresql://… (or sqlite:///…): migrate this database instead of the SQLite file.",
)
def migrate(data_dir: Path, database_path: Path | None, database_url: str | None) -> None:
    """Apply every migration not yet applied (the server also does this when it starts)."""
    settings = Settings.from_env(
        data_dir=data_dir, database_path=database_path, database_url=database_url
    )
    try:
        target = database(settings.database_url or settings.sqlite_path)
        applied = asyncio.run(migrate_database(target))
    except ValueError as exc:
        raise click.BadParameter(str(exc), param_hint="--database-url") from exc
    except (OSError, ImportError) as exc:
        raise click.ClickException(f"cannot reach the database: {exc}") from exc
    versions = [v for v, _ in migration_files(SQLITE if isinstance(target, Path) else POSTGRES)]
    name = target if isinstance(target, Path) else _without_password(target)
    now = f"; applied now: {', '.join(applied)}" if applied else ""
    click.echo(f"{name} is up to date ({len(versions)} migrations, latest {versions[-1]}{now})")


def _without_password(url: str) -> str:
    parts = urlsplit(url)
    if parts.password is None:
        return url
    netloc = parts.netloc.replace(f":{parts.password}@", ":***@", 1)
    return urlunsplit(parts._replace(netloc=netloc))
