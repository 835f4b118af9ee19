"""The teams file: the documented format loads; a bad file names the line and problem."""

import pytest

from bot.teams import TeamsFileError, parse_teams

GOOD = """\
timezone: America/New_York          # default for teams that give none
teams:
  - name: smb-east
    channel: C0SMBEAST01            # channel id or #name
    schedule: "0 8 * * mon-fri"     # cron, in the team's time zone
    timezone: America/New_York
    owners: [ana.rep@example.com, raj.rep@example.com]
    managers: [U0MANAGER1]
  - name: west
    channel: "#west-sales"
    timezone: America/Los_Angeles
    owners: [Kim@Example.com]
"""


def test_the_interface_example_loads() -> None:
    teams = parse_teams(GOOD)
    smb = teams.get("smb-east")
    assert smb is not None
    assert smb.owners == ("ana.rep@example.com", "raj.rep@example.com")
    assert smb.managers == ("U0MANAGER1",)
    west = teams.get("WEST")
    assert west is not None and west.schedule == "0 8 * * mon-fri"
    assert west.owners == ("kim@example.com",) and west.timezone == "America/Los_Angeles"
    assert teams.is_manager("U0MANAGER1") and not teams.is_manager("U0OTHER")
    assert teams.managers_of("U0X", "ana.rep@example.com") == ["U0MANAGER1"]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "teams:\n  - name: a\n    channel: C0A1\n    schedule: '0 25 * * *'\n",
            "line 4: schedule '0 25 * * *' is not a valid cron",
        ),
        ("teams:\n  - name: a\n    channel: nope\n", "line 3: channel 'nope' is not a channel"),
        (
            "teams:\n  - name: a\n    channel: C0A1\n    owners: [not-an-email]\n",
            "line 4: owner 'not-an-email' is not an e-mail",
        ),
        (
            "teams:\n  - name: a\n    channel: C0A1\n    managers: [bob]\n",
            "line 4: manager 'bob' is not a Slack user id",
        ),
        (
            "teams:\n  - name: a\n    channel: C0A1\n    timezone: Mars/Base\n",
            "line 4: 'Mars/Base' is not a known time zone",
        ),
        (
            "teams:\n  - name: a\n    channel: C0A1\n  - name: a\n    channel: C0A2\n",
            "line 4: team 'a' is defined twice",
        ),
        ("teams:\n  - name: a\n    chanel: C0A1\n", "line 3: unknown key 'chanel'"),
        ("teams:\n  - channel: C0A1\n", "line 2: a team needs 'name'"),
        ("teams: [\n", "not valid YAML"),
    ],
)
def test_a_bad_teams_file_names_the_line_and_problem(text: str, expected: str) -> None:
    with pytest.raises(TeamsFileError) as info:
        parse_teams(text, source="teams.yml")
    assert expected in str(info.value)
    assert str(info.value).startswith("teams.yml")
