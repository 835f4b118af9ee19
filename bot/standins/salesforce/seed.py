"""The sandbox org's seeded demo data: a telecom/media B2B sales org.

``generate(seed, today)`` builds a deterministic data set in INTERFACE.md's data-file
shape (an object keyed by sObject name, lists of records keyed by field API name)
for an Optimum Business-style sales org: a director, three sales managers, seven
account managers and one former rep; ~15 internet/voice/video/ethernet/advertising
products; ~200 accounts with contacts, contracts, opportunities, orders with order
products, and cases.

Every date is relative to ``today`` so that "yesterday", "this week" and "this
quarter" always have content: orders activated yesterday, deals won and lost
yesterday, deals closing this week, slipped deals, overdue draft orders ("not
dones"), orders stuck in Pending Install / Provisioning, cases opened yesterday and
contracts expiring within 90 days. Datetimes are business hours in New York written
in UTC, never later than the end of yesterday.

The same ``seed`` and ``today`` give the same data, byte for byte as JSON.
``orders=`` scales the order count (items follow; accounts and everything hanging
off them grow with it up to ``MAX_ACCOUNTS``) for benchmarks; ``big_account_orders=N``
gives Acme Corp N of those orders (the other "random" orders move to it), the large
account whose card the card benchmark reads.

    python -m bot.standins.salesforce.seed --seed 42 [--orders N] [--big-account-orders N]
        [--today YYYY-MM-DD] > org.json
"""

from __future__ import annotations

import argparse
import calendar
import datetime as dt
import json
import math
import random
import sys
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar
from zoneinfo import ZoneInfo

from bot.standins.salesforce import schema
from bot.standins.salesforce.seed_sharing import add_sharing

NEW_YORK = ZoneInfo("America/New_York")
WORKDAY_START, WORKDAY_SECONDS = 8 * 3600, 11 * 3600  # stamps fall in 8:00-18:59 local
DEMO_TEAMS_FILE = Path(__file__).with_name("demo_teams.yml")

DEFAULT_ORDERS = 800
ACCOUNTS_PER_ORDER = 0.25  # 800 orders -> 200 accounts
MIN_ACCOUNTS = 200
MAX_ACCOUNTS = 5000
OPPORTUNITIES_PER_ACCOUNT = 3.0
CASES_PER_ACCOUNT = 1.5

Record = dict[str, Any]
T = TypeVar("T")


def weighted(weights: dict[str, int]) -> tuple[str, ...]:
    """A table of integer weights as a tuple to draw from uniformly (fast and exact)."""
    return tuple(value for value, weight in weights.items() for _ in range(weight))


# --- users ---------------------------------------------------------------------------


@dataclass(frozen=True)
class SeedUser:
    key: str
    first: str
    last: str
    email: str
    title: str
    department: str
    manager: str | None  # key of the manager
    slack_id: str
    team: str | None = None  # team (in demo_teams.yml) whose accounts this rep owns
    active: bool = True

    @property
    def name(self) -> str:
        return f"{self.first} {self.last}"

    @property
    def is_manager(self) -> bool:
        return self.team is None and self.active


USERS: tuple[SeedUser, ...] = (
    SeedUser("denise", "Denise", "Caldwell", "denise.caldwell@example.com",
             "Director, Business Sales", "Business Sales", None, "U0DIR00001"),
    SeedUser("marcus", "Marcus", "Bell", "marcus.bell@example.com",
             "Sales Manager, SMB East", "SMB Sales", "denise", "U0MGR00001"),
    SeedUser("priya", "Priya", "Natarajan", "priya.natarajan@example.com",
             "Sales Manager, Enterprise NYC", "Enterprise Sales", "denise", "U0MGR00002"),
    SeedUser("tom", "Tom", "Kowalski", "tom.kowalski@example.com",
             "Sales Manager, Media & Advertising", "Advertising Sales", "denise", "U0MGR00003"),
    SeedUser("ana", "Ana", "Ruiz", "ana.rep@example.com",
             "Account Manager", "SMB Sales", "marcus", "U0ANA00001", "smb-east"),
    SeedUser("raj", "Raj", "Patel", "raj.rep@example.com",
             "Senior Account Manager", "SMB Sales", "marcus", "U0RAJ00001", "smb-east"),
    SeedUser("kevin", "Kevin", "Doyle", "kevin.doyle@example.com",
             "Account Manager", "SMB Sales", "marcus", "U0KEV00001", "smb-east"),
    SeedUser("lauren", "Lauren", "Chen", "lauren.chen@example.com",
             "Enterprise Account Executive", "Enterprise Sales", "priya", "U0LAU00001",
             "enterprise-nyc"),
    SeedUser("david", "David", "Goldberg", "david.goldberg@example.com",
             "Senior Enterprise Account Executive", "Enterprise Sales", "priya", "U0DAV00001",
             "enterprise-nyc"),
    SeedUser("jamal", "Jamal", "Washington", "jamal.washington@example.com",
             "Advertising Account Executive", "Advertising Sales", "tom", "U0JAM00001",
             "media-sales"),
    SeedUser("emily", "Emily", "Novak", "emily.novak@example.com",
             "Political & Public Affairs Account Manager", "Advertising Sales", "tom",
             "U0EMI00001", "media-sales"),
    # Left the company: still the owner of old orders and closed deals.
    SeedUser("brian", "Brian", "Walsh", "brian.walsh@example.com",
             "Account Manager", "SMB Sales", "marcus", "U0BRI00001", "smb-east", active=False),
)  # fmt: skip

# Which team sells to which segment of accounts.
SEGMENT_TEAMS = {"smb": "smb-east", "enterprise": "enterprise-nyc", "media": "media-sales"}
FORMER_REP = "brian"

DEMO_SLACK_USERS: dict[str, dict[str, Any]] = {
    u.slack_id: {
        "name": u.email.split("@")[0],
        "real_name": u.name,
        "email": u.email,
        "is_manager": u.is_manager,
        "title": u.title,
    }
    for u in USERS
}

# --- products ------------------------------------------------------------------------


@dataclass(frozen=True)
class SeedProduct:
    code: str
    name: str
    family: str
    price: float  # monthly recurring, or per spot / flight for advertising
    qty: tuple[int, int]
    description: str


PRODUCTS: tuple[SeedProduct, ...] = (
    SeedProduct("BI-300", "Business Internet 300 Mbps", "Internet", 99.0, (1, 1),
                "Coax business internet, 300/20 Mbps"),
    SeedProduct("BI-500", "Business Internet 500 Mbps", "Internet", 149.0, (1, 1),
                "Coax business internet, 500/35 Mbps"),
    SeedProduct("BI-1G", "Business Internet 1 Gig", "Internet", 249.0, (1, 2),
                "Fiber-to-the-premises internet, 1 Gbps symmetrical"),
    SeedProduct("IP-STATIC-5", "Static IP Block (5 usable)", "Internet", 25.0, (1, 1),
                "/29 static IPv4 block"),
    SeedProduct("ETH-1G", "Fiber Ethernet 1G (EDIA)", "Ethernet", 1200.0, (1, 2),
                "Dedicated internet access over fiber, 1 Gbps, 99.99% SLA"),
    SeedProduct("ETH-10G", "Fiber Ethernet 10G (EDIA)", "Ethernet", 4500.0, (1, 1),
                "Dedicated internet access over fiber, 10 Gbps, 99.99% SLA"),
    SeedProduct("EPL-1G", "Ethernet Private Line 1G", "Ethernet", 1650.0, (1, 2),
                "Point-to-point layer 2 private line between two sites"),
    SeedProduct("SIP-TRUNK", "SIP Trunk (per call path)", "Voice", 22.0, (4, 46),
                "SIP trunking for on-premises PBX, priced per concurrent call path"),
    SeedProduct("HV-SEAT", "Hosted Voice Seat", "Voice", 29.0, (3, 80),
                "Cloud PBX seat with desk phone and mobile app"),
    SeedProduct("BTV-OUTLET", "Business TV (per outlet)", "Video", 45.0, (1, 24),
                "Business TV core lineup, per TV outlet"),
    SeedProduct("MWIFI-AP", "Managed Wi-Fi (per access point)", "Managed Services", 35.0,
                (2, 40), "Managed guest and staff Wi-Fi, per access point"),
    SeedProduct("SDWAN-SITE", "Managed SD-WAN (per site)", "Managed Services", 325.0, (1, 12),
                "Managed SD-WAN edge with 24x7 monitoring"),
    SeedProduct("LTE-BACKUP", "Connection Backup (LTE)", "Managed Services", 45.0, (1, 3),
                "Automatic LTE failover for business internet"),
    SeedProduct("ADV-TV30", "Local TV Ad Spot (:30)", "Advertising", 350.0, (10, 200),
                "30-second spot on local cable zones"),
    SeedProduct("ADV-STREAM", "Streaming Ad Package (CTV/OTT)", "Advertising", 4800.0, (1, 4),
                "Addressable streaming TV impressions package"),
    SeedProduct("ADV-AUDIENCE", "Audience Targeted Digital Package", "Advertising", 2500.0,
                (1, 6), "Data-driven digital display and video package"),
    SeedProduct("ADV-POLITICAL", "Political Ad Flight", "Advertising", 12500.0, (1, 3),
                "Political / public affairs flight, candidate or issue"),
)  # fmt: skip

