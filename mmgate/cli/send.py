"""`mmgate send` (one template to one number) and `mmgate message` (where is it now)."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import click
import msgspec

from mmgate.cli.connection import Connection, connection_options
from mmgate.cli.durations import whole_seconds_option
from mmgate.sdk import MessageInfo, TemplateMessage

ENTRY_POINTS = ("marketing_messages", "messages")


def template_options(command: click.decorators.FC) -> click.decorators.FC:
    """What a template send needs besides its recipient (shared with `campaign`)."""
    for option in reversed(
        [
            click.option("--template", "-t", "template", help="The template's name."),
            click.option("--language", "-l", default=None, help="Template language [en]."),
            click.option(
                "--via",
                type=click.Choice(ENTRY_POINTS),
                default=None,
                help="Entry point: /marketing_messages (MM API) [default] or /messages "
                "(routed by the partner's setting).",
            ),
            click.option(
                "--ttl",
                callback=whole_seconds_option,
                default=None,
                help="message_send_ttl_seconds, e.g. 43200, 12h, 30d "
                "(marketing on MM API: 12h to 30d).",
            ),
            click.option(
                "--product-policy",
                type=click.Choice(["CLOUD_API_FALLBACK", "STRICT"]),
                default=None,
                help="What Meta does when the WABA is not onboarded to MM API.",
            ),
            click.option(
                "--bid-multiplier",
                type=click.FloatRange(min=0, min_open=True, max=100),
                default=None,
                help="Max price: bid_spec.per_message_bid_multiplier, times the template's "
                "bid_amount (MM API; docs/max-price.md).",
            ),
        ]
    ):
        command = option(command)
    return command


@click.command(short_help="Send one template to one number.")
@click.argument("to")
@template_options
@click.option("--param", "-p", "params", multiple=True, help="A body parameter, in order.")
@click.option("--url-suffix", help="The dynamic suffix of the template's URL button.")
@click.option("--callback-data", help="biz_opaque_callback_data, echoed in status webhooks.")
@click.option("--idempotency-key", help="Reuse a key to make a repeated send a no-op.")
@click.option("--json", "as_json", is_flag=True, help="Print the API's JSON answer.")
@connection_options()
def send(
    to: str,
    template: str | None,
    language: str | None,
    via: str | None,
    ttl: int | None,
    product_policy: str | None,
    bid_multiplier: float | None,
    params: tuple[str, ...],
    url_suffix: str | None,
    callback_data: str | None,
    idempotency_key: str | None,
    as_json: bool,
    connection: Connection,
) -> None:
    """Send one template to one number.

    Example: mmgate send 441234567890 -t marketing_offer_with_link -p Ana --url-suffix ANA10
    """
    if not template:
        raise click.UsageError("--template is required")
    message = TemplateMessage.build(
        to,
        template,
        language or "en",
        body=params,
        url_suffix=url_suffix,
        biz_opaque_callback_data=callback_data,
        product_policy=product_policy,
        message_send_ttl_seconds=ttl,
        bid_multiplier=bid_multiplier,
    )
    with connection.client() as client:
        if via == "messages":
            sent = client.send_message(message, idempotency_key=idempotency_key)
        else:
            sent = client.send_marketing_message(message, idempotency_key=idempotency_key)
    if as_json:
        click.echo(msgspec.json.encode(sent))
        return
    click.echo(f"accepted {sent.wamid} to {sent.contacts[0].wa_id or to}")


@click.command(short_help="Show a message's status, route and timeline.")
@click.argument("wamid")
@click.option("--json", "as_json", is_flag=True, help="Print the API's JSON answer.")
@connection_options()
def message(wamid: str, as_json: bool, connection: Connection) -> None:
    """Show a message's status, its route (requested and taken) and its timeline."""
    with connection.client() as client:
        info = client.get_message(wamid)
    if as_json:
        click.echo(json.dumps(msgspec.to_builtins(info)))
        return
    click.echo(describe(info))


def describe(info: MessageInfo) -> str:
    taken = info.route_taken or "not confirmed yet"
    lines = [
        f"{info.wamid}",
        f"  to {info.recipient}   template {info.template_name}   via /{info.entry_point}",
        f"  status {info.status}   route requested {info.route_requested}, taken {taken}",
    ]
    if info.error:
        lines.append(f"  error {info.error}")
    lines += [f"  {_when(e.at)}  {e.status:<14} {e.detail or ''}".rstrip() for e in info.events]
    return "\n".join(lines)


def _when(at: float) -> str:
    return datetime.fromtimestamp(at, UTC).strftime("%Y-%m-%d %H:%M:%S")
