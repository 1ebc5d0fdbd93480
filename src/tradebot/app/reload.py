"""Hot reload of ``tradebot.yml``: risk limits, strategy parameters and the active strategy set
change without a restart.

A change is read and checked in full first; if anything is wrong the edit is rejected and the
configuration in force stays, untouched. A valid edit is applied through the engine's small
reconfiguration API (``risk.update_limits``, ``set_strategy_params``, ``add_strategy``,
``remove_strategy``). Sections that need a restart (venue, storage, logging, metrics, scheduler,
watchdog, manager, sizing, exits, secrets) are reported, not applied. Every reload, applied or
rejected, is logged and — when a database is configured — written to the audit log.

Reloads are applied on the engine's thread: :meth:`ConfigReloader.reload` must be called from
it (the runtime queues file changes to the engine loop; a backtest calls it directly).
"""

from __future__ import annotations

import dataclasses
import hashlib
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import msgspec
import structlog

from tradebot.app.logs import REDACTOR
from tradebot.app.settings import LoadedConfig, SettingsError, load_settings
from tradebot.engine.trading_engine import TradingEngine
from tradebot.model.identifiers import StrategyId
from tradebot.storage import Database, StorageUnavailableError, record_command

if TYPE_CHECKING:
    from tradebot.app.metrics import EngineMetrics

log = structlog.get_logger("tradebot.config")

_RESTART_SECTIONS = ("venue", "storage", "logging", "metrics", "scheduler", "watchdog", "manager")


@dataclass(frozen=True, slots=True)
class ReloadOutcome:
    """What one reload did."""

    applied: bool
    changes: list[str] = field(default_factory=list)
    restart_needed: list[str] = field(default_factory=list)
    error: str | None = None


def plan_changes(old: LoadedConfig, new: LoadedConfig) -> tuple[list[str], list[str]]:
    """(changes that apply live, sections whose change needs a restart)."""
    live: list[str] = []
    if new.risk.limits != old.risk.limits:
        before = msgspec.structs.asdict(old.risk.limits)
        after = msgspec.structs.asdict(new.risk.limits)
        live += [
            f"risk.limits.{k}: {before[k]} -> {after[k]}" for k in after if before[k] != after[k]
        ]
    for sid in old.strategies.keys() - new.strategies.keys():
        live.append(f"strategies.{sid}: removed")
    for sid, spec in new.strategies.items():
        was = old.strategies.get(sid)
        if was is None:
            live.append(f"strategies.{sid}: added ({spec.name})")
        elif was.cls is not spec.cls:
            live.append(f"strategies.{sid}: {was.name} -> {spec.name}")
        elif was.params != spec.params:
            live.append(f"strategies.{sid}.params: {_diff(was.params, spec.params)}")
    restart = [
        name
        for name in _RESTART_SECTIONS
        if getattr(new.settings, name) != getattr(old.settings, name)
    ]
    rest_old = msgspec.structs.replace(old.risk, limits=new.risk.limits)
    if rest_old != new.risk:
        restart.append("risk (other than limits)")
    if [s.weight for s in old.strategies.values()] != [s.weight for s in new.strategies.values()]:
        restart.append("strategies.*.weight")
    if new.settings.secrets != old.settings.secrets:
        restart.append("secrets")
    return live, restart


def _diff(a: msgspec.Struct, b: msgspec.Struct) -> str:
    da = msgspec.structs.asdict(a)
    db = msgspec.structs.asdict(b)
    return ", ".join(f"{k} {da.get(k)} -> {v}" for k, v in db.items() if da.get(k) != v)


def apply_to_engine(
    engine: TradingEngine,
    old: LoadedConfig,
    new: LoadedConfig,
    metrics: EngineMetrics | None = None,
) -> None:
    """Make ``engine`` run ``new``'s risk limits and strategies (engine thread only)."""
    if new.risk.limits != old.risk.limits:
        engine.risk.update_limits(new.risk.limits)
    for sid in old.strategies.keys() - new.strategies.keys():
        engine.remove_strategy(StrategyId(sid))
    for sid, spec in new.strategies.items():
        was = old.strategies.get(sid)
        if was is not None and was.cls is not spec.cls:
            engine.remove_strategy(StrategyId(sid))
            was = None
        if was is None:
            strategy = spec.build()
            if metrics is not None:
                metrics.time_strategy(strategy)
            engine.add_strategy(strategy)
        elif was.params != spec.params:
            engine.set_strategy_params(StrategyId(sid), spec.params)


