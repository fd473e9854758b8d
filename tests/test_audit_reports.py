"""Disclosure and consent audits, and subject access exports, over HTTP."""

from __future__ import annotations

import csv
import io

from helpers import assert_problem
from sharehub.audit.reports import csv_cell
from test_privacy import (  # noqa: F401  (partners, cast: fixtures)
    ASB,
    complainant,
    consent_body,
    ok,
    partners,
    perpetrator,
    record,
    seen_by,
)
from test_protocols import cast  # noqa: F401


async def test_the_disclosure_audit_filters_and_totals(partners):  # noqa: F811
    victim = await record(partners.officer, complainant())
    accused = await record(partners.officer, perpetrator())
    await ok(
        await partners.officer.post(
            f"/api/subjects/{victim['id']}/consents", json=consent_body(partners)
        ),
        201,
    )
    await seen_by(partners.viewer, victim["id"])
    await seen_by(partners.viewer, accused["id"])
    await seen_by(partners.viewer, accused["id"])

    dpo = await partners.person("home-dpo", ["data_protection_officer"])
    audit = await ok(await dpo.get("/api/audit/disclosures"))
    assert audit["total"] == 3
    assert audit["by_basis"] == {"consent": 1, "protocol": 2}
    assert audit["by_recipient"] == {partners.other_id: 3}
    assert {r["recipient_agency"] for r in audit["items"]} == {"Otherton Borough Council"}
    assert all(r["gateway"] == "cda1998_s115" for r in audit["items"])
    assert all(r["protocol_id"] == partners.protocol["id"] for r in audit["items"])

    filtered = await ok(
        await dpo.get("/api/audit/disclosures", params={"gateway": "cda1998_s115", "limit": 1})
    )
    assert filtered["total"] == 3 and len(filtered["items"]) == 1
    none = await ok(await dpo.get("/api/audit/disclosures", params={"purpose": "marac"}))
    assert none["total"] == 0 and none["items"] == []
    assert_problem(
        await dpo.get(
            "/api/audit/disclosures",
            params={"period_from": "2026-02-01", "period_to": "2026-01-01"},
        ),
        400,
        "period_to",
    )
    # The receiving agency's DPO sees the same disclosures; a third agency's would not.
    theirs = await partners.person("other-dpo", ["data_protection_officer"], "other-agency")
    assert (await ok(await theirs.get("/api/audit/disclosures")))["total"] == 3


async def test_the_consent_audit(partners):  # noqa: F811
    victim = await record(partners.officer, complainant())
    consents = f"/api/subjects/{victim['id']}/consents"
    lasting = await ok(await partners.officer.post(consents, json=consent_body(partners)), 201)
    soon = await ok(
        await partners.officer.post(
            consents, json=consent_body(partners, expires_at="2099-01-01T00:00:00Z")
        ),
        201,
    )
    await ok(
        await partners.officer.post(
            f"{consents}/{lasting['id']}/withdrawal", json={"how": "verbal"}
        )
    )
    dpo = await partners.person("home-dpo", ["data_protection_officer"])
    audit = await ok(await dpo.get("/api/audit/consents", params={"expiring_within_days": 366}))
    assert audit["recorded"] == 2 and audit["withdrawn"] == 1
    assert audit["expiring"] == []  # 2099 is further off than a year
    assert audit["overrides_awaiting_review"] == []
    assert soon["status"] == "active"


async def test_subject_access_exports_everything_disclosed_as_json_and_safe_csv(
    partners,  # noqa: F811
):
    # An agency whose name a spreadsheet would run as a formula.
    other = f"/api/agencies/{partners.other_id}"
    read = await partners.admin.get(other)
    renamed = await partners.admin.patch(
        other,
        json={"name": '=HYPERLINK("http://evil.example","Otherton")'},
        headers={"If-Match": read.headers["etag"]},
    )
    assert renamed.status_code == 200, renamed.text
    victim = await record(partners.officer, complainant())
    await seen_by(partners.viewer, victim["id"])
    await seen_by(partners.viewer, victim["id"])

    dpo = await partners.person("home-dpo", ["data_protection_officer"])
    url = f"/api/audit/subject-access/{victim['id']}"
    as_json = await dpo.get(url)
    assert as_json.status_code == 200, as_json.text
    assert as_json.headers["cache-control"] == "no-store"
    rows = as_json.json()
    assert len(rows) == 2 and {r["subject_id"] for r in rows} == {victim["id"]}
    assert rows[0]["withheld"] and rows[0]["basis"] == "none"

    as_csv = await dpo.get(url, params={"format": "csv"})
    assert as_csv.headers["content-type"].startswith("text/csv")
    table = list(csv.DictReader(io.StringIO(as_csv.text)))
    assert len(table) == 2
    assert table[0]["recipient_agency"].startswith("'=HYPERLINK")
    assert "Thwaite" not in as_csv.text and "Thwaite" not in as_json.text

    # Answered by the holding agency only; others do not learn the subject exists.
    theirs = await partners.person("other-dpo", ["data_protection_officer"], "other-agency")
    assert_problem(await theirs.get(url), 404)
    assert_problem(await dpo.get(url, params={"format": "xlsx"}), 400)


def test_cells_a_spreadsheet_would_run_are_defused():
    assert csv_cell("=1+1") == "'=1+1"
    assert csv_cell("+44 7700") == "'+44 7700"
    assert csv_cell("-2") == "'-2"
    assert csv_cell("@SUM(A1)") == "'@SUM(A1)"
    assert csv_cell("\t=1") == "'\t=1"
    assert csv_cell("Otherton") == "Otherton"
    assert csv_cell(["name", "phone"]) == "name;phone"
    assert csv_cell(None) == ""
