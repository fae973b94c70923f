"""The campaign's CSV reading and its state file, on their own (no server needed)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from mmgate.cli.campaign.plan import CampaignSpec, PlanError, Row, message_for, read_rows
from mmgate.cli.campaign.state import CampaignState

SPEC = CampaignSpec("promo", "en", "marketing_messages", None, None)


def test_rows_take_to_params_in_number_order_and_url_suffix(tmp_path: Path) -> None:
    path = tmp_path / "r.csv"
    path.write_text(
        "\ufeffTo,param10,param2,param1,url_suffix,notes\n441234567890,ten,two,one,S1,x\n",
        encoding="utf-8",
    )

    (row,) = read_rows(path)

    assert row == Row(1, "441234567890", ("one", "two", "ten"), "S1")
    body = message_for(SPEC, row).template.components
    assert [c.type for c in body] == ["body", "button"]
    assert [p["text"] for p in body[0].parameters] == ["one", "two", "ten"]


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("phone,param1\n4412,a\n", "needs a header row with a 'to' column"),
        ("to,param1\n4412,a\n,b\n", "row 2: the 'to' column is empty"),
        ("to,param1\n", "has no recipients"),
    ],
)
def test_unusable_csvs_are_explained(tmp_path: Path, text: str, reason: str) -> None:
    path = tmp_path / "r.csv"
    path.write_text(text)

    with pytest.raises(PlanError, match=reason):
        read_rows(path)


def _row(number: int, to: str = "441234567890") -> Row:
    return Row(number, to, (), None)


def test_state_round_trips_and_keys_are_stable(tmp_path: Path) -> None:
    path = tmp_path / "r.csv.state.jsonl"
    state = CampaignState.create(path, SPEC)
    derived = state.key_for(_row(2))
    state.accepted(_row(1), state.key_for(_row(1)), "wamid.A")
    state.sending(_row(2), derived)
    state.refused(_row(3), state.key_for(_row(3)), {"code": 100})
    state.close()

    loaded = CampaignState.load(path)

    assert (loaded.campaign_id, loaded.spec) == (state.campaign_id, SPEC)
    assert loaded.key_for(_row(2)) == derived  # in doubt: the same key again
    assert loaded.key_for(_row(9)) == state.key_for(_row(9))  # derived from the campaign id
    assert loaded.wamids == ["wamid.A"]
    assert (loaded.rejected, loaded.in_doubt) == (1, 1)
    assert loaded.is_done(_row(1), retry_rejected=False)
    assert loaded.is_done(_row(3), retry_rejected=False)
    assert not loaded.is_done(_row(3), retry_rejected=True)
    assert not loaded.is_done(_row(2), retry_rejected=False)


def test_a_recorded_key_wins_and_accepted_is_final(tmp_path: Path) -> None:
    path = tmp_path / "s.jsonl"
    CampaignState.create(path, SPEC).close()
    with path.open("a") as handle:
        for record in (
            {"row": 1, "to": "441234567890", "key": "k-1"},
            {"row": 1, "to": "441234567890", "key": "k-1", "wamid": "wamid.A"},
            {"row": 1, "to": "441234567890", "key": "k-2"},
        ):
            handle.write(json.dumps(record) + "\n")

    state = CampaignState.load(path)

    assert (state.key_for(_row(1)), state.wamids) == ("k-1", ["wamid.A"])


def test_a_line_cut_short_by_a_kill_is_ignored_but_damage_elsewhere_is_not(
    tmp_path: Path,
) -> None:
    path = tmp_path / "s.jsonl"
    CampaignState.create(path, SPEC).close()
    good = json.dumps({"row": 1, "to": "441234567890", "key": "k-1"})
    path.write_text(path.read_text() + good + "\n" + '{"row": 2, "to": "44')

    assert CampaignState.load(path).in_doubt == 1

    path.write_text(path.read_text() + "\n" + good + "\n")
    with pytest.raises(PlanError, match="line 3 is damaged"):
        CampaignState.load(path)


def test_a_file_that_is_not_a_campaign_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "s.jsonl"
    path.write_text('{"hello": 1}\n')

    with pytest.raises(PlanError, match="not an mmgate campaign state file"):
        CampaignState.load(path)


def test_rows_must_still_match_what_was_recorded(tmp_path: Path) -> None:
    state = CampaignState.create(tmp_path / "s.jsonl", SPEC)
    state.sending(_row(1), "k")

    state.check_rows_match([_row(1), _row(2, "449999999999")])
    with pytest.raises(PlanError, match="row 1 was 441234567890, now 449999999999"):
        state.check_rows_match([_row(1, "449999999999")])
    with pytest.raises(PlanError, match="now missing"):
        state.check_rows_match([])
    state.close()


def test_resumed_options_must_agree_with_the_campaign() -> None:
    assert SPEC.conflict_with({"template": None, "language": "en"}) is None
    assert SPEC.conflict_with({"template": "other"}) == "template='promo', not 'other'"
    with pytest.raises(PlanError, match="--template is required"):
        CampaignSpec.from_options(None, None, None, None, None)