class ConfigReloader:
    """Re-reads one YAML file and applies what changed to one engine.

    Parameters
    ----------
    current : LoadedConfig
        The configuration in force.
    engine : TradingEngine
        Where changes go.
    db : Database, optional
        Every reload is recorded with ``storage.audit.record_command``.
    metrics : EngineMetrics, optional
        Counts reloads (``tradebot_config_reloads_total{outcome}``) and times new strategies.
    """

    def __init__(
        self,
        current: LoadedConfig,
        engine: TradingEngine,
        *,
        db: Database | None = None,
        metrics: EngineMetrics | None = None,
        actor: str = "config-watcher",
        manage_strategies: bool = True,
    ) -> None:
        self.manage_strategies = manage_strategies
        """False when the command line chose the strategies: the file's are then not applied."""
        self.current = current
        self.engine = engine
        self.db = db
        self.metrics = metrics
        self.actor = actor
        self.history: list[ReloadOutcome] = []

    @property
    def path(self) -> Path:
        """The watched file."""
        return self.current.path

    def changed_on_disk(self) -> bool:
        """True when the file's bytes differ from the configuration in force."""
        try:
            return hashlib.sha256(self.path.read_bytes()).hexdigest() != self.current.digest
        except OSError:
            return True

    def reload(self) -> ReloadOutcome:
        """Read the file again; apply it, or reject it and keep the configuration in force."""
        try:
            new = load_settings(self.path)
        except SettingsError as exc:
            return self._rejected(str(exc))
        REDACTOR.add(*new.secret_values())
        if new.digest == self.current.digest:
            log.debug("configuration file touched, content unchanged", path=str(self.path))
            return ReloadOutcome(applied=True)
        target = new
        if not self.manage_strategies:
            target = dataclasses.replace(new, strategies=self.current.strategies)
        changes, restart = plan_changes(self.current, target)
        if target is not new and new.strategies != self.current.strategies:
            restart.append("strategies (chosen on the command line)")
        try:
            apply_to_engine(self.engine, self.current, target, self.metrics)
        except (ValueError, TypeError, KeyError) as exc:
            return self._rejected(f"{self.path}: could not be applied: {exc}")
        self.current = target
        outcome = ReloadOutcome(applied=True, changes=changes, restart_needed=restart)
        log.info(
            "configuration reloaded",
            path=str(self.path),
            changes=changes,
            restart_needed=restart,
        )
        if restart:
            log.warning(
                "configuration changes that need a restart were not applied",
                path=str(self.path),
                sections=restart,
            )
        self._audit(outcome, target.digest)
        if self.metrics is not None:
            self.metrics.config_reloads.labels("applied").inc()
        self.history.append(outcome)
        return outcome

    def _rejected(self, error: str) -> ReloadOutcome:
        error = REDACTOR.scrub_text(error)
        outcome = ReloadOutcome(applied=False, error=error)
        log.error(
            "configuration reload rejected; the configuration in force stays",
            path=str(self.path),
            error=error,
        )
        self._audit(outcome, None)
        if self.metrics is not None:
            self.metrics.config_reloads.labels("rejected").inc()
        self.history.append(outcome)
        return outcome

    def _audit(self, outcome: ReloadOutcome, digest: str | None) -> None:
        if self.db is None:
            return
        result = (
            "applied: " + ("; ".join(outcome.changes) or "no live change")
            if outcome.applied
            else f"rejected: {outcome.error}"
        )
        try:
            record_command(
                self.db,
                actor=self.actor,
                channel="cli",
                command="config_reload",
                arguments={
                    "path": str(self.path),
                    "digest": digest,
                    "changes": outcome.changes,
                    "restart_needed": outcome.restart_needed,
                },
                result=result,
                ok=outcome.applied,
            )
        except StorageUnavailableError as exc:
            log.error("could not audit the configuration reload", error=str(exc))

    def watcher(
        self, on_change: Callable[[], None], *, debounce_ms: int = 200
    ) -> Callable[[Callable[[], None]], Awaitable[None]]:
        """An async task (for the watchdog) that calls ``on_change`` whenever the file changes.

        Uses :func:`watchfiles.awatch` on the file's folder; ``beat`` is called on every
        change and at least every second, so a hung watcher is restarted.
        """
        target = self.path.resolve()

        async def watch(beat: Callable[[], None]) -> None:
            from watchfiles import awatch

            beat()
            async for changes in awatch(
                target.parent,
                watch_filter=lambda _, p: Path(p).resolve() == target,
                debounce=debounce_ms,
                rust_timeout=1000,
                yield_on_timeout=True,
            ):
                beat()
                if changes:
                    on_change()

        return watch


__all__ = ["ConfigReloader", "ReloadOutcome", "apply_to_engine", "plan_changes"]
