"""`hubspot.*` actions on HubSpot's CRM v3 contacts API (HUBSPOT_API_BASE).

Authorised with the workspace's HubSpot connection: OAuth (renewed when due) or a private-app token.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
from pydantic import Field, field_validator

from integrations.base import (
    Action,
    ActionContext,
    ActionError,
    ActionInput,
    ActionOutput,
    CustomerData,
    RetryableError,
    Risk,
    retry_after_seconds,
)
from integrations.connections import MissingConnection
from integrations.durations import parse_duration
from integrations.hubspot_oauth import workspace_token

CONTACTS = "/crm/v3/objects/contacts"
PROPERTIES = ["email", "firstname", "lastname", "company", "phone", "lifecyclestage"]
# HubSpot refuses any other value of its `lifecyclestage` property.
LIFECYCLE_STAGES = frozenset(
    ("subscriber", "lead", "marketingqualifiedlead", "salesqualifiedlead", "opportunity",
     "customer", "evangelist", "other")
)  # fmt: skip
PAGE = 100  # the search API's largest page


@dataclass(frozen=True)
class HubSpotContact:
    """A HubSpot contact reduced to the fields Levqor syncs."""

    id: str
    email: str
    name: str | None
    company: str | None
    phone: str | None
    stage: str | None
    updated_at: datetime

    def as_dict(self) -> dict[str, Any]:
        """Plain JSON-ready data."""
        return {
            "id": self.id, "email": self.email, "name": self.name, "company": self.company,
            "phone": self.phone, "stage": self.stage, "updated_at": self.updated_at.isoformat(),
        }  # fmt: skip


def hubspot_stage(stage: str | None) -> str | None:
    """Our stage as a HubSpot lifecycle stage, or None when HubSpot has no such stage."""
    value = (stage or "").strip().lower()
    return value if value in LIFECYCLE_STAGES else None


def to_properties(
    email: str, name: str | None, company: str | None, phone: str | None, stage: str | None
) -> dict[str, str]:
    """Our contact fields as HubSpot properties (the name split into first and last)."""
    first, _, last = " ".join((name or "").split()).partition(" ")
    props = {"email": email, "firstname": first, "lastname": last}
    props |= {"company": company or "", "phone": phone or ""}
    if lifecycle := hubspot_stage(stage):
        props["lifecyclestage"] = lifecycle
    return props


def _parse_time(text: str | None) -> datetime:
    if not text:
        return datetime.fromtimestamp(0, UTC)
    return datetime.fromisoformat(text.replace("Z", "+00:00")).astimezone(UTC)


def from_result(result: dict[str, Any]) -> HubSpotContact:
    """A search/read result as a HubSpotContact."""
    props: dict[str, Any] = result.get("properties") or {}
    name = " ".join(f"{props.get('firstname') or ''} {props.get('lastname') or ''}".split())
    return HubSpotContact(
        id=str(result["id"]),
        email=str(props.get("email") or "").strip().lower(),
        name=name or None,
        company=props.get("company") or None,
        phone=props.get("phone") or None,
        stage=props.get("lifecyclestage") or None,
        updated_at=_parse_time(props.get("lastmodifieddate") or result.get("updatedAt")),
    )


class HubSpotClient:
    """The few contact calls Levqor makes, with HubSpot's errors mapped to ours."""

    def __init__(self, http: httpx.AsyncClient, base_url: str, token: str) -> None:
        self._http = http
        self._base = base_url.rstrip("/")
        self._headers = {"Authorization": f"Bearer {token}"}

    async def changed_since(self, since: datetime | None, limit: int) -> list[HubSpotContact]:
        """Contacts modified at or after `since` (all when None), oldest change first."""
        body: dict[str, Any] = {
            "properties": [*PROPERTIES, "lastmodifieddate"],
            "sorts": [{"propertyName": "lastmodifieddate", "direction": "ASCENDING"}],
            "limit": min(PAGE, limit),
        }
        if since is not None:
            millis = str(int(since.timestamp() * 1000))
            flt = {"propertyName": "lastmodifieddate", "operator": "GTE", "value": millis}
            body["filterGroups"] = [{"filters": [flt]}]
        found: list[HubSpotContact] = []
        while len(found) < limit:
            page = await self._call("POST", f"{CONTACTS}/search", json=body)
            found += [from_result(r) for r in page.get("results", [])]
            after = ((page.get("paging") or {}).get("next") or {}).get("after")
            if not after:
                break
            body["after"] = after
        return [c for c in found if c.email][:limit]

    async def upsert(self, contact_id: str | None, props: dict[str, str]) -> tuple[str, bool]:
        """Patch the contact (by id, else by email); create it when HubSpot has none. (id, new)."""
        key, params = (contact_id, {}) if contact_id else (props["email"], {"idProperty": "email"})
        try:
            done = await self._call(
                "PATCH", f"{CONTACTS}/{key}", json={"properties": props}, params=params
            )
            return str(done["id"]), False
        except _NotFound:
            created = await self._call("POST", CONTACTS, json={"properties": props})
            return str(created["id"]), True

    async def _call(self, method: str, path: str, **kwargs: Any) -> dict[str, Any]:
        try:
            response = await self._http.request(
                method, self._base + path, headers=self._headers, **kwargs
            )
        except httpx.HTTPError as exc:
            raise RetryableError(f"HubSpot is unreachable: {exc}") from exc
        if response.status_code == 404:
            raise _NotFound(path)
        if response.status_code == 429 or response.status_code >= 500:
            raise RetryableError(
                f"HubSpot is unavailable ({response.status_code}): {_message(response)}",
                retry_after=retry_after_seconds(response.headers),
            )
        if response.status_code == 401:
            raise ActionError(f"HubSpot refused the token: {_message(response)}")
        if response.status_code >= 400:
            raise ActionError(f"HubSpot refused ({response.status_code}): {_message(response)}")
        data: dict[str, Any] = response.json()
        return data


