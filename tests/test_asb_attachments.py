"""Documents and images on ASB reports and cases: recognised by their
contents, image metadata removed, kept encrypted outside the database with
their hashes on the ledger, shown to a partner only when marked shareable and
the gate would name the case's people to it, CCTV only to the police and
deleted after 30 days unless it is evidence. Bad uploads write nothing."""

from __future__ import annotations

import hashlib
import io
import json
import zipfile
from datetime import timedelta
from pathlib import Path

import pytest
from PIL import Image
from PIL.PngImagePlugin import PngInfo

from helpers import assert_problem
from pages import assert_no_machinery, soup, visible_text
from sharehub.audit.models import LedgerEntry
from sharehub.db.base import utcnow
from sharehub.privacy.models import Disclosure
from sharehub.referrals.asb.attachment_rules import (
    NotAccepted,
    attachment_rules,
    check,
    recognise,
    without_metadata,
)
from sharehub.referrals.asb.attachments import clean_filename, withheld_from_partner
from sharehub.referrals.asb.models import AsbAttachment
from sharehub.retention.schedule import load_schedule
from sharehub.retention.service import run_retention
from test_asb_cases import CASES, day, opened, post
from test_asb_evidence import rows
from test_privacy import consent_body, database, ok, partners  # noqa: F401
from test_protocols import cast  # noqa: F401

RULES = attachment_rules()
MB = 1_048_576


def photo_with_location() -> bytes:
    image = Image.new("RGB", (40, 30), (200, 40, 40))
    exif = Image.Exif()
    exif[0x010F] = "SnoopCam"  # Make
    gps = exif.get_ifd(0x8825)
    gps[1], gps[2] = "N", (51.0, 30.0, 12.0)
    out = io.BytesIO()
    image.save(out, "JPEG", exif=exif.tobytes(), quality=90)
    return out.getvalue()


def png_with_text() -> bytes:
    info = PngInfo()
    info.add_text("Location", "51.5072 N, 0.1276 W")
    out = io.BytesIO()
    Image.new("RGB", (20, 20), (0, 90, 200)).save(out, "PNG", pnginfo=info)
    return out.getvalue()


def docx(macro: bool = False) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", "<w:document/>")
        if macro:
            archive.writestr("word/vbaProject.bin", b"\x00macro")
    return out.getvalue()


PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


# --- the rules, over plain bytes ------------------------------------------------------


@pytest.mark.parametrize(
    "data,found",
    [
        (PDF, "pdf"),
        (photo_with_location(), "jpeg"),
        (png_with_text(), "png"),
        (b"\x00\x00\x00\x18ftypmp42\x00\x00\x00\x00", "mp4"),
        (docx(), "docx"),
        (docx(macro=True), None),  # macro-enabled: not accepted
        (b"Diary: Tuesday, shouting at 2am.\n", "text"),
        (b"MZ\x90\x00\x03\x00", None),  # a Windows program
        (b"<html><script>alert(1)</script>", "text"),  # text, and only ever sent as text
    ],
)
def test_a_file_is_recognised_by_its_contents(data, found):
    assert recognise(data) == found


@pytest.mark.parametrize(
    "data,name,claimed,kind,reason",
    [
        (b"", "empty.pdf", None, "letter", "empty"),
        (PDF, "letter.png", "image/png", "letter", "name says PNG image but the file is a PDF"),
        (png_with_text(), "photo.pdf", None, "photograph", "name says PDF document"),
        (PDF, "letter", None, "letter", "must end with the type it is"),
        (PDF, "letter.pdf", "image/png", "letter", "sent as another type"),
        (PDF, "clip.pdf", None, "cctv_recording", "must be one of: MP4 video"),
        (b"MZ\x90\x00", "run.exe", None, "document", "not one of the types accepted"),
        (PDF + b"x" * 3000, "big.pdf", None, "letter", "smaller than 2 KB"),
    ],
)
def test_a_file_that_is_not_what_it_claims_is_refused(data, name, claimed, kind, reason):
    with pytest.raises(NotAccepted, match=reason):
        check(RULES, data, filename=name, claimed_type=claimed, kind=kind, max_bytes=2048)