# Product codes each kind of account buys; the first is the most common.
PRODUCT_MIX: dict[str, tuple[str, ...]] = {
    "smb": ("BI-500", "BI-300", "BI-1G", "HV-SEAT", "IP-STATIC-5", "BTV-OUTLET",
            "SIP-TRUNK", "MWIFI-AP", "LTE-BACKUP"),
    "enterprise": ("ETH-1G", "BI-1G", "ETH-10G", "EPL-1G", "SIP-TRUNK", "HV-SEAT",
                   "SDWAN-SITE", "IP-STATIC-5", "MWIFI-AP"),
    "media": ("ADV-TV30", "ADV-STREAM", "ADV-AUDIENCE"),
    "political": ("ADV-POLITICAL", "ADV-TV30", "ADV-STREAM", "ADV-AUDIENCE"),
}  # fmt: skip

# --- accounts ------------------------------------------------------------------------

# (city, state, postal code, area code); the tri-state area first, then a few
# Suddenlink-footprint towns elsewhere.
CITIES: tuple[tuple[str, str, str, str], ...] = (
    ("New York", "NY", "10001", "212"), ("Brooklyn", "NY", "11201", "718"),
    ("Long Island City", "NY", "11101", "718"), ("Bronx", "NY", "10451", "718"),
    ("Yonkers", "NY", "10701", "914"), ("White Plains", "NY", "10601", "914"),
    ("New Rochelle", "NY", "10801", "914"), ("Garden City", "NY", "11530", "516"),
    ("Hempstead", "NY", "11550", "516"), ("Melville", "NY", "11747", "631"),
    ("Hauppauge", "NY", "11788", "631"), ("Huntington", "NY", "11743", "631"),
    ("Riverhead", "NY", "11901", "631"), ("Poughkeepsie", "NY", "12601", "845"),
    ("Newark", "NJ", "07102", "973"), ("Jersey City", "NJ", "07302", "201"),
    ("Hoboken", "NJ", "07030", "201"), ("Paramus", "NJ", "07652", "201"),
    ("Hackensack", "NJ", "07601", "201"), ("Morristown", "NJ", "07960", "973"),
    ("Edison", "NJ", "08817", "732"), ("Red Bank", "NJ", "07701", "732"),
    ("Toms River", "NJ", "08753", "732"), ("Freehold", "NJ", "07728", "732"),
    ("Stamford", "CT", "06901", "203"), ("Norwalk", "CT", "06851", "203"),
    ("Bridgeport", "CT", "06604", "203"), ("New Haven", "CT", "06510", "203"),
    ("Greenwich", "CT", "06830", "203"), ("Danbury", "CT", "06810", "203"),
)  # fmt: skip
OTHER_CITIES: tuple[tuple[str, str, str, str], ...] = (
    ("Tyler", "TX", "75701", "903"), ("Charleston", "WV", "25301", "304"),
    ("Lake Charles", "LA", "70601", "337"), ("Fayetteville", "AR", "72701", "479"),
    ("Greenville", "NC", "27834", "252"), ("Bartlesville", "OK", "74003", "918"),
)  # fmt: skip
OTHER_CITY_SHARE = 0.08

STREETS = ("Main St", "Broadway", "Park Ave", "Water St", "Old Country Rd", "Jericho Tpke",
           "Boston Post Rd", "Central Ave", "Market St", "River Rd", "Route 17", "Summit Ave",
           "Atlantic Ave", "Hillside Ave", "Washington Blvd", "Elm St")  # fmt: skip

PLACES = ("Hudson", "Bergen", "Westchester", "Tri-State", "Garden State", "Empire",
          "Harbor", "Bay Ridge", "Astoria", "Flatbush", "Montauk", "Nassau", "Suffolk",
          "Passaic", "Monmouth", "Fairfield", "Palisades", "Catskill", "Adirondack",
          "Sound Shore", "Riverside", "Liberty", "Meadowlands", "Seaport", "Shoreline",
          "Parkway", "Summit", "Highland", "Maple", "Main Street", "Union Square",
          "Kings County", "Gotham", "Metro", "North Shore", "South Shore", "Ironbound",
          "Crescent", "Greenpoint", "Ramapo", "Saugatuck", "Raritan", "Mohawk",
          "Long Beach", "Harlem")  # fmt: skip
SURNAMES = ("Rossi", "Kaplan", "Murphy", "Delgado", "Nguyen", "Goldstein", "Brennan",
            "Castillo", "Levy", "Romano", "Schwartz", "Okafor", "Sullivan", "Ferraro",
            "Kim", "Morales", "Fitzgerald", "Shapiro", "Russo", "Greene", "Herrera",
            "Lombardi", "Friedman", "Costa", "Hughes", "Bianchi", "Rosen", "Vargas",
            "Mancini", "Quinn", "Ortiz", "Weiss", "Marchetti", "Dunn", "Silva", "Caruso",
            "Adler", "Reyes", "Conti", "Stein", "Barrett", "Santos", "Kessler", "Moreno",
            "Gallagher")  # fmt: skip
FIRST_NAMES = ("Maria", "James", "Linda", "Robert", "Jessica", "Michael", "Sarah", "Luis",
               "Karen", "Anthony", "Nicole", "Daniel", "Rachel", "Joseph", "Angela",
               "Christopher", "Michelle", "Steven", "Laura", "Vincent", "Tiffany", "Andrew",
               "Denise", "Frank", "Monica", "Patrick", "Yolanda", "Samuel", "Grace", "Omar",
               "Heather", "Victor", "Diana", "Brandon", "Carmen", "Eric", "Natalie", "Kwame",
               "Mei", "Tariq")  # fmt: skip

