"""Apply and check Alembic migrations programmatically (`levqor db upgrade`, `levqor db check`)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import create_engine

from storage.config import Settings

_HERE = Path(__file__).parent / "migrations"


def alembic_config(settings: Settings) -> Config:
    """An Alembic config pointing at our migrations and the configured database."""
    if settings.is_sqlite:
        settings.data_dir.mkdir(parents=True, exist_ok=True)
    config = Config()
    config.set_main_option("script_location", str(_HERE))
    config.set_main_option("sqlalchemy.url", settings.sync_database_url.replace("%", "%%"))
    return config


@dataclass(frozen=True)
class Upgraded:
    """What an upgrade did: whether the database was new, and the migrations it applied."""

    created: bool
    applied: list[str]  # "0007 run leases and approval links", oldest first
    head: str

    def sentence(self, where: str) -> str:
        """What `levqor db upgrade` says."""
        if self.created:
            return (
                f"Created the database at {where} and applied {len(self.applied)} "
                f"migration{'s' if len(self.applied) != 1 else ''} (up to {self.head})."
            )
        if self.applied:
            listed = "; ".join(self.applied)
            n = len(self.applied)
            return f"Applied {n} migration{'s' if n != 1 else ''} to {where}: {listed}."
        return f"The database at {where} is up to date ({self.head}); nothing to apply."


def current_revision(settings: Settings) -> str | None:
    """The revision the database is at (None: no schema yet)."""
    engine = create_engine(settings.sync_database_url)
    try:
        with engine.connect() as connection:
            return MigrationContext.configure(connection).get_current_revision()
    finally:
        engine.dispose()


def _named(script: ScriptDirectory, revision: str) -> str:
    found = script.get_revision(revision)
    doc = (found.doc or "").strip().rstrip(".") if found else ""
    return f"{revision} {doc}".strip()


def upgrade(settings: Settings, revision: str = "head") -> Upgraded:
    """Bring the database schema up to `revision`; says what it applied."""
    config = alembic_config(settings)
    script = ScriptDirectory.from_config(config)
    before = current_revision(settings)
    command.upgrade(config, revision)
    after = current_revision(settings) or ""
    applied = [
        _named(script, r.revision)
        for r in reversed(list(script.iterate_revisions(after, before or "base")))
        if r.revision != before
    ]
    return Upgraded(created=before is None, applied=applied, head=_named(script, after))


def check(settings: Settings) -> None:
    """Raise if the models and the migrations disagree (run after `upgrade`)."""
    command.check(alembic_config(settings))


def revision(settings: Settings, message: str) -> None:
    """Autogenerate a new migration from the models (developer tool)."""
    command.revision(alembic_config(settings), message=message, autogenerate=True)