def test_location_and_camera_are_removed_from_a_photograph_and_the_pixels_kept():
    original = photo_with_location()
    assert b"SnoopCam" in original and Image.open(io.BytesIO(original)).getexif()
    kept = without_metadata(RULES, "jpeg", original)
    assert b"SnoopCam" not in kept and b"Exif" not in kept
    assert not Image.open(io.BytesIO(kept)).getexif()
    assert Image.open(io.BytesIO(kept)).tobytes() == Image.open(io.BytesIO(original)).tobytes()


def test_text_chunks_are_removed_from_a_png():
    kept = without_metadata(RULES, "png", png_with_text())
    assert b"Location" not in kept and b"51.5072" not in kept
    assert Image.open(io.BytesIO(kept)).size == (20, 20)


@pytest.mark.parametrize(
    "type_code,data", [("jpeg", photo_with_location()[:300]), ("png", png_with_text()[:60])]
)
def test_a_damaged_image_is_refused(type_code, data):
    with pytest.raises(NotAccepted, match="damaged or incomplete"):
        without_metadata(RULES, type_code, data)


@pytest.mark.parametrize(
    "name,clean",
    [
        ("../../etc/passwd.txt", "passwd.txt"),
        ("C:\\Users\\officer\\diary.pdf", "diary.pdf"),
        ('a"b\r\nX-Evil: 1.pdf', "a b X-Evil 1.pdf"),
        ("   .hidden.pdf  ", "hidden.pdf"),
    ],
)
def test_file_names_lose_folders_and_header_breaking_characters(name, clean):
    assert clean_filename(name) == clean


ALL_CLEAR = {
    "shareable": True,
    "shared_with_them": True,
    "protocol_connects": True,
    "cctv": False,
    "cctv_may_go_to_them": False,
    "everyone_named_to_them": True,
}


@pytest.mark.parametrize(
    "change,why",
    [
        ({}, None),
        ({"shareable": False}, "not marked as shareable"),
        ({"shared_with_them": False}, "not been shared with your agency"),
        ({"protocol_connects": False}, "no information sharing protocol"),
        ({"cctv": True}, "only to the police"),
        ({"cctv": True, "cctv_may_go_to_them": True}, None),
        ({"everyone_named_to_them": False}, "withholds the identity"),
    ],
)
def test_when_a_partner_may_see_an_attachment(change, why):
    found = withheld_from_partner(**(ALL_CLEAR | change))
    assert (found is None) if why is None else (why in found)


def test_the_cctv_period_is_one_number_in_the_policy_and_the_schedule():
    assert load_schedule().kinds["cctv_recording"].days == RULES.cctv.keep_days == 30


# --- through the API -------------------------------------------------------------------------


async def attach(browser, path: str, data: bytes, name: str, content_type: str, **fields):
    fields = {k: ("true" if v is True else str(v)) for k, v in fields.items()}
    return await browser.post(
        path,
        files={"file": (name, data, content_type)},
        data=fields,
        headers={"X-Requested-By": "tests"},
    )


def stored_files(settings) -> list[Path]:
    root = Path(settings.attachments_dir)
    return [p for p in root.rglob("*") if p.is_file()] if root.exists() else []


