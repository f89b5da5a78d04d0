"""Prefecture profiles: the contacts and offices that differ from one prefecture to another."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from pathlib import Path

PREFECTURES_DIR = Path(__file__).parent / "prefectures"
NATIONAL_FILE = Path(__file__).parent / "national.toml"


#: What a caller needs to renew an expired ADP at the residence office, beyond its name. Each is
#: a field of the profile's [residence_office] table, with its own source and date; unset until
#: a prefecture's own document gives it (the hotline then says to ask that office, never a guess).
RESIDENCE_CONTACT_FIELDS = ("address", "online_form", "email", "renewal_when")


@dataclass(frozen=True)
class Prefecture:
    id: str
    name: str
    asylum_email: str | None
    residence_office: str | None
    residence_contact: dict[str, str | None] = field(default_factory=dict)

    def warnings(self) -> list[str]:
        """Fields a caller would need that the profile leaves unset (the content check shows
        them: each is a question to put to the prefecture, not a problem to guess around)."""
        return [
            f"prefecture {self.id}: residence_office.{name} is unset "
            "(callers are told to ask the residence office)"
            for name in RESIDENCE_CONTACT_FIELDS
            if not self.residence_contact.get(name)
        ]

    def placeholders(self) -> dict[str, str]:
        """The values catalog texts may use, by placeholder name; absent fields are left out."""
        national = tomllib.loads(NATIONAL_FILE.read_text(encoding="utf-8"))
        values = {
            "prefecture": self.name,
            "asylum_email": self.asylum_email,
            "residence_office": self.residence_office,
            "anef_site": national["anef_site"],
            "anef_url": national["anef_url"],
        }
        return {k: v for k, v in values.items() if v}


def available_prefectures() -> list[str]:
    return sorted(p.stem for p in PREFECTURES_DIR.glob("*.toml"))


def load_prefecture(prefecture_id: str) -> Prefecture:
    data = tomllib.loads((PREFECTURES_DIR / f"{prefecture_id}.toml").read_text(encoding="utf-8"))
    office = data.get("residence_office", {})
    return Prefecture(
        id=prefecture_id,
        name=data["name"],
        asylum_email=data.get("asylum_office", {}).get("email"),
        residence_office=office.get("name"),
        residence_contact={
            name: (office.get(name) or {}).get("value") for name in RESIDENCE_CONTACT_FIELDS
        },
    )
