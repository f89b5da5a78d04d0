"""Prefecture profiles: the contacts and offices that differ from one prefecture to another."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from pathlib import Path

PREFECTURES_DIR = Path(__file__).parent / "prefectures"
NATIONAL_FILE = Path(__file__).parent / "national.toml"


@dataclass(frozen=True)
class Prefecture:
    id: str
    name: str
    asylum_email: str | None
    residence_office: str | None

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
    return Prefecture(
        id=prefecture_id,
        name=data["name"],
        asylum_email=data.get("asylum_office", {}).get("email"),
        residence_office=data.get("residence_office", {}).get("name"),
    )