async def test_a_photograph_is_kept_encrypted_without_its_location(partners, settings):  # noqa: F811
    officer = partners.officer
    report, _, _ = await opened(partners)
    photo = photo_with_location()
    made = await attach(
        officer, f"/api/asb-reports/{report['id']}/attachments", photo,
        "Damage to the door.jpg", "image/jpeg", kind="photograph",
        description="Door kicked in, photographed by the officer",
    )  # fmt: skip
    view = await ok(made, 201)
    assert made.headers["cache-control"] == "no-store"
    assert view["attached_to"] == report["reference"] and view["number"] == 1
    assert view["filename"] == "Damage to the door.jpg" and view["file_type"] == "jpeg"
    assert view["shareable"] is False and view["delete_on"] is None

    # On disk: encrypted, nothing of the picture or its metadata readable.
    [kept] = stored_files(settings)
    sealed = kept.read_bytes()
    assert sealed.startswith(b"v1.") and b"SnoopCam" not in sealed and b"JFIF" not in sealed

    got = await officer.get(f"/api/asb-attachments/{view['id']}/content")
    assert got.status_code == 200 and got.headers["content-type"].startswith("image/jpeg")
    assert got.headers["cache-control"] == "no-store"
    assert got.headers["x-content-type-options"] == "nosniff"
    assert got.headers["content-disposition"].startswith("attachment;")
    assert b"SnoopCam" not in got.content
    assert hashlib.sha256(got.content).hexdigest() == view["sha256"]

    # The upload is on the ledger with both fingerprints, and nothing personal.
    [entry] = [e for e in await rows(settings, LedgerEntry) if e.kind == "attachment_added"]
    body = json.loads(entry.body)
    details = body.get("details") or body["event"]["details"]
    assert details["sha256"] == view["sha256"]
    assert details["received_sha256"] == hashlib.sha256(photo).hexdigest()
    assert "Damage" not in entry.body and "Door" not in entry.body

    listed = await ok(await officer.get(f"/api/asb-reports/{report['id']}/attachments"))
    assert [a["id"] for a in listed] == [view["id"]]
    # Another agency cannot read it by id, nor list the report's.
    assert_problem(await partners.viewer.get(f"/api/asb-attachments/{view['id']}/content"), 404)
    assert_problem(await partners.viewer.get(f"/api/asb-reports/{report['id']}/attachments"), 404)


@pytest.mark.parametrize(
    "name,data,content_type,fields,field",
    [
        ("letter.pdf", png_with_text(), "application/pdf", {"kind": "letter"}, "file"),
        ("diary.pdf", PDF, "application/pdf", {"kind": "holiday_snaps"}, "kind"),
        ("still.png", png_with_text(), "image/png", {"kind": "cctv_still"}, "recorded_on"),
        ("still.png", png_with_text(), "image/png",
         {"kind": "cctv_still", "recorded_on": day(-40)}, "recorded_on"),
        ("still.png", png_with_text(), "image/png",
         {"kind": "cctv_still", "recorded_on": day(2)}, "recorded_on"),
        ("diary.pdf", PDF, "application/pdf", {"kind": "diary_sheet", "evidence_for": "ASB-1999-0001"},
         "evidence_for"),
        ("diary.pdf", PDF, "application/pdf", {"kind": "diary_sheet", "surprise": "x"}, "surprise"),
    ],
)  # fmt: skip
async def test_a_bad_upload_is_refused_by_field_and_writes_nothing(
    partners,  # noqa: F811
    settings,
    name,
    data,
    content_type,
    fields,
    field,
):
    report, _, _ = await opened(partners)
    before = len(await rows(settings, LedgerEntry))
    refused = await attach(
        partners.officer, f"/api/asb-reports/{report['id']}/attachments", data, name,
        content_type, **fields,
    )  # fmt: skip
    problem = assert_problem(refused, 422, field)
    assert "SnoopCam" not in json.dumps(problem)
    assert await rows(settings, AsbAttachment) == [] and stored_files(settings) == []
    assert len(await rows(settings, LedgerEntry)) == before


async def test_an_oversized_upload_is_refused(partners, settings):  # noqa: F811
    report, _, _ = await opened(partners)
    limit = settings.attachment_max_bytes
    big = PDF + b"0" * limit
    refused = await attach(
        partners.officer, f"/api/asb-reports/{report['id']}/attachments", big, "big.pdf",
        "application/pdf", kind="letter",
    )  # fmt: skip
    assert "smaller than 20 MB" in assert_problem(refused, 422, "file")["errors"][0]["reason"]
    assert await rows(settings, AsbAttachment) == [] and stored_files(settings) == []
    # Far beyond the limit: refused before it is read, as too large.
    huge = PDF + b"0" * (3 * limit)
    assert (
        await attach(
            partners.officer, f"/api/asb-reports/{report['id']}/attachments", huge, "huge.pdf",
            "application/pdf", kind="letter",
        )
    ).status_code == 413  # fmt: skip


