"""The `mmgate campaign` command: plan, resume, send, then show the funnel."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Any, NoReturn

import click
from rich.console import Console

from mmgate.cli.campaign.funnel import Funnel, FunnelPoller
from mmgate.cli.campaign.plan import CampaignSpec, PlanError, Row, read_rows
from mmgate.cli.campaign.report import funnel_json, funnel_table
from mmgate.cli.campaign.runner import CampaignHalted, CampaignSender
from mmgate.cli.campaign.state import CampaignState
from mmgate.cli.campaign.view import live_funnel, sending_progress, status_console
from mmgate.cli.connection import Connection, connection_options
from mmgate.cli.send import template_options
from mmgate.sdk import AsyncClient, Retry

# Throughput refusals (130429) should ride through a short burst before halting.
CAMPAIGN_RETRY = Retry(attempts=6, backoff_seconds=0.25, max_backoff_seconds=4.0)


@click.command(short_help="Send a template to every row of a CSV; resumable.")
@click.argument("csv_path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@template_options
@click.option(
    "--rate",
    type=click.FloatRange(min=0, min_open=True),
    default=80.0,
    show_default=True,
    help="Messages per second (the channel's throughput).",
)
@click.option(
    "--wait",
    type=click.FloatRange(min=0),
    default=15.0,
    show_default=True,
    help="Seconds to follow statuses for the funnel once sending is done.",
)
@click.option(
    "--state",
    "state_path",
    type=click.Path(dir_okay=False, path_type=Path),
    help="The campaign's state file [default: beside the CSV, CSV.state.jsonl].",
)
@click.option("--report", is_flag=True, help="Send nothing; show the funnel so far.")
@click.option("--retry-rejected", is_flag=True, help="Also resend rows refused before.")
@click.option("--json", "as_json", is_flag=True, help="Print the funnel as one JSON object.")
@click.option("--stop-after", type=click.IntRange(min=1), hidden=True)
@connection_options()
def campaign(
    csv_path: Path,
    template: str | None,
    language: str | None,
    via: str | None,
    ttl: int | None,
    product_policy: str | None,
    bid_multiplier: float | None,
    rate: float,
    wait: float,
    state_path: Path | None,
    report: bool,
    retry_rejected: bool,
    as_json: bool,
    stop_after: int | None,
    connection: Connection,
) -> None:
    """Send a template to every recipient of a CSV, throttled, with a live progress bar and
    a closing funnel (accepted, sent, delivered, read, clicked, failed, expired; MM API vs
    Cloud API).

    The CSV has a `to` column, body parameters in `param1`, `param2`, … and optionally a
    `url_suffix`. Progress is saved beside the CSV: after Ctrl-C (or any stop), run the
    same command again and it resumes, never sending a row twice.
    """
    state_path = state_path or csv_path.with_name(csv_path.name + ".state.jsonl")
    given: dict[str, Any] = {
        "template": template,
        "language": language,
        "via": via,
        "ttl": ttl,
        "product_policy": product_policy,
        "bid_multiplier": bid_multiplier,
    }
    try:
        rows = read_rows(csv_path)
        state = _open_state(state_path, given, report=report)
        state.check_rows_match(rows)
    except PlanError as exc:
        raise click.ClickException(str(exc)) from None
    todo = (
        [] if report else [r for r in rows if not state.is_done(r, retry_rejected=retry_rejected)]
    )
    _announce(state, rows, todo, report=report)
    try:
        funnel = asyncio.run(_run(connection, state, rows, todo, rate, wait, stop_after))
    except KeyboardInterrupt:
        _interrupted(state, rows)
    except CampaignHalted as exc:
        raise click.ClickException(
            f"stopped: {exc} — progress is saved in {state.path}; "
            "fix the cause and run the same command to resume"
        ) from None
    finally:
        state.close()
    if as_json:
        click.echo(json.dumps(funnel_json(funnel, state.campaign_id, str(state.path))))
    else:
        Console(highlight=False).print(funnel_table(funnel, _title(state), state.campaign_id))


def _open_state(path: Path, given: dict[str, Any], *, report: bool) -> CampaignState:
    if path.exists():
        state = CampaignState.load(path)
        conflict = state.spec.conflict_with(given)
        if conflict is not None:
            raise PlanError(
                f"{path} is a campaign with {conflict}; drop the option to resume it, "
                "or pass --state NEW_FILE to start a new campaign"
            )
        return state
    if report:
        raise PlanError(f"no campaign state at {path}: nothing was sent from this CSV yet")
    return CampaignState.create(path, CampaignSpec.from_options(**given))


def _announce(state: CampaignState, rows: list[Row], todo: list[Row], *, report: bool) -> None:
    done, console = len(state.wamids), status_console()
    if not state.rows or report:
        return
    if not todo:
        console.print(f"Campaign {state.campaign_id[:8]}: every row was already answered.")
        return
    console.print(
        f"Resuming campaign {state.campaign_id[:8]}: {done} of {len(rows)} rows already "
        f"accepted; {state.in_doubt} in doubt are resent with their recorded idempotency keys."
    )


async def _run(
    connection: Connection,
    state: CampaignState,
    rows: list[Row],
    todo: list[Row],
    rate: float,
    wait: float,
    stop_after: int | None,
) -> Funnel:
    async with connection.async_client(retry=CAMPAIGN_RETRY) as client:
        if todo:
            with sending_progress(len(rows), len(rows) - len(todo)) as tracker:
                sender = CampaignSender(client, state, tracker, rate=rate, stop_after=stop_after)
                await sender.send(todo)
        return await _follow(client, state, rows, wait)


async def _follow(
    client: AsyncClient, state: CampaignState, rows: list[Row], wait: float
) -> Funnel:
    poller = FunnelPoller(client, state.wamids)

    def funnel() -> Funnel:
        not_sent = len(rows) - len(state.wamids) - state.rejected
        return Funnel.of(
            poller.infos,
            rows=len(rows),
            rejected=state.rejected,
            not_sent=not_sent,
            unreadable=poller.unreadable,
        )

    with live_funnel(funnel_table(funnel(), _title(state), state.campaign_id)) as live:
        await poller.poll(
            wait,
            lambda: live.update(
                funnel_table(funnel(), _title(state), state.campaign_id), refresh=True
            ),
        )
    return funnel()


def _title(state: CampaignState) -> str:
    spec = state.spec
    return f"{spec.template} ({spec.language}) → /{spec.via}"


def _interrupted(state: CampaignState, rows: list[Row]) -> NoReturn:
    click.echo(
        f"Interrupted: {len(state.wamids)} of {len(rows)} rows accepted so far; progress is "
        f"saved in {state.path}. Run the same command again to resume: nothing is sent twice.",
        err=True,
    )
    raise SystemExit(130)
