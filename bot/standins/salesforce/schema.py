"""The sandbox org's metadata: sObjects, fields, relationships, picklists.

This is the single description of the data model that the store, the SOQL engine,
the describe endpoint and the seed generator all read. Names, types and relationship
names follow Salesforce's standard objects (API names, ``describe`` field types).
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

# Salesforce describe field types used here.
ID = "id"
STRING = "string"
TEXTAREA = "textarea"
PICKLIST = "picklist"
REFERENCE = "reference"
BOOLEAN = "boolean"
CURRENCY = "currency"
DOUBLE = "double"
PERCENT = "percent"
INT = "int"
DATE = "date"
DATETIME = "datetime"
EMAIL = "email"
PHONE = "phone"
URL = "url"

NUMERIC_TYPES = frozenset({CURRENCY, DOUBLE, PERCENT, INT})
TEXT_TYPES = frozenset({ID, STRING, TEXTAREA, PICKLIST, REFERENCE, EMAIL, PHONE, URL})


@dataclass(frozen=True)
class PicklistValue:
    value: str
    label: str | None = None
    default: bool = False
    active: bool = True


@dataclass(frozen=True)
class Field:
    name: str
    type: str
    label: str
    reference_to: str | None = None  # target sObject of a lookup
    relationship_name: str | None = None  # e.g. "Owner" for OwnerId
    picklist: tuple[PicklistValue, ...] = ()
    calculated: bool = False  # derived by the org; not writable
    nillable: bool = True
    length: int = 0
    filterable: bool = True
    sortable: bool = True
    groupable: bool = True
    aggregatable: bool = True
    restricted: bool = False  # a restricted picklist: values outside the list are refused


@dataclass(frozen=True)
class ChildRelationship:
    name: str  # relationship name used in subqueries, e.g. "Orders"
    child_sobject: str  # e.g. "Order"
    field: str  # lookup field on the child, e.g. "AccountId"


@dataclass
class SObject:
    name: str
    label: str
    label_plural: str
    key_prefix: str
    fields: dict[str, Field] = field(default_factory=dict)
    children: dict[str, ChildRelationship] = field(default_factory=dict)

    def field_ci(self, name: str) -> Field | None:
        """Case-insensitive field lookup (SOQL field names are case-insensitive)."""
        return self._lower_fields().get(name.lower())

    def relationship_ci(self, name: str) -> Field | None:
        """The lookup field whose relationship name is ``name`` (case-insensitive)."""
        lname = name.lower()
        for f in self.fields.values():
            if f.relationship_name and f.relationship_name.lower() == lname:
                return f
        return None

    def child_ci(self, name: str) -> ChildRelationship | None:
        lname = name.lower()
        for rel in self.children.values():
            if rel.name.lower() == lname:
                return rel
        return None

    def _lower_fields(self) -> dict[str, Field]:
        cache = self.__dict__.get("_lower_cache")
        if cache is None or len(cache) != len(self.fields):
            cache = {k.lower(): v for k, v in self.fields.items()}
            self.__dict__["_lower_cache"] = cache
        return cache


def _pl(*values: str, default: str | None = None) -> tuple[PicklistValue, ...]:
    return tuple(PicklistValue(v, v, v == default) for v in values)


def _f(name: str, type_: str, label: str | None = None, **kw: object) -> Field:
    length = kw.pop("length", 255 if type_ in (STRING, EMAIL, PHONE, URL, PICKLIST) else 0)
    if type_ in (ID, REFERENCE):
        length = 18
    if type_ == TEXTAREA and not length:
        length = 32000
    return Field(name=name, type=type_, label=label or name, length=length, **kw)  # type: ignore[arg-type]


def _ref(name: str, target: str, relationship: str, label: str | None = None) -> Field:
    return _f(
        name,
        REFERENCE,
        label or relationship + " ID",
        reference_to=target,
        relationship_name=relationship,
    )


def _audit() -> list[Field]:
    """The system fields every record carries. The platform sets them on each save; the
    API refuses to write them (Object Reference, "System Fields": CreatedById,
    CreatedDate, LastModifiedById, LastModifiedDate, SystemModstamp are read-only).
    ``IsDeleted``: "Indicates whether the record has been moved to the Recycle Bin (true)
    or not (false)" (System Fields); only ``queryAll`` returns records where it is true
    (REST API, "QueryAll": it "returns records that are soft deleted due to a merge or
    delete")."""
    return [
        _f("IsDeleted", BOOLEAN, "Deleted", calculated=True, nillable=False),
        _f("CreatedDate", DATETIME, "Created Date", calculated=True, nillable=False),
        _system_ref("CreatedById", "CreatedBy", "Created By ID"),
        _f("LastModifiedDate", DATETIME, "Last Modified Date", calculated=True, nillable=False),
        _system_ref("LastModifiedById", "LastModifiedBy", "Last Modified By ID"),
        _f("SystemModstamp", DATETIME, "System Modstamp", calculated=True, nillable=False),
    ]


def _system_ref(name: str, relationship: str, label: str) -> Field:
    return Field(
        name=name,
        type=REFERENCE,
        label=label,
        reference_to="User",
        relationship_name=relationship,
        calculated=True,
        nillable=False,
        length=18,
    )


# Opportunity stages: value -> (IsClosed, IsWon, ForecastCategoryName, Probability).
# Salesforce's default sales process, as shipped in a new org.
OPPORTUNITY_STAGES: dict[str, tuple[bool, bool, str, float]] = {
    "Prospecting": (False, False, "Pipeline", 10.0),
    "Qualification": (False, False, "Pipeline", 10.0),
    "Needs Analysis": (False, False, "Pipeline", 20.0),
    "Value Proposition": (False, False, "Pipeline", 50.0),
    "Id. Decision Makers": (False, False, "Pipeline", 60.0),
    "Perception Analysis": (False, False, "Pipeline", 70.0),
    "Proposal/Price Quote": (False, False, "Pipeline", 75.0),
    "Negotiation/Review": (False, False, "Commit", 90.0),
    "Closed Won": (True, True, "Closed", 100.0),
    "Closed Lost": (True, False, "Omitted", 0.0),
}
FORECAST_CATEGORIES = ("Omitted", "Pipeline", "Best Case", "Commit", "Closed")

# Order Status picklist: value -> StatusCode. Telecom orgs add "in flight" values to
# the Draft category (Salesforce allows custom values in the Draft or Activated group).
ORDER_STATUSES: dict[str, str] = {
    "Draft": "Draft",
    "Pending Install": "Draft",
    "Provisioning": "Draft",
    "Activated": "Activated",
}

# Case Status picklist: value -> IsClosed.
CASE_STATUSES: dict[str, bool] = {
    "New": False,
    "Working": False,
    "Escalated": False,
    "On Hold": False,
    "Closed": True,
}

# Contract Status picklist: value -> StatusCode.
CONTRACT_STATUSES: dict[str, str] = {
    "Draft": "Draft",
    "In Approval Process": "InApproval",
    "Activated": "Activated",
}
# The categories a status value may belong to. OrderStatus.StatusCode is "Draft" or
# "Activated" (Object Reference, OrderStatus: "Possible values are: Activated, Draft");
# ContractStatus.StatusCode adds "InApproval".
ORDER_STATUS_CATEGORIES = ("Draft", "Activated")
CONTRACT_STATUS_CATEGORIES = ("Draft", "InApproval", "Activated")

# Time zones offered by User.TimeZoneSidKey in describe. Salesforce's list is long; the
# sandbox accepts any IANA zone name in a data set and lists the common ones here.
TIME_ZONES = (
    "Pacific/Honolulu",
    "America/Anchorage",
    "America/Los_Angeles",
    "America/Phoenix",
    "America/Denver",
    "America/Chicago",
    "America/New_York",
    "America/Toronto",
    "America/Mexico_City",
    "America/Sao_Paulo",
    "Europe/London",
    "Europe/Dublin",
    "Europe/Lisbon",
    "Europe/Paris",
    "Europe/Berlin",
    "Europe/Amsterdam",
    "Europe/Madrid",
    "Europe/Rome",
    "Europe/Zurich",
    "Europe/Stockholm",
    "Europe/Warsaw",
    "Europe/Helsinki",
    "Europe/Istanbul",
    "Asia/Dubai",
    "Asia/Kolkata",
    "Asia/Singapore",
    "Asia/Hong_Kong",
    "Asia/Shanghai",
    "Asia/Tokyo",
    "Asia/Seoul",
    "Australia/Sydney",
    "Pacific/Auckland",
    "GMT",
)

# LocaleSidKey -> the first day of the week in that locale (0 = Monday ... 6 = Sunday).
# Salesforce: "The exact start and end of the range depends on the date literal and the
# locale of the user sending the query. If the user doesn't have a locale set, the range
# is determined by the org's locale" (SOQL and SOSL Reference, Date Formats and Date
# Literals; LAST_WEEK/THIS_WEEK: "The first day of the week is determined by your
# locale"). The first day per country follows the Unicode CLDR week data
# (supplementalData weekData/firstDay), which the Java locale data Salesforce runs on
# uses. Only locales listed here are accepted: LocaleSidKey is a restricted picklist in a
# real org, and a locale the sandbox does not know is refused rather than guessed.
MONDAY, SATURDAY, SUNDAY = 0, 5, 6
LOCALE_FIRST_DAY: dict[str, int] = {
    "en_US": SUNDAY,
    "en_CA": SUNDAY,
    "fr_CA": SUNDAY,
    "es_MX": SUNDAY,
    "es_US": SUNDAY,
    "pt_BR": SUNDAY,
    "ja_JP": SUNDAY,
    "ko_KR": SUNDAY,
    "zh_TW": SUNDAY,
    "zh_HK": SUNDAY,
    "en_HK": SUNDAY,
    "en_IN": SUNDAY,
    "hi_IN": SUNDAY,
    "en_PH": SUNDAY,
    "en_SG": SUNDAY,
    "en_ZA": SUNDAY,
    "iw_IL": SUNDAY,
    "he_IL": SUNDAY,
    "en_GB": MONDAY,
    "en_IE": MONDAY,
    "en_AU": MONDAY,
    "en_NZ": MONDAY,
    "de_DE": MONDAY,
    "de_AT": MONDAY,
    "de_CH": MONDAY,
    "fr_FR": MONDAY,
    "fr_BE": MONDAY,
    "fr_CH": MONDAY,
    "nl_NL": MONDAY,
    "nl_BE": MONDAY,
    "es_ES": MONDAY,
    "it_IT": MONDAY,
    "it_CH": MONDAY,
    "sv_SE": MONDAY,
    "da_DK": MONDAY,
    "no_NO": MONDAY,
    "nb_NO": MONDAY,
    "fi_FI": MONDAY,
    "pl_PL": MONDAY,
    "cs_CZ": MONDAY,
    "hu_HU": MONDAY,
    "ru_RU": MONDAY,
    "tr_TR": MONDAY,
    "zh_CN": MONDAY,
}
DEFAULT_LOCALE = "en_US"


def _build() -> dict[str, SObject]:
    objs: dict[str, SObject] = {}

    def add(obj: SObject, fields: list[Field]) -> None:
        obj.fields = {f.name: f for f in fields}
        objs[obj.name] = obj

    add(
        SObject("User", "User", "Users", "005"),
        [
            _f("Id", ID, "User ID", nillable=False),
            _f("Username", STRING, "Username", nillable=False),
            _f("FirstName", STRING, "First Name", length=40),
            _f("LastName", STRING, "Last Name", length=80, nillable=False),
            _f("Name", STRING, "Full Name", calculated=True, length=121),
            _f("Email", EMAIL, "Email", nillable=False),
            _f("Title", STRING, "Title", length=80),
            _f("Department", STRING, "Department", length=80),
            _f("Phone", PHONE, "Phone"),
            _f("IsActive", BOOLEAN, "Active", nillable=False),
            _ref("ManagerId", "User", "Manager", "Manager ID"),
            _f("TimeZoneSidKey", PICKLIST, "Time Zone", picklist=_pl(*TIME_ZONES)),
            _f("LocaleSidKey", PICKLIST, "Locale", picklist=_pl(*LOCALE_FIRST_DAY)),
            *_audit(),
        ],
    )
    objs["User"].children = {
        "ManagedUsers": ChildRelationship("ManagedUsers", "User", "ManagerId"),
    }

    add(
        SObject("Account", "Account", "Accounts", "001"),
        [
            _f("Id", ID, "Account ID", nillable=False),
            _f("Name", STRING, "Account Name", nillable=False),
            _f("AccountNumber", STRING, "Account Number", length=40),
            _f(
                "Type",
                PICKLIST,
                "Account Type",
                picklist=_pl(
                    "Prospect",
                    "Customer - Direct",
                    "Customer - Channel",
                    "Channel Partner / Reseller",
                    "Installation Partner",
                    "Technology Partner",
                    "Other",
                ),
            ),
            _f(
                "Industry",
                PICKLIST,
                "Industry",
                picklist=_pl(
                    "Agriculture",
                    "Apparel",
                    "Banking",
                    "Construction",
                    "Education",
                    "Electronics",
                    "Energy",
                    "Entertainment",
                    "Finance",
                    "Government",
                    "Healthcare",
                    "Hospitality",
                    "Insurance",
                    "Manufacturing",
                    "Media",
                    "Not For Profit",
                    "Retail",
                    "Technology",
                    "Telecommunications",
                    "Transportation",
                    "Utilities",
                    "Other",
                ),
            ),
            _ref("OwnerId", "User", "Owner", "Owner ID"),
            _ref("ParentId", "Account", "Parent", "Parent Account ID"),
            _f("AnnualRevenue", CURRENCY, "Annual Revenue"),
            _f("NumberOfEmployees", INT, "Employees"),
            _f("Phone", PHONE, "Account Phone"),
            _f("Website", URL, "Website"),
            _f("BillingStreet", TEXTAREA, "Billing Street", length=255),
            _f("BillingCity", STRING, "Billing City", length=40),
            _f("BillingState", STRING, "Billing State/Province", length=80),
            _f("BillingPostalCode", STRING, "Billing Zip/Postal Code", length=20),
            _f("BillingCountry", STRING, "Billing Country", length=80),
            _f("Description", TEXTAREA, "Account Description"),
            _f("LastActivityDate", DATE, "Last Activity", calculated=True),
            *_audit(),
        ],
    )

    add(
        SObject("Contact", "Contact", "Contacts", "003"),
        [
            _f("Id", ID, "Contact ID", nillable=False),
            _f("FirstName", STRING, "First Name", length=40),
            _f("LastName", STRING, "Last Name", length=80, nillable=False),
            _f("Name", STRING, "Full Name", calculated=True, length=121),
            _ref("AccountId", "Account", "Account", "Account ID"),
            _ref("OwnerId", "User", "Owner", "Owner ID"),
            _f("Title", STRING, "Title", length=128),
            _f("Email", EMAIL, "Email"),
            _f("Phone", PHONE, "Business Phone"),
            _f("LastActivityDate", DATE, "Last Activity", calculated=True),
            *_audit(),
        ],
    )

    add(
        SObject("Product2", "Product", "Products", "01t"),
        [
            _f("Id", ID, "Product ID", nillable=False),
            _f("Name", STRING, "Product Name", nillable=False),
            _f("ProductCode", STRING, "Product Code"),
            _f(
                "Family",
                PICKLIST,
                "Product Family",
                picklist=_pl(
                    "Internet", "Voice", "Video", "Ethernet", "Advertising", "Managed Services"
                ),
            ),
            _f("Description", TEXTAREA, "Product Description", length=4000),
            _f("IsActive", BOOLEAN, "Active", nillable=False),
            *_audit(),
        ],
    )

    add(
        SObject("Opportunity", "Opportunity", "Opportunities", "006"),
        [
            _f("Id", ID, "Opportunity ID", nillable=False),
            _f("Name", STRING, "Name", length=120, nillable=False),
            _ref("AccountId", "Account", "Account", "Account ID"),
            _ref("OwnerId", "User", "Owner", "Owner ID"),
            _f(
                "StageName",
                PICKLIST,
                "Stage",
                nillable=False,
                restricted=True,
                picklist=_pl(*OPPORTUNITY_STAGES),
            ),
            _f("Amount", CURRENCY, "Amount"),
            _f("Probability", PERCENT, "Probability (%)"),
            _f("CloseDate", DATE, "Close Date", nillable=False),
            _f("IsClosed", BOOLEAN, "Closed", calculated=True, nillable=False),
            _f("IsWon", BOOLEAN, "Won", calculated=True, nillable=False),
            _f(
                "ForecastCategoryName",
                PICKLIST,
                "Forecast Category",
                picklist=_pl(*FORECAST_CATEGORIES),
            ),
            _f(
                "Type",
                PICKLIST,
                "Opportunity Type",
                picklist=_pl(
                    "New Business",
                    "Existing Customer - Upgrade",
                    "Existing Customer - Replacement",
                    "Existing Customer - Downgrade",
                    "Renewal",
                ),
            ),
            _f(
                "LeadSource",
                PICKLIST,
                "Lead Source",
                picklist=_pl("Web", "Phone Inquiry", "Partner Referral", "Purchased List", "Other"),
            ),
            _f("NextStep", STRING, "Next Step"),
            _f("LastActivityDate", DATE, "Last Activity", calculated=True),
            *_audit(),
        ],
    )

    add(
        SObject("Contract", "Contract", "Contracts", "800"),
        [
            _f("Id", ID, "Contract ID", nillable=False),
            _f("ContractNumber", STRING, "Contract Number", calculated=True, length=30),
            _ref("AccountId", "Account", "Account", "Account ID"),
            _ref("OwnerId", "User", "Owner", "Owner ID"),
            _f(
                "Status",
                PICKLIST,
                "Status",
                nillable=False,
                restricted=True,
                picklist=_pl(*CONTRACT_STATUSES),
            ),
            _f(
                "StatusCode",
                PICKLIST,
                "Status Category",
                calculated=True,
                picklist=_pl("Draft", "InApproval", "Activated", "Terminated", "Expired"),
            ),
            _f("StartDate", DATE, "Contract Start Date"),
            _f("EndDate", DATE, "Contract End Date"),
            _f("ContractTerm", INT, "Contract Term (months)"),
            _f("ActivatedDate", DATETIME, "Activated Date"),
            _f("Description", TEXTAREA, "Description"),
            *_audit(),
        ],
    )

    add(
        SObject("Order", "Order", "Orders", "801"),
        [
            _f("Id", ID, "Order ID", nillable=False),
            _f("OrderNumber", STRING, "Order Number", calculated=True, length=30),
            _f("Name", STRING, "Order Name", length=80),
            _ref("AccountId", "Account", "Account", "Account ID"),
            _ref("OwnerId", "User", "Owner", "Owner ID"),
            _ref("ContractId", "Contract", "Contract", "Contract ID"),
            _f(
                "Status",
                PICKLIST,
                "Status",
                nillable=False,
                restricted=True,
                picklist=_pl(*ORDER_STATUSES, default="Draft"),
            ),
            _f(
                "StatusCode",
                PICKLIST,
                "Status Category",
                calculated=True,
                picklist=_pl("Draft", "Activated", "Canceled", "Expired"),
            ),
            _f(
                "Type",
                PICKLIST,
                "Order Type",
                picklist=_pl("New", "Move", "Add", "Change", "Disconnect", "Renewal"),
            ),
            _f("EffectiveDate", DATE, "Order Start Date", nillable=False),
            _f("EndDate", DATE, "Order End Date"),
            _f("ActivatedDate", DATETIME, "Activated Date"),
            _ref("ActivatedById", "User", "ActivatedBy", "Activated By ID"),
            _f("TotalAmount", CURRENCY, "Order Amount", calculated=True),
            _f("PoNumber", STRING, "PO Number", length=80),
            _f("Description", TEXTAREA, "Description"),
            *_audit(),
        ],
    )

    add(
        SObject("OrderItem", "Order Product", "Order Products", "802"),
        [
            _f("Id", ID, "Order Product ID", nillable=False),
            _f("OrderItemNumber", STRING, "Order Product Number", calculated=True, length=10),
            _ref("OrderId", "Order", "Order", "Order ID"),
            _ref("Product2Id", "Product2", "Product2", "Product ID"),
            _f("Quantity", DOUBLE, "Quantity", nillable=False),
            _f("UnitPrice", CURRENCY, "Unit Price", nillable=False),
            _f("ListPrice", CURRENCY, "List Price"),
            _f("TotalPrice", CURRENCY, "Total Price", calculated=True),
            _f("ServiceDate", DATE, "Start Date"),
            _f("EndDate", DATE, "End Date"),
            _f("Description", STRING, "Line Description"),
            *_audit(),
        ],
    )

    add(
        SObject("Case", "Case", "Cases", "500"),
        [
            _f("Id", ID, "Case ID", nillable=False),
            _f("CaseNumber", STRING, "Case Number", calculated=True, length=30),
            _f("Subject", STRING, "Subject"),
            _f("Description", TEXTAREA, "Description"),
            _ref("AccountId", "Account", "Account", "Account ID"),
            _ref("ContactId", "Contact", "Contact", "Contact ID"),
            _ref("OwnerId", "User", "Owner", "Owner ID"),
            _f(
                "Status",
                PICKLIST,
                "Status",
                restricted=True,
                picklist=_pl(*CASE_STATUSES, default="New"),
            ),
            _f("IsClosed", BOOLEAN, "Closed", calculated=True, nillable=False),
            _f(
                "Priority",
                PICKLIST,
                "Priority",
                picklist=_pl("High", "Medium", "Low", default="Medium"),
            ),
            _f("IsEscalated", BOOLEAN, "Escalated", nillable=False),
            _f("Origin", PICKLIST, "Case Origin", picklist=_pl("Phone", "Email", "Web")),
            _f(
                "Type",
                PICKLIST,
                "Case Type",
                picklist=_pl(
                    "Billing",
                    "Installation",
                    "Disconnect",
                    "Service Outage",
                    "Order Quality",
                    "Question",
                    "Other",
                ),
            ),
            _f(
                "Reason",
                PICKLIST,
                "Case Reason",
                picklist=_pl(
                    "Billing Dispute",
                    "Install Delay",
                    "Equipment",
                    "Service Down",
                    "Wrong Order",
                    "Contract Terms",
                    "Other",
                ),
            ),
            _f("ClosedDate", DATETIME, "Closed Date", calculated=True),
            *_audit(),
        ],
    )

    # The org itself: one record, readable with SOQL ("SELECT DefaultCurrencyIsoCode FROM
    # Organization"). Object Reference, Organization; getUserInfo(): orgDefaultCurrencyIsoCode
    # is "Applicable only when organizationMultiCurrency is false" - in a multicurrency org
    # the sandbox answers the corporate currency.
    add(
        SObject("Organization", "Organization", "Organizations", "00D"),
        [
            _f("Id", ID, "Organization ID", nillable=False),
            _f("Name", STRING, "Name", length=80, nillable=False),
            _f(
                "DefaultCurrencyIsoCode",
                PICKLIST,
                "Currency Locale",
                picklist=_pl("USD", default="USD"),
            ),
            _f("TimeZoneSidKey", PICKLIST, "Default Time Zone", picklist=_pl(*TIME_ZONES)),
            _f(
                "DefaultLocaleSidKey",
                PICKLIST,
                "Default Locale",
                picklist=_pl(*LOCALE_FIRST_DAY, default=DEFAULT_LOCALE),
            ),
            # The standard fiscal year: it starts on the 1st of FiscalYearStartMonth (1 =
            # January, the default) and is named after its start year when
            # UsesStartDateAsFiscalYearName, else its end year (Object Reference,
            # Organization; Help, "Set the Fiscal Year").
            _f("FiscalYearStartMonth", INT, "Fiscal Year Start Month"),
            _f(
                "UsesStartDateAsFiscalYearName",
                BOOLEAN,
                "Fiscal Year Name by Start",
                nillable=False,
            ),
            *_audit(),
        ],
    )

    objs["Account"].children = {
        "Contacts": ChildRelationship("Contacts", "Contact", "AccountId"),
        "Opportunities": ChildRelationship("Opportunities", "Opportunity", "AccountId"),
        "Orders": ChildRelationship("Orders", "Order", "AccountId"),
        "Cases": ChildRelationship("Cases", "Case", "AccountId"),
        "Contracts": ChildRelationship("Contracts", "Contract", "AccountId"),
        "ChildAccounts": ChildRelationship("ChildAccounts", "Account", "ParentId"),
    }
    objs["Order"].children = {
        "OrderItems": ChildRelationship("OrderItems", "OrderItem", "OrderId"),
    }
    objs["Contract"].children = {
        "Orders": ChildRelationship("Orders", "Order", "ContractId"),
    }
    objs["Contact"].children = {
        "Cases": ChildRelationship("Cases", "Case", "ContactId"),
    }
    # Who may read what: org-wide defaults, roles, profiles, shares, teams.
    from bot.standins.salesforce.sharing_schema import add_sharing_objects

    add_sharing_objects(objs)
    return objs


SOBJECTS: dict[str, SObject] = _build()
_BY_LOWER = {k.lower(): v for k, v in SOBJECTS.items()}
_BY_PREFIX = {v.key_prefix: v for v in SOBJECTS.values()}


def sobject_ci(name: str) -> SObject | None:
    """Case-insensitive sObject lookup (SOQL object names are case-insensitive)."""
    return _BY_LOWER.get(name.lower())


def sobject_for_id(record_id: str) -> SObject | None:
    return _BY_PREFIX.get(record_id[:3]) if record_id else None


# --- one org's schema ------------------------------------------------------------------

# Objects whose records carry CurrencyIsoCode in a multicurrency org. Salesforce: "When
# you enable multiple currencies ... a Currency field is added to all records"
# (Help, "Considerations for Enabling Multiple Currencies"); CurrencyType itself and the
# Organization record have none.
CURRENCY_OBJECTS = (
    "User",
    "Account",
    "Contact",
    "Product2",
    "Opportunity",
    "Contract",
    "Order",
    "OrderItem",
    "Case",
)
# The key prefix of CurrencyType Ids (as real CurrencyType Ids carry; the sandbox only
# needs it to be distinct from every other object's).
CURRENCY_TYPE_PREFIX = "01L"


def _currency_type(codes: tuple[str, ...]) -> SObject:
    """CurrencyType, present only in a multicurrency org (Object Reference, CurrencyType:
    "This object is not available in single-currency organizations")."""
    obj = SObject("CurrencyType", "Currency", "Currencies", CURRENCY_TYPE_PREFIX)
    obj.fields = {
        f.name: f
        for f in [
            _f("Id", ID, "Currency Type ID", nillable=False),
            _f(
                "IsoCode",
                PICKLIST,
                "Currency ISO Code",
                nillable=False,
                restricted=True,
                length=40,
                picklist=_pl(*codes),
            ),
            _f("ConversionRate", DOUBLE, "Conversion Rate", nillable=False),
            _f("DecimalPlaces", INT, "Decimal Places", nillable=False),
            _f("IsActive", BOOLEAN, "Active", nillable=False),
            _f("IsCorporate", BOOLEAN, "Corporate Currency", nillable=False),
            *_audit(),
        ]
    }
    return obj


@dataclass(frozen=True)
class Currency:
    """One CurrencyType row: ``rate`` units of this currency make one corporate unit."""

    iso: str
    rate: float
    decimals: int
    active: bool
    corporate: bool


class OrgSchema:
    """The schema of one loaded org: the stock objects, changed by what the data set says.

    A data set with ``CurrencyType`` records makes the org multicurrency: every record
    object gains ``CurrencyIsoCode`` (and User ``DefaultCurrencyIsoCode``) and the
    ``CurrencyType`` object appears. ``_picklists`` replaces picklist values, with the
    status categories that drive ``StatusCode``/``IsClosed``. The describe endpoint, the
    SOQL engine and the store all read the org's schema, so a single-currency org has no
    ``CurrencyIsoCode`` column at all (querying it is INVALID_FIELD, as in a real
    single-currency org).
    """

    def __init__(
        self,
        sobjects: dict[str, SObject],
        *,
        currencies: dict[str, Currency] | None = None,
        order_statuses: dict[str, str] | None = None,
        contract_statuses: dict[str, str] | None = None,
        case_statuses: dict[str, bool] | None = None,
        stages: dict[str, tuple[bool, bool, str, float]] | None = None,
    ) -> None:
        self.sobjects = sobjects
        self.currencies: dict[str, Currency] = currencies or {}
        self.order_statuses = order_statuses if order_statuses is not None else ORDER_STATUSES
        self.contract_statuses = (
            contract_statuses if contract_statuses is not None else CONTRACT_STATUSES
        )
        self.case_statuses = case_statuses if case_statuses is not None else CASE_STATUSES
        self.stages = stages if stages is not None else OPPORTUNITY_STAGES
        self._by_lower = {k.lower(): v for k, v in sobjects.items()}
        self._by_prefix = {v.key_prefix: v for v in sobjects.values()}

    @property
    def multi_currency(self) -> bool:
        return bool(self.currencies)

    @property
    def corporate(self) -> Currency | None:
        """The corporate currency of a multicurrency org, else None."""
        return next((c for c in self.currencies.values() if c.corporate), None)

    def sobject_ci(self, name: str) -> SObject | None:
        """Case-insensitive sObject lookup among this org's objects."""
        return self._by_lower.get(name.lower())

    def sobject_for_id(self, record_id: str) -> SObject | None:
        """The sObject an Id belongs to (by its key prefix), else None."""
        return self._by_prefix.get(record_id[:3]) if record_id else None


def build_org_schema(
    *,
    currencies: dict[str, Currency] | None = None,
    org_currency: str = "USD",
    picklists: dict[tuple[str, str], tuple[PicklistValue, ...]] | None = None,
    order_statuses: dict[str, str] | None = None,
    contract_statuses: dict[str, str] | None = None,
    case_statuses: dict[str, bool] | None = None,
    stages: dict[str, tuple[bool, bool, str, float]] | None = None,
) -> OrgSchema:
    """A fresh schema for one org.

    ``currencies``: the org's CurrencyType rows by ISO code (empty/None: single-currency,
    with ``org_currency`` its only currency); ``picklists``: (object, field) -> the org's
    own values for that picklist; the status maps give each status value its category.
    Raises nothing: the caller (the store) validates the data set first.
    """
    objs = _build()
    currencies = currencies or {}
    if currencies:
        codes = tuple(sorted(currencies))
        corporate = next(c.iso for c in currencies.values() if c.corporate)
        # Listed (and so sorted) by ISO code, whatever the data set's order.
        values = tuple(
            PicklistValue(c.iso, c.iso, c.iso == corporate, c.active)
            for c in sorted(currencies.values(), key=lambda c: c.iso)
        )
        for name in CURRENCY_OBJECTS:
            obj = objs[name]
            extra = [
                Field(
                    name="CurrencyIsoCode",
                    type=PICKLIST,
                    label=f"{obj.label} Currency",
                    picklist=values,
                    restricted=True,
                    length=3,
                )
            ]
            if name == "User":
                extra.append(
                    Field(
                        name="DefaultCurrencyIsoCode",
                        type=PICKLIST,
                        label="Default Currency ISO Code",
                        picklist=values,
                        restricted=True,
                        length=3,
                    )
                )
            obj.fields = {**obj.fields, **{f.name: f for f in extra}}
        objs["CurrencyType"] = _currency_type(codes)
        org_values = values
    else:
        org_values = (PicklistValue(org_currency, org_currency, True),)
    organization = objs["Organization"]
    organization.fields["DefaultCurrencyIsoCode"] = replace(
        organization.fields["DefaultCurrencyIsoCode"], picklist=org_values
    )
    for (obj_name, field_name), values_ in (picklists or {}).items():
        obj = objs[obj_name]
        obj.fields[field_name] = replace(obj.fields[field_name], picklist=values_, restricted=True)
    return OrgSchema(
        objs,
        currencies=currencies,
        order_statuses=order_statuses,
        contract_statuses=contract_statuses,
        case_statuses=case_statuses,
        stages=stages,
    )


# --- Ids -----------------------------------------------------------------------------

_SUFFIX_CHARS = "ABCDEFGHIJKLMNOPQRSTUVWXYZ012345"
_BASE62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"


def id_suffix(id15: str) -> str:
    """The 3-character case-safe suffix Salesforce appends to a 15-character Id."""
    out = []
    for chunk in range(3):
        bits = 0
        for i, ch in enumerate(id15[chunk * 5 : chunk * 5 + 5]):
            if "A" <= ch <= "Z":
                bits |= 1 << i
        out.append(_SUFFIX_CHARS[bits])
    return "".join(out)


def to_18(record_id: str) -> str:
    """Normalise a 15- or 18-character Id to 18 characters."""
    if len(record_id) == 15:
        return record_id + id_suffix(record_id)
    return record_id


def is_valid_id(value: str) -> bool:
    if len(value) not in (15, 18) or not value.isalnum() or not value.isascii():
        return False
    return len(value) == 15 or id_suffix(value[:15]) == value[15:]


def make_id(prefix: str, n: int) -> str:
    """The n-th Id for a key prefix: 3-char prefix, pod '000', counter, checksum."""
    body = ""
    x = n
    for _ in range(9):
        body = _BASE62[x % 62] + body
        x //= 62
    id15 = prefix + "000" + body
    return id15 + id_suffix(id15)
