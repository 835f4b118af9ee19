"""Reading what a person typed from what Slack sends (bot.text.read_argument), checked
against the Slack stand-in's own rendering of typed text (what Slack makes of it)."""

from __future__ import annotations

import random

import pytest

from bot.standins.slack.standin import slack_text
from bot.text import Mention, is_salesforce_record_url, read_argument

USERS = {"ana": ("U0ANA00001", "ana"), "raj.rep": ("U0RAJ00001", "raj.rep")}
CHANNELS = {"smb-east": ("C0SMBEAST01", "smb-east"), "general": ("C0GENERAL01", "general")}
GROUPS = {"sales": ("S0SALES001", "sales")}
WORDS = [
    "Acme", "Corp", "Booking.com", "booking.com", "www.hotels.com", "acme.io/orders",
    "https://example.com/a?b=1", "http://x.org", "ana.rep@example.com", "a+b@mail.co.uk",
    "O'Hare", "&", "Signal", "<Sons>", "100%", "a_b", "back\\slash", "Zürich", "@ana",
    "@raj.rep", "@nobody", "#smb-east", "#general", "#nochannel", "@sales", "@here",
    "@channel", "123", "#123", "ESC-0042", "mine", "see", "acme.com.", "(x.com)", "&amp;",
]  # fmt: skip


def as_sent(typed: str) -> str:
    return slack_text(typed, users=USERS, channels=CHANNELS, groups=GROUPS)


@pytest.mark.parametrize("seed", range(40))
def test_what_slack_sends_reads_back_as_typed(seed: int) -> None:
    rng = random.Random(seed)
    typed = " ".join(rng.choice(WORDS) for _ in range(rng.randint(1, 6)))
    arg = read_argument(as_sent(typed))
    assert arg.text == " ".join(typed.split()), as_sent(typed)
    assert read_argument(arg.to_slack()) == arg  # what a button carries reads the same


@pytest.mark.parametrize(
    ("sent", "text", "mention"),
    [
        ("<http://Booking.com|Booking.com>", "Booking.com", None),
        ("<mailto:a@b.com|a@b.com>", "a@b.com", None),
        ("<mailto:a@b.com>", "a@b.com", None),
        ("<https://x.com/a>", "https://x.com/a", None),
        ("<@U0ANA00001|ana>", "@ana", Mention("user", "U0ANA00001", "ana")),
        # without a name: Slack's own mention (shown as the name), never a bare id
        ("<@U0ANA00001>", "<@U0ANA00001>", Mention("user", "U0ANA00001", "")),
        ("<#C0SMBEAST01|smb-east>", "#smb-east", Mention("channel", "C0SMBEAST01", "smb-east")),
        ("<#C0SMBEAST01|>", "<#C0SMBEAST01>", Mention("channel", "C0SMBEAST01", "")),
        ("<!subteam^S0SALES001|@sales>", "@sales", Mention("group", "S0SALES001", "sales")),
        ("<!subteam^S0SALES001>", "a user group", Mention("group", "S0SALES001", "")),
        ("<!here>", "@here", Mention("special", "here", "here")),
        ("<!date^1392734382^{date}|Feb 18, 2014>", "Feb 18, 2014", None),
        # no fallback: the date itself, in UTC (Slack's tokens)
        ("<!date^1392734382^{date}>", "February 18th, 2014", None),
        ("<!date^1392734382^{date_num} {time}>", "2014-02-18 14:39 UTC", None),
        ("<!date^1392734382^{date_long}^https://x.com>", "Tuesday, February 18th, 2014", None),
        ("Acme &amp; &lt;Sons&gt;", "Acme & <Sons>", None),
        ("&lt;@U0ANA00001&gt;", "<@U0ANA00001>", None),  # typed literally: not a mention
        ("<http://Booking.com|Booking.com>'s", "Booking.com's", None),
        ("", "", None),
    ],
)
def test_each_kind_of_markup(sent: str, text: str, mention: Mention | None) -> None:
    arg = read_argument(sent)
    assert arg.text == text and arg.mention == mention


ACME = "001000000000001AAA"


@pytest.mark.parametrize(
    ("sent", "text"),
    [
        (f"<https://acme.lightning.force.com/lightning/r/Account/{ACME}/view|Acme>",
         f"https://acme.lightning.force.com/lightning/r/Account/{ACME}/view"),
        (f"<https://acme.my.salesforce.com/{ACME[:15]}|the account>",
         f"https://acme.my.salesforce.com/{ACME[:15]}"),
        (f"<http://127.0.0.1:8443/lightning/r/Account/{ACME}/view|card>",
         f"http://127.0.0.1:8443/lightning/r/Account/{ACME}/view"),
        ("<https://acme.my.salesforce.com/lightning/page/home|home>", "home"),
        ("<https://www.salesforce.com/products/|Salesforce>", "Salesforce"),
        (f"<https://example.com/{ACME}|a lookalike>", "a lookalike"),
    ],
)  # fmt: skip
def test_a_link_to_a_salesforce_record_is_its_url(sent: str, text: str) -> None:
    assert read_argument(sent).text == text


@pytest.mark.parametrize(
    ("url", "record"),
    [
        ("https://x.lightning.force.com/lightning/r/Order/801000000000001AAA/view", True),
        ("https://x.my.salesforce.com/801000000000001", True),
        ("https://x.my.salesforce.com/lightning/o/Account/list", False),
        ("https://x.my.salesforce.com/ABCDEFGHIJKLMNO", False),  # no digit: not an Id
        ("mailto:a@b.com", False),
        ("https://[::1", False),
    ],
)
def test_salesforce_record_urls(url: str, record: bool) -> None:
    assert is_salesforce_record_url(url) is record


def test_words_keep_their_mentions() -> None:
    arg = read_argument("subscribe <#C0SMBEAST01|smb-east> weekly at 9:30")
    assert [w.text for w in arg.words] == ["subscribe", "#smb-east", "weekly", "at", "9:30"]
    assert arg.words[1].mention == Mention("channel", "C0SMBEAST01", "smb-east")
    assert arg.mention is None and arg.user is None
    assert read_argument("<@U0RAJ00001|raj.rep>").user == "U0RAJ00001"
    assert read_argument("<@U0RAJ00001|raj.rep>'s").user is None  # not only the mention