async def share_case(partners):  # noqa: F811
    """A case with an evidence request asked of the council (the partner)."""
    report, case, tag = await opened(partners)
    asked = await ok(
        await post(
            partners.officer, case, "evidence-requests",
            {"agency_id": partners.other_id, "question": "Any reports?", "due_on": day(7)}, tag,
        )
    )  # fmt: skip
    return report, asked


async def test_a_partner_sees_a_shareable_file_only_where_the_gate_names_the_people(
    partners,  # noqa: F811
    settings,
):
    officer, council = partners.officer, partners.viewer
    _, case = await share_case(partners)
    path = f"{CASES}/{case['id']}/attachments"
    letter = await ok(
        await attach(officer, path, PDF, "Warning letter.pdf", "application/pdf",
                     kind="letter", shareable=True), 201,
    )  # fmt: skip
    hidden = await ok(
        await attach(officer, path, PDF, "Internal note.pdf", "application/pdf", kind="document"),
        201,
    )
    [request] = await ok(await council.get("/api/asb-evidence-requests/"))
    # The complainant has given no consent covering the council: nothing shown.
    assert request["attachments"] == []
    assert_problem(await council.get(f"/api/asb-attachments/{letter['id']}/content"), 404)

    complainant = next(p for p in request["people"] if p["role"] == "complainant")
    given = await officer.post(
        f"/api/subjects/{complainant['subject_id']}/consents", json=consent_body(partners)
    )
    assert given.status_code == 201, given.text
    [request] = await ok(await council.get("/api/asb-evidence-requests/"))
    assert [a["filename"] for a in request["attachments"]] == ["Warning letter.pdf"]
    before = len(await rows(settings, Disclosure))
    got = await council.get(f"/api/asb-attachments/{letter['id']}/content")
    assert got.status_code == 200 and got.content == PDF
    assert len(await rows(settings, Disclosure)) > before  # the download is a disclosure
    assert any(
        e.kind == "disclosure" and letter["sha256"] in e.body
        for e in await rows(settings, LedgerEntry)
    )
    # Not marked shareable: never, whatever the consent.
    assert_problem(await council.get(f"/api/asb-attachments/{hidden['id']}/content"), 404)

    # CCTV goes only to the police: the council never sees it.
    still = await ok(
        await attach(officer, path, png_with_text(), "Camera 2.png", "image/png",
                     kind="cctv_still", recorded_on=day(-1), shareable=True), 201,
    )  # fmt: skip
    assert still["delete_on"] == day(29)
    [request] = await ok(await council.get("/api/asb-evidence-requests/"))
    assert [a["filename"] for a in request["attachments"]] == ["Warning letter.pdf"]
    assert_problem(await council.get(f"/api/asb-attachments/{still['id']}/content"), 404)


async def test_cctv_is_deleted_after_30_days_unless_it_is_evidence(partners, settings):  # noqa: F811
    officer = partners.officer
    report, case, _ = await opened(partners)
    path = f"{CASES}/{case['id']}/attachments"
    plain = await ok(
        await attach(officer, path, png_with_text(), "cam1.png", "image/png",
                     kind="cctv_still", recorded_on=day(-10)), 201,
    )  # fmt: skip
    evidence = await ok(
        await attach(officer, path, png_with_text(), "cam2.png", "image/png",
                     kind="cctv_still", recorded_on=day(-10)), 201,
    )  # fmt: skip
    marked = await officer.patch(
        f"/api/asb-attachments/{evidence['id']}",
        json={"evidence_for": report["reference"], "evidence_note": "Shows the door being kicked"},
        headers={"If-Match": f'"{evidence["version"]}"'},
    )
    marked_view = await ok(marked)
    assert marked_view["evidence_for"] == report["reference"] and marked_view["delete_on"] is None
    assert len(stored_files(settings)) == 2

    engine, sessions = await database(settings)
    app_files = __import__("sharehub.files", fromlist=["EncryptedFiles"]).EncryptedFiles
    from sharehub.crypto import FieldCipher

    files = app_files(Path(settings.attachments_dir), FieldCipher(settings.field_keys))
    try:
        later = utcnow() + timedelta(days=21)
        ran = await run_retention(
            sessions, load_schedule(), cipher=FieldCipher(settings.field_keys),
            audit=__import__("sharehub.audit.events", fromlist=["MemorySink"]).MemorySink(),
            now=later, dry_run=False, files=files,
        )  # fmt: skip
    finally:
        await engine.dispose()
    assert ran.counts().get("cctv_recording") == 1
    left = await rows(settings, AsbAttachment)
    assert [str(a.id) for a in left] == [evidence["id"]]
    assert len(stored_files(settings)) == 1
    gone = await officer.get(f"/api/asb-attachments/{plain['id']}/content")
    assert_problem(gone, 404)