# Name templates per segment: (Industry, template, kind). Placeholders: {place},
# {surname}, {first}, {town}. kind "political" buys political flights.
NAME_TEMPLATES: dict[str, tuple[tuple[str, str, str], ...]] = {
    "smb": (
        ("Healthcare", "{place} Family Dental", ""), ("Healthcare", "{surname} Pediatrics", ""),
        ("Healthcare", "{place} Urgent Care", ""), ("Healthcare", "{place} Physical Therapy", ""),
        ("Healthcare", "{place} Veterinary Clinic", ""),
        ("Healthcare", "{surname} Orthodontics", ""),
        ("Retail", "{place} Hardware", ""), ("Retail", "{surname} Wine & Spirits", ""),
        ("Retail", "{place} Bike Shop", ""), ("Retail", "{surname} Florist", ""),
        ("Retail", "{place} Pharmacy", ""), ("Retail", "{place} Furniture Outlet", ""),
        ("Hospitality", "{place} Diner", ""), ("Hospitality", "Bistro {surname}", ""),
        ("Hospitality", "{place} Inn", ""), ("Hospitality", "{place} Bagel Co.", ""),
        ("Hospitality", "{surname} Pizzeria", ""),
        ("Hospitality", "{place} Brewing Company", ""),
        ("Construction", "{surname} Builders", ""), ("Construction", "{place} Roofing", ""),
        ("Construction", "{surname} Electric", ""),
        ("Construction", "{place} Plumbing & Heating", ""),
        ("Finance", "{surname} Tax & Accounting", ""),
        ("Insurance", "{surname} Insurance Agency", ""),
        ("Finance", "{place} Wealth Partners", ""),
        ("Not For Profit", "{place} Community Center", ""),
        ("Not For Profit", "{town} Youth Soccer League", ""),
        ("Transportation", "{place} Auto Body", ""),
        ("Transportation", "{place} Moving & Storage", ""),
        ("Transportation", "{surname} Limousine", ""),
        ("Other", "{surname} Law Group", ""), ("Other", "{place} Realty", ""),
    ),
    "enterprise": (
        ("Healthcare", "{place} Health System", ""), ("Healthcare", "{place} Medical Center", ""),
        ("Education", "{town} School District", ""), ("Education", "{place} College", ""),
        ("Education", "{place} Charter Academy", ""), ("Government", "Town of {town}", ""),
        ("Government", "{town} Housing Authority", ""),
        ("Government", "{town} Public Library", ""),
        ("Banking", "{place} Savings Bank", ""), ("Banking", "{place} Federal Credit Union", ""),
        ("Finance", "{surname} Capital Partners", ""),
        ("Manufacturing", "{place} Precision Manufacturing", ""),
        ("Manufacturing", "{surname} Industries", ""),
        ("Technology", "{place} Data Systems", ""), ("Technology", "{surname} Software", ""),
        ("Transportation", "{place} Logistics", ""),
        ("Transportation", "{place} Freight Lines", ""),
        ("Telecommunications", "{place} Communications", ""),
        ("Hospitality", "{place} Hotel & Conference Center", ""),
        ("Retail", "{place} Supermarkets", ""), ("Insurance", "{place} Mutual Insurance", ""),
        ("Energy", "{place} Energy Services", ""), ("Utilities", "{town} Water Authority", ""),
    ),
    "media": (
        ("Media", "{place} Media Group", ""), ("Media", "{place} Radio", ""),
        ("Media", "{place} Publishing", ""), ("Media", "{surname} Creative Agency", ""),
        ("Media", "{place} Marketing Partners", ""), ("Entertainment", "{place} Theatre", ""),
        ("Entertainment", "{surname} Productions", ""), ("Retail", "{place} Auto Group", ""),
        ("Retail", "{surname} Furniture", ""), ("Retail", "{place} Mattress Outlet", ""),
        ("Healthcare", "{place} Dental Associates", ""),
        ("Hospitality", "{place} Resort & Spa", ""),
        ("Other", "{first} {surname} for Assembly", "political"),
        ("Other", "{first} {surname} for Congress", "political"),
        ("Other", "Friends of {first} {surname}", "political"),
        ("Not For Profit", "{place} Public Affairs Council", "political"),
    ),
}  # fmt: skip

SEGMENTS = weighted({"smb": 50, "enterprise": 30, "media": 20})
SEGMENT_EMPLOYEES = {"smb": (4, 150), "enterprise": (200, 8000), "media": (8, 1500)}
PROSPECT_SHARE = 0.15
CONTRACT_SHARE = 0.7  # of customers; ~60% of all accounts
CONTRACT_BUCKETS = weighted({"active": 60, "expiring": 15, "expired": 15, "pending": 10})
BRANCH_SHARE = 0.02  # accounts that are a branch (ParentId) of another

# Health profile of customer accounts: green (recent activity, nothing overdue),
# amber (mixed), red (two of RED_INGREDIENTS).
PROFILES = weighted({"green": 40, "amber": 40, "red": 20})
RED_INGREDIENTS = ("escalated_case", "overdue_draft", "stuck_order", "expiring_contract", "stale")


@dataclass(frozen=True)
class SpecialAccount:
    name: str
    segment: str
    industry: str
    owner: str
    profile: str
    ingredients: tuple[str, ...] = ()
    parent: str | None = None
    city: tuple[str, str, str, str] = CITIES[0]
    kind: str = ""


# Names that exercise search: a picker for "Acme", quotes, SOQL LIKE wildcards (% _),
# a backslash, and non-ASCII letters. They come first (Acme Corp is A-10001).
SPECIAL_ACCOUNTS: tuple[SpecialAccount, ...] = (
    SpecialAccount("Acme Corp", "smb", "Manufacturing", "ana", "red",
                   ("escalated_case", "expiring_contract"), city=CITIES[1]),
    SpecialAccount("Acme Corp - Brooklyn", "smb", "Manufacturing", "ana", "green",
                   parent="Acme Corp", city=CITIES[1]),
    SpecialAccount("Acme Media Group", "media", "Media", "jamal", "green"),
    SpecialAccount("Acme Logistics LLC", "enterprise", "Transportation", "david", "amber",
                   city=CITIES[14]),
    SpecialAccount("O'Hare Signal & Sons", "smb", "Construction", "raj", "red",
                   ("overdue_draft", "stale"), city=CITIES[17]),
    SpecialAccount("100% Fiber Co", "enterprise", "Telecommunications", "lauren", "amber",
                   city=CITIES[24]),
    SpecialAccount("Under_Score Studios", "media", "Entertainment", "emily", "green",
                   city=CITIES[2]),
    SpecialAccount("Back\\slash Networks", "enterprise", "Technology", "lauren", "red",
                   ("stuck_order", "escalated_case"), city=CITIES[15]),
    SpecialAccount("Café Lumière Media", "media", "Media", "jamal", "amber", city=CITIES[16]),
    SpecialAccount("Zürich Data AG", "enterprise", "Finance", "david", "green"),
)  # fmt: skip

CONTACT_TITLES = {
    "smb": ("Owner", "Office Manager", "Practice Manager", "General Manager", "Bookkeeper"),
    "enterprise": ("IT Director", "Network Engineer", "CIO", "Procurement Manager",
                   "Facilities Director", "Telecom Manager", "Controller"),
    "media": ("Marketing Director", "Media Buyer", "Campaign Manager", "Owner",
              "Account Supervisor", "Treasurer"),
}  # fmt: skip

# --- opportunities, orders, cases ----------------------------------------------------

OPEN_STAGES_BY_HORIZON: tuple[tuple[int, tuple[str, ...]], ...] = (
    # days until CloseDate (upper bound) -> plausible stages
    (0, ("Proposal/Price Quote", "Negotiation/Review", "Perception Analysis")),  # slipped
    (14, ("Negotiation/Review", "Proposal/Price Quote", "Perception Analysis")),
    (45, ("Id. Decision Makers", "Value Proposition", "Proposal/Price Quote",
          "Perception Analysis")),
    (10_000, ("Prospecting", "Qualification", "Needs Analysis", "Value Proposition")),
)  # fmt: skip
# Chance that an open deal in this stage is forecast "Best Case" instead of the default.
BEST_CASE_SHARE = {
    "Id. Decision Makers": 0.15,
    "Perception Analysis": 0.4,
    "Proposal/Price Quote": 0.4,
    "Negotiation/Review": 0.25,
}
OPPORTUNITY_TYPES = weighted(
    {
        "New Business": 45,
        "Existing Customer - Upgrade": 25,
        "Renewal": 18,
        "Existing Customer - Replacement": 7,
        "Existing Customer - Downgrade": 5,
    }
)
LEAD_SOURCES = ("Web", "Phone Inquiry", "Partner Referral", "Purchased List", "Other")
NEXT_STEPS = (
    "Send revised quote",
    "Site survey scheduled",
    "Serviceability check with construction",
    "Legal review of MSA",
    "Pricing approval (ROI) submitted",
    "Demo hosted voice portal",
    "Follow up with CFO",
    "Confirm flight dates and creative specs",
    "Awaiting signed order form",
    "Present proposal on-site",
)

