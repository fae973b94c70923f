"""The funnel as a table for people and as one JSON object for scripts."""

from __future__ import annotations

from typing import Any

from rich.table import Table

from mmgate.cli.campaign.funnel import ROUTES, STAGES, Funnel

ROUTE_TITLES = {"mm_api": "MM API", "cloud_api": "Cloud API", "unknown": "route unknown"}


def funnel_table(funnel: Funnel, title: str, campaign_id: str) -> Table:
    table = Table(title=title, title_justify="left")
    table.add_column("stage")
    table.add_column("total", justify="right")
    table.add_column("of accepted", justify="right")
    for route in ROUTES:
        table.add_column(ROUTE_TITLES[route], justify="right")
    accepted = funnel.accepted
    for stage in STAGES:
        by_route = funnel.counts[stage]
        total = sum(by_route.values()) + (funnel.unreadable if stage == "accepted" else 0)
        if stage == "clicked" and not funnel.clicks_known:
            table.add_row(stage, "n/a", "", *("n/a" for _ in ROUTES))
            continue
        share = f"{100 * total / accepted:.1f}%" if accepted else "-"
        table.add_row(stage, str(total), share, *(str(by_route[route]) for route in ROUTES))
    table.caption = (
        f"campaign {campaign_id[:8]}, {funnel.rows} rows: {accepted} accepted, "
        f"{funnel.rejected} refused at accept, "
        f"{funnel.not_sent} not sent yet; {funnel.settled} of {accepted} settled "
        "(read, failed or expired)"
    )
    table.caption += (
        f"\nspend: at most {funnel.currency} {funnel.spend_at_most:.4f} for the delivered "
        "messages (max price, or the list price without one); Meta's charge: Hub > Spend"
    )
    if not funnel.clicks_known:
        table.caption += (
            "\nclicked n/a: Meta's click webhooks name no message (see `mmgate webhooks tail`)"
        )
    table.caption_justify = "left"
    return table


def funnel_json(funnel: Funnel, campaign_id: str, state_file: str) -> dict[str, Any]:
    return {
        "campaign": campaign_id,
        "state_file": state_file,
        "rows": funnel.rows,
        "accepted": funnel.accepted,
        "rejected": funnel.rejected,
        "not_sent": funnel.not_sent,
        "settled": funnel.settled,
        "spend_at_most": round(funnel.spend_at_most, 6),
        "currency": funnel.currency,
        "funnel": {
            stage: {
                "total": sum(funnel.counts[stage].values()),
                **{route: funnel.counts[stage][route] for route in ROUTES},
            }
            if stage != "clicked" or funnel.clicks_known
            else None  # not attributable to messages (see funnel_table)
            for stage in STAGES
        },
    }