async def test_the_housing_officer_attaches_on_the_pages(partners, settings):  # noqa: F811
    officer = partners.officer
    _, case, _ = await opened(partners)
    page = soup(await officer.get(f"/asb-cases/{case['reference']}"))
    assert "Nothing attached yet." in visible_text(page)
    link = page.select_one(f'a[href="/asb-attachments/{case["reference"]}/new"]')
    assert link is not None
    form = soup(await officer.get(link["href"]))
    assert_no_machinery(form)
    token = form.select_one('input[name="_csrf_token"]')["value"]
    # Nothing chosen at all: both the file and what it is are asked for.
    nothing = await officer.post(link["href"], data={"_csrf_token": token})
    assert nothing.status_code == 400
    asked = visible_text(soup(nothing).select_one(".govuk-error-summary"))
    assert "Choose a file to attach" in asked and "Choose what the file is" in asked
    # A PNG named as a PDF: the error summary names the file, nothing is kept.
    refused = await officer.post(
        link["href"],
        files={"file": ("letter.pdf", png_with_text(), "application/pdf")},
        data={"_csrf_token": token, "kind": "letter"},
    )
    assert refused.status_code == 400
    summary = soup(refused).select_one(".govuk-error-summary")
    assert summary is not None and "PNG image" in visible_text(summary)
    assert await rows(settings, AsbAttachment) == []
    sent = await officer.post(
        link["href"],
        files={"file": ("Diary week 1.pdf", PDF, "application/pdf")},
        data={"_csrf_token": token, "kind": "diary_sheet", "description": "Week one"},
    )
    assert sent.status_code == 303, sent.text
    page = soup(await officer.get(sent.headers["location"]))
    assert_no_machinery(page)
    text = visible_text(page)
    assert "File attached" in text and "Diary week 1.pdf" in text and "Not shared" in text
    download = page.select_one(f'a[href="/asb-attachments/{case["reference"]}/1"]')
    got = await officer.get(download["href"])
    assert got.status_code == 200 and got.content == PDF
    settings_page = soup(await officer.get(f"/asb-attachments/{case['reference']}/1/settings"))
    assert_no_machinery(settings_page)
    fields = {
        i["name"]: i.get("value", "") for i in settings_page.select("form input[type=hidden]")
    }
    changed = await officer.post(
        f"/asb-attachments/{case['reference']}/1/settings", data={**fields, "shareable": "yes"}
    )
    assert changed.status_code == 303
    assert "Shareable" in visible_text(soup(await officer.get(changed.headers["location"])))


def test_files_are_bound_to_their_row_and_follow_key_rotation(tmp_path):
    import uuid

    from sharehub.crypto import DecryptionFailed, FieldCipher
    from sharehub.files import EncryptedFiles

    old, new = b"o" * 32, b"n" * 32
    before = EncryptedFiles(tmp_path, FieldCipher({"old": old}))
    one, two = uuid.uuid4(), uuid.uuid4()
    before.put("asb_attachments", one, PDF)
    before.put("asb_attachments", two, b"another")
    # A file copied over another's name does not open as the other's.
    (tmp_path / two.hex[:2] / two.hex).write_bytes((tmp_path / one.hex[:2] / one.hex).read_bytes())
    with pytest.raises(DecryptionFailed):
        before.get("asb_attachments", two)
    rotated = EncryptedFiles(tmp_path, FieldCipher({"new": new, "old": old}))
    assert rotated.rekey("asb_attachments", one) is True
    assert rotated.rekey("asb_attachments", one) is False  # already under the new key
    assert EncryptedFiles(tmp_path, FieldCipher({"new": new})).get("asb_attachments", one) == PDF
