"""FollowTheMoney entity streams into the bundle format, so FtM data goes through the
same validation, normalisation, quarantine and loader as CSV bundles.

``riskgraph ingest --format ftm FILE.jsonl`` writes the converted bundle to
``FILE.jsonl.bundle/`` (every row carries ``source_line``, the line of the entity in the
JSONL file, so rejections point back at the input) and ingests that folder. Resident ID
numbers never reach that folder: a valid one is written as its keyed hash (``id_hash``),
an invalid one masked (ingest then reports it as a warning).
"""

from __future__ import annotations

import csv
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from followthemoney import model
from followthemoney.proxy import EntityProxy

from riskgraph.graph.credentials import id_key_for
from riskgraph.ingest import normalise as norm
from riskgraph.ingest.bundle import BundleError
from riskgraph.ingest.files import SPECS
from riskgraph.settings import Settings

SOURCE_LINE = "source_line"

# FtM Directorship roles (English or Chinese) to OfficerRole; others pass through as
# written, so validation reports them instead of guessing.
_ROLES = {
    "legal representative": "legal_representative",
    "legal_representative": "legal_representative",
    "法定代表人": "legal_representative",
    "chairman": "chairman",
    "董事长": "chairman",
    "director": "director",
    "executive director": "director",
    "董事": "director",
    "执行董事": "director",
    "supervisor": "supervisor",
    "监事": "supervisor",
    "manager": "manager",
    "general manager": "manager",
    "经理": "manager",
    "总经理": "manager",
    "executive": "executive",
    "secretary": "executive",
}


def _read(path: Path) -> Iterator[tuple[int, EntityProxy]]:
    try:
        with path.open(encoding="utf-8") as handle:
            for line_number, line in enumerate(handle, start=1):
                if not line.strip():
                    continue
                try:
                    data = json.loads(line)
                    # cleaned=True: take values as written; our validator judges them.
                    yield line_number, model.get_proxy(data, cleaned=True)
                except (ValueError, KeyError, TypeError) as exc:
                    raise BundleError(f"{path}:{line_number}: not an FtM entity ({exc})") from exc
    except FileNotFoundError as exc:
        raise BundleError(f"FtM file not found: {path}") from exc
    except UnicodeDecodeError as exc:
        raise BundleError(f"{path}: not UTF-8 ({exc.reason})") from exc


def _first(proxy: EntityProxy, prop: str) -> str:
    if prop not in proxy.schema.properties:
        return ""
    value = proxy.first(prop, quiet=True)
    return str(value).strip() if value else ""


def _date(value: str) -> str:
    """FtM dates may be partial ('2015', '2015-03'); the bundle takes full dates only."""
    return value[:10] if len(value) >= 10 else ""


def _percent(value: str) -> str:
    """FtM percentages are percent numbers ('35'); the bundle takes '35%'."""
    return value if not value or value.endswith("%") else f"{value}%"


def _identity(id_number: str, birth_year: str, key: bytes) -> dict[str, str]:
    """The person columns for an ID number: its hash (and birth year) when valid, else the
    masked number, which ingest reports as invalid without it ever being in clear."""
    if not id_number:
        return {"id_number": "", "id_hash": "", "birth_year": birth_year}
    try:
        number = norm.normalise_id_number(id_number)
    except ValueError:
        return {
            "id_number": norm.mask_id_number(id_number),
            "id_hash": "",
            "birth_year": birth_year,
        }
    year = birth_year or str(norm.birth_year_from_id(number))
    return {"id_number": "", "id_hash": norm.hash_id_number(number, key), "birth_year": year}


def convert(path: Path, out: Path, settings: Settings) -> Path:
    """Write the bundle for an FtM JSONL file; returns the bundle folder."""
    key = id_key_for(settings)
    entities = list(_read(path))
    ids: dict[str, tuple[str, str]] = {}  # FtM id -> (bundle id, 'company' | 'person')
    for _, proxy in entities:
        if proxy.id is None:
            continue
        if proxy.schema.is_a("Person"):
            ids[proxy.id] = (proxy.id, "person")
        elif proxy.schema.is_a("LegalEntity"):
            ids[proxy.id] = (_first(proxy, "uscCode") or proxy.id, "company")
    addresses = {p.id: _first(p, "full") for _, p in entities if p.id and p.schema.is_a("Address")}

    rows: dict[str, list[dict[str, Any]]] = {spec.name: [] for spec in SPECS}

    def ref(ftm_id: str) -> tuple[str, str]:
        return ids.get(ftm_id, (ftm_id, ""))

    for line, proxy in entities:
        schema = proxy.schema
        base: dict[str, Any] = {SOURCE_LINE: line}
        if proxy.id in ids:
            ident, kind = ids[proxy.id]
            if kind == "company":
                uscc = _first(proxy, "uscCode")
                registration = _first(proxy, "registrationNumber")
                rows["companies.csv"].append(
                    base
                    | {
                        "id": ident,
                        "uscc": uscc or (registration if len(registration) == 18 else ""),
                        "name": _first(proxy, "name"),
                        "established": _date(_first(proxy, "incorporationDate")),
                        "registered_capital": _first(proxy, "capital"),
                        "industry": _first(proxy, "sector"),
                    }
                )
            else:
                birth = _first(proxy, "birthDate")
                rows["persons.csv"].append(
                    base
                    | {"id": ident, "name": _first(proxy, "name")}
                    | _identity(
                        _first(proxy, "idNumber"), birth[:4] if len(birth) >= 4 else "", key
                    )
                )
            for phone in proxy.get("phone", quiet=True):
                rows["phones.csv"].append(base | {"entity_id": ident, "phone": phone})
            texts = list(proxy.get("address", quiet=True))
            texts += [addresses.get(a, "") for a in proxy.get("addressEntity", quiet=True)]
            for text in dict.fromkeys(t for t in texts if t):
                rows["addresses.csv"].append(base | {"entity_id": ident, "address": text})
        elif schema.is_a("Ownership"):
            holder, holder_type = ref(_first(proxy, "owner"))
            rows["shareholdings.csv"].append(
                base
                | {
                    "holder_id": holder,
                    "holder_type": holder_type,
                    "company_id": ref(_first(proxy, "asset"))[0],
                    "share": _percent(_first(proxy, "percentage")),
                    "amount": _first(proxy, "sharesValue"),
                    "since": _date(_first(proxy, "startDate")),
                    "until": _date(_first(proxy, "endDate")),
                }
            )
        elif schema.is_a("Directorship"):
            role = _first(proxy, "role")
            rows["officers.csv"].append(
                base
                | {
                    "person_id": ref(_first(proxy, "director"))[0],
                    "company_id": ref(_first(proxy, "organization"))[0],
                    "role": _ROLES.get(role.lower(), role) if role else "director",
                    "since": _date(_first(proxy, "startDate")),
                    "until": _date(_first(proxy, "endDate")),
                }
            )

    out.mkdir(parents=True, exist_ok=True)
    for spec in SPECS:
        columns = [*spec.required, *spec.optional, SOURCE_LINE]
        with (out / spec.name).open("w", encoding="utf-8", newline="") as handle:
            writer = csv.DictWriter(handle, fieldnames=columns, extrasaction="ignore")
            writer.writeheader()
            writer.writerows(rows[spec.name])
    return out