ORDER_STATUSES = weighted({"Activated": 62, "Draft": 13, "Pending Install": 13, "Provisioning": 12})
SERVICE_ORDER_TYPES = weighted(
    {"New": 35, "Add": 20, "Change": 15, "Move": 10, "Renewal": 12, "Disconnect": 8}
)
AD_ORDER_TYPES = weighted({"New": 60, "Renewal": 25, "Change": 15})
DISCOUNTS = (0.0, 0.0, 0.0, 0.05, 0.1, 0.15)
ACTIVATION_HISTORY_DAYS = 400  # activated orders spread over this many days, recent first
ACTIVATED_DAYS_AGO = {  # guaranteed recent activations: scenario -> days ago (low, high)
    "activated_yesterday": (1, 1),
    "activated_this_week": (2, 6),
    "activated_last_week": (7, 13),
}
ORDER_NOTES: dict[str, tuple[str, ...]] = {
    "Draft": ("Quote accepted; awaiting signed order form", "Waiting on customer PO",
              "Credit check pending", "Serviceability check requested",
              "LOA/CSR needed from customer for number port"),
    "Pending Install": ("Install scheduled; tech dispatch pending",
                        "Waiting on landlord access for fiber build",
                        "Customer rescheduled install window",
                        "Construction permit pending with municipality",
                        "Site survey complete; splice crew not yet assigned"),
    "Provisioning": ("Circuit build in progress", "Equipment shipped; awaiting turn-up",
                     "Static IP assignment pending", "Number port FOC date pending",
                     "Core config waiting on change window"),
    "Activated": ("Installed and tested", "Service turned up; customer accepted",
                  "Activated; billing started", "Move completed at new location"),
    "ads": ("Creative assets pending from agency", "Flight booked; awaiting traffic "
            "instructions", "Creative QA failed; resubmission requested",
            "Insertion order signed", "Campaign live; delivery on pace"),
}  # fmt: skip

# (Type, Reason, Subject) per kind of account.
CASE_TEMPLATES: dict[str, tuple[tuple[str, str, str], ...]] = {
    "services": (
        ("Billing", "Billing Dispute", "Double-billed for static IP block"),
        ("Billing", "Billing Dispute", "Outage credit not applied to invoice"),
        ("Billing", "Contract Terms", "Invoice shows wrong contract rate"),
        ("Billing", "Contract Terms", "Early termination fee charged in error"),
        ("Billing", "Billing Dispute", "Promo pricing rolled off without notice"),
        ("Installation", "Install Delay", "Install date missed — tech no-show"),
        ("Installation", "Install Delay", "Fiber install needs landlord access letter"),
        ("Installation", "Equipment", "Wrong modem delivered for install"),
        ("Installation", "Install Delay", "Need to reschedule install window"),
        ("Disconnect", "Other", "Disconnect request — location closing"),
        ("Disconnect", "Billing Dispute", "Still billed after disconnect date"),
        ("Disconnect", "Equipment", "Equipment return label never received"),
        ("Service Outage", "Service Down", "Internet down at main office"),
        ("Service Outage", "Service Down", "Intermittent packet loss on EDIA circuit"),
        ("Service Outage", "Service Down", "Hosted voice — one-way audio on outbound calls"),
        ("Service Outage", "Equipment", "Business TV channels pixelating"),
        ("Service Outage", "Service Down", "SIP trunks failing over to backup"),
        ("Service Outage", "Equipment", "Wi-Fi access points offline after storm"),
        ("Order Quality", "Wrong Order", "Order entered with wrong service address"),
        ("Order Quality", "Wrong Order", "Static IP missing on activated order"),
        ("Order Quality", "Wrong Order", "Seat count on order doesn't match quote"),
        ("Question", "Other", "How do we add seats to hosted voice?"),
        ("Question", "Contract Terms", "Request for copy of signed contract"),
        ("Question", "Other", "Serviceability check for new location"),
        ("Other", "Other", "Update billing contact and invoice email"),
    ),
    "ads": (
        ("Order Quality", "Wrong Order", "Ad flight booked on wrong daypart"),
        ("Order Quality", "Wrong Order", "Spot ran with outdated pricing in creative"),
        ("Order Quality", "Other", "Streaming campaign under-delivering impressions"),
        ("Billing", "Billing Dispute", "Invoice includes make-good spots"),
        ("Billing", "Billing Dispute", "Agency commission not deducted"),
        ("Question", "Other", "Political ad disclosure requirements"),
        ("Question", "Other", "Request proof of performance / affidavit"),
        ("Other", "Other", "Creative assets rejected — wrong file format"),
    ),
}
CASE_TYPE_PRIORITY = {"Service Outage": ("High", "High", "Medium"), "Question": ("Low",)}
CASE_STATUSES = weighted({"Closed": 57, "New": 11, "Working": 19, "On Hold": 7, "Escalated": 6})
CASE_ORIGINS = ("Phone", "Email", "Web")


# --- calendar helpers ----------------------------------------------------------------


def _add_months(d: dt.date, months: int) -> dt.date:
    month0 = d.month - 1 + months
    year, month = d.year + month0 // 12, month0 % 12 + 1
    return dt.date(year, month, min(d.day, calendar.monthrange(year, month)[1]))