class _NotFound(Exception):
    """HubSpot answered 404."""


def _message(response: httpx.Response) -> str:
    try:
        return str(response.json().get("message") or response.text[:200])
    except ValueError:
        return response.text[:200]


async def client_for(ctx: ActionContext) -> HubSpotClient:
    """A client with the workspace's HubSpot access (OAuth or private-app), else HUBSPOT_TOKEN."""
    async with ctx.sessions() as session:
        token = await workspace_token(session, ctx.workspace_id, ctx.settings, ctx.http)
        await session.commit()
    token = token or ctx.settings.hubspot_token
    if not token:
        raise MissingConnection("hubspot", ctx.settings)
    return HubSpotClient(ctx.http, ctx.settings.hubspot_api_base, token)


def parse_since(value: str | None, now: datetime) -> datetime | None:
    """An ISO timestamp, or a duration ("1 day") meaning that long ago; None stays None."""
    if value is None:
        return None
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return now - timedelta(seconds=parse_duration(value))
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def _since(value: str | None) -> str | None:
    parse_since(value, datetime.now(UTC))
    return value


class ListContactsInput(ActionInput):
    """Inputs of hubspot.list_contacts."""

    changed_since: str | None = None
    limit: int = Field(default=1000, ge=1, le=10_000)

    _check_since = field_validator("changed_since")(_since)


class ListContactsOutput(ActionOutput):
    """Contacts (oldest change first) and how many."""

    contacts: list[dict[str, Any]]
    count: int


class UpsertContactInput(ActionInput):
    """Inputs of hubspot.upsert_contact (HubSpot's own properties go in `properties`)."""

    email: str
    name: str | None = None
    company: str | None = None
    phone: str | None = None
    stage: str | None = None
    properties: dict[str, str] = {}


class UpsertContactOutput(ActionOutput):
    """The HubSpot id and whether the contact was new."""

    id: str | None
    created: bool


async def list_contacts(ctx: ActionContext, inp: ListContactsInput) -> ListContactsOutput:
    """HubSpot contacts changed since a time or duration ago (all when not given)."""
    client = await client_for(ctx)
    since = parse_since(inp.changed_since, datetime.now(UTC))
    found = [c.as_dict() for c in await client.changed_since(since, inp.limit)]
    return ListContactsOutput(contacts=found, count=len(found))


async def upsert_contact(ctx: ActionContext, inp: UpsertContactInput) -> UpsertContactOutput:
    """Create the HubSpot contact, or update the one with this email."""
    email = inp.email.strip().lower()
    if "@" not in email:
        raise ActionError(f"not an email address: {inp.email!r}")
    if ctx.dry_run:
        return UpsertContactOutput(id=None, created=False)
    props = to_properties(email, inp.name, inp.company, inp.phone, inp.stage)
    given = {"firstname", "lastname"} if inp.name is not None else set()
    given |= {k for k in ("company", "phone") if getattr(inp, k) is not None}
    props = {k: v for k, v in props.items() if k in given or k in ("email", "lifecyclestage")}
    contact_id, created = await (await client_for(ctx)).upsert(None, props | inp.properties)
    return UpsertContactOutput(id=contact_id, created=created)


ACTIONS: list[Action[Any, Any]] = [
    Action("hubspot.list_contacts", "List HubSpot contacts, e.g. those changed since a time.",
           Risk.read, ListContactsInput, ListContactsOutput, list_contacts,
           reads=CustomerData.many),
    Action("hubspot.upsert_contact", "Create a HubSpot contact or update the one with this email.",
           Risk.external, UpsertContactInput, UpsertContactOutput, upsert_contact),
]  # fmt: skip
