"""Export layouts are recognised from the header alone; --map covers the rest."""

from __future__ import annotations

import pytest

from sanctuary.retro.columns import detect, parse_map
from sanctuary.retro.errors import RetroError


@pytest.mark.parametrize(
    ("headers", "variant", "fields"),
    [
        (
            [
                "ID",
                "Name",
                "Org Name",
                "Total Networks Searched",
                "Time Frame",
                "License Plate",
                "Reason",
                "Case #",
                "Filters",
                "Search Time",
                "Search Type",
                "Text Prompt",
                "Moderation",
            ],
            "audit",
            {"source_id": "ID", "org": "Org Name", "networks": "Total Networks Searched", "case_number": "Case #"},
        ),
        (
            ["Name", "Org Name", "Total Devices Searched", "Time Frame", "License Plate", "Reason", "Search Time"],
            "audit-devices",
            {"devices": "Total Devices Searched", "search_time": "Search Time"},
        ),
        (
            ["id", "userId", "searchDate", "networkCount", "reason"],
            "portal",
            {"source_id": "id", "user": "userId", "search_time": "searchDate", "networks": "networkCount"},
        ),
        (["ID", "userID", "networkCount", "Search Time", "Reason"], "portal-printed", {"search_time": "Search Time"}),
        (
            [
                "ID",
                "Org_Name",
                "Total_Networks_Searched",
                "Total_Devices_Searched",
                "Time_Frame_Start",
                "Time_Frame_End",
                "Reason",
                "Search_Time",
                "Search_Type",
                "Moderation",
            ],
            "pdf-extracted",
            {"org": "Org_Name", "time_frame_end": "Time_Frame_End", "search_time": "Search_Time"},
        ),
        (
            ["Org Name", "Offense Type", "Reason", "Search Date/Time"],
            "generic",
            {"offense_type": "Offense Type", "search_time": "Search Date/Time"},
        ),
    ],
)
def test_variants(headers, variant, fields):
    layout = detect("f.csv", headers)
    assert layout.variant == variant
    assert fields.items() <= layout.columns.items()


def test_missing_fields_are_listed():
    layout = detect("f.csv", ["id", "userId", "searchDate", "networkCount", "reason"])
    assert "org" in layout.missing() and "reason" not in layout.missing()


def test_map_overrides_and_validates():
    layout = detect("f.csv", ["Agency", "Why", "When"], parse_map(["Why=reason", "When=search_time"]))
    assert layout.variant == "mapped"
    assert layout.columns == {"org": "Agency", "reason": "Why", "search_time": "When"}
    with pytest.raises(RetroError, match="no column 'Nope'"):
        detect("f.csv", ["Agency"], {"reason": "Nope"})


@pytest.mark.parametrize("pair", ["reason", "=reason", "Why=purpose_text"])
def test_bad_map(pair):
    with pytest.raises(RetroError) as exc:
        parse_map([pair])
    assert exc.value.field == "--map"


def test_unrecognised_header_says_what_to_do():
    with pytest.raises(RetroError, match="pass --map column=field"):
        detect("f.csv", ["a", "b"])