def quarter_start(d: dt.date) -> dt.date:
    return dt.date(d.year, 3 * ((d.month - 1) // 3) + 1, 1)


class Calendar:
    """Dates relative to ``today`` and their JSON spellings (cached: they repeat)."""

    def __init__(self, today: dt.date) -> None:
        self.today = today
        self.yesterday = today - dt.timedelta(days=1)
        self.quarter = quarter_start(today)
        self.last_quarter = _add_months(self.quarter, -3)
        self.next_quarter_end = _add_months(self.quarter, 6) - dt.timedelta(days=1)
        self.iso_week_end = today + dt.timedelta(days=6 - today.weekday())  # Sunday
        self.us_week_end = today + dt.timedelta(days=(5 - today.weekday()) % 7)  # Saturday
        self._dates: dict[dt.date, str] = {}
        self._days: dict[dt.date, tuple[str, list[str]]] = {}
        self._times: dict[int, list[str]] = {}

    def ago(self, days: int) -> dt.date:
        return self.today - dt.timedelta(days=days)

    def ahead(self, days: int) -> dt.date:
        return self.today + dt.timedelta(days=days)

    def date(self, d: dt.date) -> str:
        text = self._dates.get(d)
        if text is None:
            text = self._dates[d] = d.isoformat()
        return text

    def stamp(self, d: dt.date, fraction: float) -> str:
        """Salesforce's UTC datetime text for a New York business-hours time on day
        ``d`` (at the latest yesterday); ``fraction`` in [0, 1) picks the time between
        8:00 and 18:59:59. Business hours in New York are the same day in UTC."""
        if d > self.yesterday:
            d = self.yesterday
        day = self._days.get(d)
        if day is None:
            day = self._days[d] = (d.isoformat() + "T", self._times_for(d))
        prefix, times = day
        return prefix + times[int(fraction * WORKDAY_SECONDS)]

    def _times_for(self, d: dt.date) -> list[str]:
        """Every business-hours second of day ``d`` as UTC "HH:MM:SS.000+0000" text."""
        noon = dt.datetime(d.year, d.month, d.day, 12, tzinfo=NEW_YORK)
        shift = -int((noon.utcoffset() or dt.timedelta()).total_seconds())
        times = self._times.get(shift)
        if times is None:
            start = WORKDAY_START + shift
            times = self._times[shift] = [
                f"{t // 3600:02d}:{t // 60 % 60:02d}:{t % 60:02d}.000+0000"
                for t in range(start, start + WORKDAY_SECONDS)
            ]
        return times


_DIGITS = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
_PAIRS = [a + b for a in _DIGITS for b in _DIGITS]
_PAIR_UPPER = [a.isupper() | b.isupper() << 1 for a in _DIGITS for b in _DIGITS]
_CHECK = "ABCDEFGHIJKLMNOPQRSTUVWXYZ012345"


class IdMaker:
    """``schema.make_id(prefix, n)`` for the sequential numbers a seed needs, fast.

    An Id is prefix + "000" + nine base-62 digits + a 3-character checksum, one
    character per five. Below 62**5 the first four digits are "0", so only the last
    five digits and the last checksum character vary; both come from tables.
    """

    LIMIT = 62**5

    def __init__(self, prefix: str) -> None:
        self.prefix = prefix
        zero = schema.make_id(prefix, 0)
        self.head, self.check = zero[:10], zero[15:17]

    def __call__(self, n: int) -> str:
        if not 0 <= n < self.LIMIT:
            return schema.make_id(self.prefix, n)
        high, low = divmod(n, 3844)
        first, middle = divmod(high, 3844)
        bits = _DIGITS[first].isupper() | _PAIR_UPPER[middle] << 1 | _PAIR_UPPER[low] << 3
        return f"{self.head}{_DIGITS[first]}{_PAIRS[middle]}{_PAIRS[low]}{self.check}{_CHECK[bits]}"


# --- the generator -------------------------------------------------------------------


@dataclass
class _Account:
    id: str
    name: str
    owner: str  # user key
    segment: str
    industry: str
    kind: str  # "" or "political"
    profile: str  # green / amber / red / prospect
    ingredients: tuple[str, ...]
    contacts: list[str] = field(default_factory=list)
    contract_id: str | None = None  # an Activated contract orders may reference

    @property
    def mix(self) -> str:
        return "political" if self.kind == "political" else self.segment

    @property
    def ads(self) -> bool:
        return self.segment == "media"


class _Generator:
    def __init__(self, seed: int, today: dt.date, orders: int, big_account_orders: int = 0) -> None:
        self.big_account_orders = big_account_orders
        self.rng = random.Random(seed)
        self.random = self.rng.random
        self.cal = Calendar(today)
        self.n_orders = orders
        self.former_rep_before = self.cal.ago(120)  # FORMER_REP owned records older than this
        self.n_accounts = min(MAX_ACCOUNTS, max(MIN_ACCOUNTS, round(orders * ACCOUNTS_PER_ORDER)))
        self.scale = max(1, orders // DEFAULT_ORDERS)  # how many of each guaranteed case
        self.user_ids = {u.key: schema.make_id("005", i + 1) for i, u in enumerate(USERS)}
        self.team_reps: dict[str, list[str]] = {}
        for u in USERS:
            if u.team and u.active:
                self.team_reps.setdefault(u.team, []).append(u.key)
        self.products = {p.code: (schema.make_id("01t", i + 1), p) for i, p in enumerate(PRODUCTS)}
        self.order_id, self.item_id = IdMaker("801"), IdMaker("802")
        self.unit_prices = {
            p.code: tuple(round(p.price * (1 - d), 2) for d in DISCOUNTS) for p in PRODUCTS
        }
        self.accounts: list[_Account] = []
        self.by_id: dict[str, _Account] = {}
        self.out: dict[str, list[Record]] = {}

    # -- small helpers
    def pick(self, seq: Sequence[T]) -> T:
        """A uniform draw (``random.choice`` without its overhead)."""
        return seq[int(self.random() * len(seq))]

    def randint(self, low: int, high: int) -> int:
        """A uniform integer in [low, high]."""
        return low + int(self.random() * (high - low + 1))

    def chance(self, p: float) -> bool:
        return self.random() < p

    def stamp(self, d: dt.date) -> str:
        return self.cal.stamp(d, self.random())

    def between(self, start: dt.date, end: dt.date) -> dt.date:
        """A day in [start, end] (start if the range is empty)."""
        span = (end - start).days
        return start + dt.timedelta(days=self.randint(0, span)) if span > 0 else start

    def recent_days_ago(self, high: int) -> int:
        """1..high days ago, more often recent."""
        return 1 + int(high * (1.0 - math.sqrt(1.0 - self.random())))  # triangular

    def phone(self, area: str) -> str:
        return f"({area}) 555-01{self.randint(0, 99):02d}"

    # -- the data set
    def run(self) -> dict[str, list[Record]]:
        self.out["User"] = self.users()
        self.out["Product2"] = self.product_records()
        self.out["Account"] = self.account_records()
        self.out["Contact"] = self.contact_records()
        self.out["Contract"] = self.contract_records()
        self.out["Opportunity"] = self.opportunity_records()
        self.out["Order"], self.out["OrderItem"] = self.order_records()
        self.out["Case"] = self.case_records()
        # Who may read what: private defaults, roles, one shared account (seed_sharing.py).
        add_sharing(self.out, self.user_ids, self.stamp(self.cal.ago(1500)))
        return self.out

    def users(self) -> list[Record]:
        rows = []
        for i, u in enumerate(USERS):
            rows.append(
                {
                    "Id": self.user_ids[u.key],
                    "Username": u.email.replace("@example.com", "@acctbot-demo.example.com"),
                    "FirstName": u.first,
                    "LastName": u.last,
                    "Name": u.name,
                    "Email": u.email,
                    "Title": u.title,
                    "Department": u.department,
                    "Phone": f"(516) 555-02{i:02d}",
                    "IsActive": u.active,
                    "ManagerId": self.user_ids[u.manager] if u.manager else None,
                    "TimeZoneSidKey": "America/New_York",
                    "CreatedDate": self.stamp(self.cal.ago(400 + 97 * i)),
                }
            )
        return rows

    def product_records(self) -> list[Record]:
        created = self.stamp(self.cal.ago(1500))
        return [
            {
                "Id": pid,
                "Name": p.name,
                "ProductCode": p.code,
                "Family": p.family,
                "Description": p.description,
                "IsActive": True,
                "CreatedDate": created,
            }
            for pid, p in self.products.values()
        ]

    # -- accounts
    def account_records(self) -> list[Record]:
        used: set[str] = set()
        head_offices: list[_Account] = []  # accounts that may get a branch
        rows: list[Record] = []
        by_name: dict[str, str] = {}
        for sp in SPECIAL_ACCOUNTS:
            rec = self.account(len(rows), sp.name, sp.segment, sp.industry, sp.city, sp.owner)
            rec["ParentId"] = by_name.get(sp.parent or "")
            rec["LastActivityDate"] = self.activity_date(sp.profile, sp.ingredients)
            by_name[sp.name] = rec["Id"]
            rows.append(rec)
            used.add(sp.name)
            self.add_account(
                _Account(
                    rec["Id"],
                    sp.name,
                    sp.owner,
                    sp.segment,
                    sp.industry,
                    sp.kind,
                    sp.profile,
                    sp.ingredients,
                )
            )
        while len(rows) < self.n_accounts:
            segment = self.pick(SEGMENTS)
            city = self.city()
            parent = None
            if head_offices and self.chance(BRANCH_SHARE):  # a branch location
                parent, city = self.pick(head_offices), self.pick(CITIES)
                segment, industry, kind = parent.segment, parent.industry, parent.kind
                name = self.unique(f"{parent.name} - {city[0]}", used, city[0])
            else:
                industry, template, kind = self.pick(NAME_TEMPLATES[segment])
                name = self.unique(self.fill(template, city), used, city[0])
            owner = self.pick(self.team_reps[SEGMENT_TEAMS[segment]])
            if parent is not None:
                owner = parent.owner
            prospect = parent is None and self.chance(PROSPECT_SHARE)
            profile = "prospect" if prospect else self.pick(PROFILES)
            ingredients = tuple(self.rng.sample(RED_INGREDIENTS, 2)) if profile == "red" else ()
            rec = self.account(len(rows), name, segment, industry, city, owner, prospect)
            rec["ParentId"] = parent.id if parent else None
            rec["LastActivityDate"] = self.activity_date(profile, ingredients)
            rows.append(rec)
            acct = _Account(rec["Id"], name, owner, segment, industry, kind, profile, ingredients)
            self.add_account(acct)
            if parent is None and not prospect and segment != "media":
                head_offices.append(acct)
        return rows

    def add_account(self, acct: _Account) -> None:
        self.accounts.append(acct)
        self.by_id[acct.id] = acct

    def city(self) -> tuple[str, str, str, str]:
        pool = OTHER_CITIES if self.chance(OTHER_CITY_SHARE) else CITIES
        return self.pick(pool)

    def fill(self, template: str, city: tuple[str, str, str, str]) -> str:
        return template.format(
            place=self.pick(PLACES),
            surname=self.pick(SURNAMES),
            first=self.pick(FIRST_NAMES),
            town=city[0],
        )

    @staticmethod
    def unique(name: str, used: set[str], city: str) -> str:
        """``name``, or a location-qualified variant of it that is not taken yet."""
        candidates = [name, f"{name} - {city}"]
        for candidate in candidates:
            if candidate not in used:
                used.add(candidate)
                return candidate
        n = 2
        while f"{name} - {city} {n}" in used:
            n += 1
        used.add(f"{name} - {city} {n}")
        return f"{name} - {city} {n}"

    def account(
        self,
        index: int,
        name: str,
        segment: str,
        industry: str,
        city: tuple[str, str, str, str],
        owner: str,
        prospect: bool = False,
    ) -> Record:
        low, high = SEGMENT_EMPLOYEES[segment]
        employees = int(self.rng.triangular(low, high, low))
        if prospect:
            account_type = "Prospect"
        elif self.chance(0.1):
            account_type = "Customer - Channel"
        else:
            account_type = "Customer - Direct"
        slug = _slug(name)
        return {
            "Id": schema.make_id("001", index + 1),
            "Name": name,
            "AccountNumber": f"A-{10001 + index}",
            "Type": account_type,
            "Industry": industry,
            "OwnerId": self.user_ids[owner],
            "ParentId": None,
            "AnnualRevenue": float(round(employees * self.rng.uniform(80_000, 250_000), -4)),
            "NumberOfEmployees": employees,
            "Phone": self.phone(city[3]),
            "Website": f"https://www.{slug}.example.com",
            "BillingStreet": f"{self.randint(1, 999)} {self.pick(STREETS)}",
            "BillingCity": city[0],
            "BillingState": city[1],
            "BillingPostalCode": city[2],
            "BillingCountry": "United States",
            "LastActivityDate": None,
            "CreatedDate": self.stamp(self.cal.ago(self.randint(200, 2500))),
        }

    def activity_date(self, profile: str, ingredients: Sequence[str]) -> str:
        if "stale" in ingredients:
            days = self.randint(61, 200)
        elif profile == "green":
            days = self.randint(0, 10)
        elif profile == "amber":
            days = self.randint(5, 45)
        elif profile == "red":
            days = self.randint(10, 60)
        else:  # prospect
            days = self.randint(1, 120)
        return self.cal.date(self.cal.ago(days))

    # -- contacts
    def contact_records(self) -> list[Record]:
        rows: list[Record] = []
        for acct in self.accounts:
            slug = _slug(acct.name)
            for _ in range(self.pick((1, 1, 2, 2, 2, 3))):
                first, last = self.pick(FIRST_NAMES), self.pick(SURNAMES)
                cid = schema.make_id("003", len(rows) + 1)
                rows.append(
                    {
                        "Id": cid,
                        "FirstName": first,
                        "LastName": last,
                        "Name": f"{first} {last}",
                        "AccountId": acct.id,
                        "OwnerId": self.user_ids[acct.owner],
                        "Title": self.pick(CONTACT_TITLES[acct.segment]),
                        "Email": f"{first}.{last}@{slug}.example.com".lower(),
                        "Phone": self.phone(self.pick(CITIES)[3]),
                        "LastActivityDate": self.cal.date(self.cal.ago(self.randint(1, 200))),
                        "CreatedDate": self.stamp(self.cal.ago(self.randint(30, 1500))),
                    }
                )
                acct.contacts.append(cid)
        return rows

    # -- contracts
    def contract_records(self) -> list[Record]:
        rows: list[Record] = []
        for acct in self.accounts:
            if acct.profile == "prospect":
                continue
            if "expiring_contract" in acct.ingredients:
                bucket = "expiring"
            elif not self.chance(CONTRACT_SHARE):
                continue
            elif acct.profile == "green":
                bucket = "active"
            else:
                bucket = self.pick(CONTRACT_BUCKETS)
            rows.append(self.contract(len(rows), acct, bucket))
        return rows

    def contract(self, index: int, acct: _Account, bucket: str) -> Record:
        cal = self.cal
        term = self.pick((12, 24, 36))
        if bucket == "pending":
            start = cal.ahead(self.randint(5, 45))
        else:
            if bucket == "expiring":
                end = cal.ahead(self.randint(5, 85))
            elif bucket == "expired":
                end = cal.ago(self.randint(3, 180))
            else:
                end = cal.ahead(self.randint(120, term * 30 - 30))
            start = _add_months(end + dt.timedelta(days=1), -term)
        end = _add_months(start, term) - dt.timedelta(days=1)
        activated = bucket != "pending"
        status = "Activated" if activated else self.pick(("Draft", "In Approval Process"))
        created = (
            start - dt.timedelta(days=self.randint(7, 40))
            if activated
            else cal.ago(self.randint(1, 20))
        )
        cid = schema.make_id("800", index + 1)
        if activated:
            acct.contract_id = cid
        services = "advertising" if acct.ads else "business services"
        return {
            "Id": cid,
            "ContractNumber": f"{100 + index:08d}",
            "AccountId": acct.id,
            "OwnerId": self.user_ids[acct.owner],
            "Status": status,
            "StartDate": cal.date(start),
            "EndDate": cal.date(end),
            "ContractTerm": term,
            "ActivatedDate": self.stamp(start) if activated else None,
            "Description": f"{term}-month {services} agreement",
            "CreatedDate": self.stamp(created),
        }

    # -- opportunities
    def opportunity_records(self) -> list[Record]:
        cal = self.cal
        k = self.scale
        total = round(len(self.accounts) * OPPORTUNITIES_PER_ACCOUNT)
        plan: list[tuple[str, dt.date]] = []  # (kind, CloseDate)
        plan += [("Closed Won", cal.yesterday)] * (3 * k)
        plan += [("Closed Lost", cal.yesterday)] * (2 * k)
        plan += [("open", cal.today)] * (2 * k)
        for week_end in (cal.iso_week_end, cal.us_week_end):
            plan += [("open", self.between(cal.today, week_end)) for _ in range(2 * k)]
        plan += [("open", cal.ago(self.randint(1, 30))) for _ in range(4 * k)]  # slipped
        customers = [a for a in self.accounts if a.profile != "prospect"]
        accounts = [self.pick(customers) for _ in plan]
        # A renewal deal for contracts about to expire.
        for c in self.out["Contract"]:
            end = dt.date.fromisoformat(c["EndDate"])
            if c["Status"] == "Activated" and cal.today <= end <= cal.ahead(90):
                plan.append(("renewal", self.between(cal.today, end)))
                accounts.append(self.by_id[c["AccountId"]])
        while len(plan) < total:
            kind, close = self.random_deal()
            plan.append((kind, close))
            accounts.append(self.pick(customers if kind == "Closed Won" else self.accounts))
        deals = list(zip(plan, accounts, strict=True))[:total]
        self.rng.shuffle(deals)
        return [
            self.opportunity(i, acct, kind, close) for i, ((kind, close), acct) in enumerate(deals)
        ]

    def random_deal(self) -> tuple[str, dt.date]:
        cal = self.cal
        r = self.random()
        if r < 0.30:
            return "Closed Won", self.between(cal.last_quarter, cal.yesterday)
        if r < 0.45:
            return "Closed Lost", self.between(cal.last_quarter, cal.yesterday)
        if r < 0.52:
            return "open", cal.ago(self.randint(1, 45))  # slipped
        return "open", self.between(cal.today, cal.next_quarter_end)

    def opportunity(self, index: int, acct: _Account, kind: str, close: dt.date) -> Record:
        cal = self.cal
        prospect = acct.profile == "prospect"
        if kind == "renewal":
            opp_type = "Renewal"
        elif prospect:
            opp_type = "New Business"
        else:
            opp_type = self.pick(OPPORTUNITY_TYPES)
        stage = kind if kind.startswith("Closed") else self.open_stage(close)
        codes = self.pick_products(acct.mix, self.pick((1, 1, 2, 3)))
        primary = self.products[codes[0]][1]
        monthly = sum(self.quantity(p) * p.price for p in (self.products[c][1] for c in codes))
        term = 1 if acct.ads else self.pick((12, 24, 36))
        _, _, category, probability = schema.OPPORTUNITY_STAGES[stage]
        if self.chance(BEST_CASE_SHARE.get(stage, 0.0)):
            category = "Best Case"
        created = min(cal.yesterday, close - dt.timedelta(days=self.randint(14, 150)))
        closed = stage.startswith("Closed")
        modified = close if closed else self.between(created, cal.yesterday)
        owner = acct.owner
        if closed and acct.segment == "smb" and close < self.former_rep_before and self.chance(0.2):
            owner = FORMER_REP
        suffix = " Renewal" if opp_type == "Renewal" else ""
        return {
            "Id": schema.make_id("006", index + 1),
            "Name": f"{acct.name} - {_short(primary.name)}{suffix}",
            "AccountId": acct.id,
            "OwnerId": self.user_ids[owner],
            "StageName": stage,
            "Amount": round(monthly * term, 2),
            "Probability": probability,
            "CloseDate": cal.date(close),
            "ForecastCategoryName": category,
            "Type": opp_type,
            "LeadSource": self.pick(LEAD_SOURCES),
            "NextStep": None if closed else self.pick(NEXT_STEPS),
            "LastActivityDate": cal.date(self.between(created, cal.yesterday)),
            "CreatedDate": self.stamp(created),
            "LastModifiedDate": self.stamp(modified),
        }

    def open_stage(self, close: dt.date) -> str:
        days = (close - self.cal.today).days
        for horizon, stages in OPEN_STAGES_BY_HORIZON:
            if days < horizon:
                return self.pick(stages)
        return self.pick(OPEN_STAGES_BY_HORIZON[-1][1])

    def pick_products(self, mix: str, n: int) -> list[str]:
        codes = PRODUCT_MIX[mix]
        primary = codes[0] if self.chance(0.35) else self.pick(codes)
        if n == 1:
            return [primary]
        extras = [c for c in codes if c != primary]
        return [primary, *self.rng.sample(extras, min(n - 1, len(extras)))]

    def quantity(self, p: SeedProduct) -> int:
        low, high = p.qty
        r = self.random()
        return low + int((high - low + 1) * r * r)  # mostly small

    # -- orders
    def order_records(self) -> tuple[list[Record], list[Record]]:
        k = self.scale
        customers = [a for a in self.accounts if a.profile != "prospect"]
        not_green = [a for a in customers if a.profile != "green"] or customers
        plan: list[tuple[_Account, str]] = []
        for scenario, count, pool in (
            ("activated_yesterday", 5 * k, customers),
            ("activated_this_week", 6 * k, customers),
            ("activated_last_week", 6 * k, customers),
            ("created_yesterday", 4 * k, customers),
            ("overdue_draft", 4 * k, not_green),
            ("stuck", 4 * k, not_green),
        ):
            plan += [(self.pick(pool), scenario) for _ in range(count)]
        for acct in self.accounts:
            if "overdue_draft" in acct.ingredients:
                plan.append((acct, "overdue_draft"))
            if "stuck_order" in acct.ingredients:
                plan.append((acct, "stuck"))
        showcase = self.n_orders > 23
        target = self.n_orders - (1 if showcase else 0)
        while len(plan) < target:
            plan.append((self.pick(customers), "random"))
        plan = plan[:target]
        self.rng.shuffle(plan)
        big = self.accounts[0]  # Acme Corp
        extra = self.big_account_orders - sum(1 for acct, _ in plan if acct is big)
        for i, (acct, scenario) in enumerate(plan):
            if extra <= 0:
                break
            if scenario == "random" and acct is not big:
                plan[i] = (big, scenario)
                extra -= 1
        if showcase:
            plan.insert(23, (self.accounts[0], "showcase"))
        orders: list[Record] = []
        items: list[Record] = []
        for i, (acct, scenario) in enumerate(plan):
            orders.append(self.order(i, acct, scenario, items))
        return orders, items

    def order_dates(
        self, acct: _Account, scenario: str
    ) -> tuple[str, dt.date, dt.date, dt.date | None]:
        """(Status, created, EffectiveDate, activated day) for a scenario."""
        cal = self.cal
        if scenario == "random":
            status = self.pick(ORDER_STATUSES)
            if status == "Activated":
                scenario = "activated"
            elif status == "Draft":
                late = acct.profile != "green" and self.chance(0.5)
                scenario = "overdue_draft" if late else "future_draft"
            elif acct.profile == "green":
                scenario = "in_flight_fresh"
            else:
                scenario = "in_flight"
        if scenario == "activated" or scenario in ACTIVATED_DAYS_AGO:
            if scenario == "activated":
                days = self.recent_days_ago(ACTIVATION_HISTORY_DAYS)
            else:
                days = self.randint(*ACTIVATED_DAYS_AGO[scenario])
            activated = cal.ago(days)
            return "Activated", activated - dt.timedelta(self.randint(5, 45)), activated, activated
        if scenario == "created_yesterday":
            return (
                self.pick(("Draft", "Pending Install")),
                cal.yesterday,
                cal.ahead(self.randint(7, 45)),
                None,
            )
        if scenario == "overdue_draft":
            created = cal.ago(self.randint(12, 60))
            late = (cal.today - created).days - 1
            return "Draft", created, created + dt.timedelta(self.randint(3, late)), None
        if scenario == "future_draft":
            return "Draft", cal.ago(self.randint(1, 14)), cal.ahead(self.randint(3, 40)), None
        status = self.pick(("Pending Install", "Provisioning"))
        if scenario == "in_flight_fresh":
            return status, cal.ago(self.randint(3, 12)), cal.ahead(self.randint(2, 30)), None
        if scenario == "stuck":
            created = cal.ago(self.randint(15, 60))
        else:  # 3-60 days in flight, mostly recent: about 40% past two weeks
            created = cal.ago(3 + int(58 * self.random() ** 3))
        return status, created, created + dt.timedelta(self.randint(10, 45)), None

    def order(self, index: int, acct: _Account, scenario: str, items: list[Record]) -> Record:
        cal = self.cal
        if scenario == "showcase":
            return self.showcase_order(index, acct, items)
        status, created, effective, activated = self.order_dates(acct, scenario)
        owner = acct.owner
        if self.chance(0.1):
            owner = self.pick(self.team_reps[SEGMENT_TEAMS[acct.segment]])
        if (
            activated
            and acct.segment == "smb"
            and activated < self.former_rep_before
            and self.chance(0.15)
        ):
            owner = FORMER_REP
        order_type = self.pick(AD_ORDER_TYPES if acct.ads else SERVICE_ORDER_TYPES)
        oid = self.order_id(index + 1)
        codes = self.pick_products(acct.mix, 1 + int(self.random() ** 2 * 5))
        created_at = self.stamp(created)
        self.order_items(oid, codes, effective, created_at, items)
        notes = ORDER_NOTES["ads"] if acct.ads and status != "Activated" else ORDER_NOTES[status]
        primary = _short(self.products[codes[0]][1].name)
        return {
            "Id": oid,
            "OrderNumber": f"{100 + index:08d}",
            "Name": f"{acct.name} - {primary}"[:80],
            "AccountId": acct.id,
            "OwnerId": self.user_ids[owner],
            "ContractId": acct.contract_id if self.chance(0.6) else None,
            "Status": status,
            "Type": order_type,
            "EffectiveDate": cal.date(effective),
            "EndDate": cal.date(effective + dt.timedelta(self.randint(14, 60)))
            if acct.ads
            else None,
            "ActivatedDate": self.stamp(activated) if activated else None,
            "ActivatedById": self.user_ids[owner] if activated else None,
            "PoNumber": f"PO-{self.randint(1000, 99999)}" if self.chance(0.3) else None,
            "Description": self.pick(notes),
            "CreatedDate": created_at,
            "LastModifiedDate": self.stamp(activated or self.between(created, cal.yesterday)),
        }

    def order_items(
        self,
        order_id: str,
        codes: Sequence[str],
        service_date: dt.date,
        created_at: str,
        items: list[Record],
    ) -> None:
        day = self.cal.date(service_date)
        for code in codes:
            pid, product = self.products[code]
            items.append(
                {
                    "Id": self.item_id(len(items) + 1),
                    "OrderId": order_id,
                    "Product2Id": pid,
                    "Quantity": float(self.quantity(product)),
                    "UnitPrice": self.pick(self.unit_prices[code]),
                    "ListPrice": product.price,
                    "ServiceDate": day,
                    "CreatedDate": created_at,
                }
            )

    def showcase_order(self, index: int, acct: _Account, items: list[Record]) -> Record:
        """Order 00000123: Acme Corp's fiber install, stuck and past its start date."""
        cal = self.cal
        created, effective = cal.ago(21), cal.ago(6)
        oid = self.order_id(index + 1)
        created_at = self.stamp(created)
        start = len(items)
        self.order_items(
            oid, ("ETH-1G", "IP-STATIC-5", "SIP-TRUNK", "HV-SEAT"), effective, created_at, items
        )
        for item, qty in zip(items[start:], (1.0, 1.0, 23.0, 18.0), strict=True):
            item["Quantity"] = qty
        return {
            "Id": oid,
            "OrderNumber": f"{100 + index:08d}",
            "Name": f"{acct.name} - Fiber Ethernet 1G",
            "AccountId": acct.id,
            "OwnerId": self.user_ids[acct.owner],
            "ContractId": acct.contract_id,
            "Status": "Pending Install",
            "Type": "New",
            "EffectiveDate": cal.date(effective),
            "EndDate": None,
            "ActivatedDate": None,
            "ActivatedById": None,
            "PoNumber": "PO-ACME-2231",
            "Description": "Fiber build waiting on landlord access; riser work not scheduled",
            "CreatedDate": created_at,
            "LastModifiedDate": self.stamp(cal.ago(3)),
        }

    # -- cases
    def case_records(self) -> list[Record]:
        k = self.scale
        total = round(len(self.accounts) * CASES_PER_ACCOUNT)
        customers = [a for a in self.accounts if a.profile != "prospect"]
        plan: list[tuple[_Account, str]] = [
            (a, "escalated") for a in self.accounts if "escalated_case" in a.ingredients
        ]
        plan += [(self.pick(customers), "yesterday") for _ in range(5 * k)]
        while len(plan) < total:
            plan.append((self.pick(customers), "random"))
        self.rng.shuffle(plan)
        return [self.case(i, acct, scenario) for i, (acct, scenario) in enumerate(plan[:total])]

    def case(self, index: int, acct: _Account, scenario: str) -> Record:
        cal = self.cal
        case_type, reason, subject = self.pick(CASE_TEMPLATES["ads" if acct.ads else "services"])
        priority = self.pick(CASE_TYPE_PRIORITY.get(case_type, ("High", "Medium", "Medium", "Low")))
        if scenario == "escalated":
            status, priority, created = "Escalated", "High", cal.ago(self.randint(2, 20))
        elif scenario == "yesterday":
            status, created = self.pick(("New", "New", "Working")), cal.yesterday
        else:
            status, created = self.pick(CASE_STATUSES), cal.ago(self.recent_days_ago(180))
        closed = schema.CASE_STATUSES[status]
        escalated = status == "Escalated" or (
            not closed and priority == "High" and self.chance(0.2)
        )
        if acct.profile == "green" and not closed:  # green accounts: nothing burning
            status = "Working" if status == "Escalated" else status
            priority = "Low" if priority == "High" else priority
            escalated = False
        origin = self.pick(CASE_ORIGINS)
        created_at = self.stamp(created)
        closed_day = self.between(created, min(cal.yesterday, created + dt.timedelta(days=14)))
        closed_at = self.stamp(closed_day) if closed else None
        if closed_at is not None and closed_at < created_at:
            closed_at = created_at
        return {
            "Id": schema.make_id("500", index + 1),
            "CaseNumber": f"{1001 + index:08d}",
            "Subject": subject,
            "Description": f"{subject}. Logged by {origin.lower()}; reason: {reason}.",
            "AccountId": acct.id,
            "ContactId": self.pick(acct.contacts) if acct.contacts else None,
            "OwnerId": self.user_ids[acct.owner],
            "Status": status,
            "Priority": priority,
            "IsEscalated": escalated,
            "Origin": origin,
            "Type": case_type,
            "Reason": reason,
            "ClosedDate": closed_at,
            "CreatedDate": created_at,
            "LastModifiedDate": closed_at or self.stamp(self.between(created, cal.yesterday)),
        }


def _short(product_name: str) -> str:
    """A product name without its parenthetical, for record names."""
    return product_name.split(" (")[0]


def _slug(name: str) -> str:
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    return "".join(ch for ch in ascii_name.lower() if ch.isalnum())[:40] or "account"


def default_today() -> dt.date:
    return dt.datetime.now(NEW_YORK).date()


def generate(
    seed: int = 42,
    today: dt.date | None = None,
    *,
    orders: int = DEFAULT_ORDERS,
    big_account_orders: int = 0,
) -> dict[str, list[dict[str, Any]]]:
    """The seeded demo org as an INTERFACE.md data set (JSON-serialisable).

    ``big_account_orders``: at least this many of the ``orders`` belong to Acme Corp
    (as many as there are "random" orders to move; 0 leaves the org as it was).
    """
    if orders < 0 or big_account_orders < 0:
        raise ValueError("orders must not be negative")
    return _Generator(seed, today or default_today(), orders, big_account_orders).run()


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bot.standins.salesforce.seed",
        description="Print the seeded sandbox org as JSON.",
    )
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--orders", type=int, default=DEFAULT_ORDERS)
    parser.add_argument(
        "--big-account-orders",
        type=int,
        default=0,
        help="give Acme Corp at least this many of the orders (benchmarks)",
    )
    parser.add_argument(
        "--today",
        type=dt.date.fromisoformat,
        default=None,
        help="anchor date YYYY-MM-DD (default: today in New York)",
    )
    parser.add_argument("--indent", type=int, default=1, help="JSON indent (0: compact)")
    args = parser.parse_args(argv)
    data = generate(
        args.seed, args.today, orders=args.orders, big_account_orders=args.big_account_orders
    )
    text = json.dumps(data, ensure_ascii=False, indent=args.indent or None)
    sys.stdout.buffer.write(text.encode("utf-8") + b"\n")
    sys.stdout.flush()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
