"""Does a page with people on it cost more than the API's read of the same record?

One ASB report with five linked people and a 2 KB narrative naming them, held
by a housing association, read by its own housing officer. In the same run,
each read in its own committed transaction as a request is:
- api: the report built by the disclosure gate (``service.view_of``, which
  decides, redacts and records) and encoded as JSON, as the API's controller
  does;
- page: the same gate-built view, plus what the page adds (the people's
  references) and the template rendered to HTML, as the report page does.
Prints reads per second of each and the ratio page/api. The issue's target: a
page costs no more than the API read plus template rendering, so the ratio is
about 1 plus rendering's share.

Run: python bench/pages.py [--reads N] [--database-url URL]
(default: a temporary SQLite file; the database is emptied first.)
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))

import msgspec
from faker import Faker
from sqlalchemy import select

from conftest import migrate, reset_database
from meeting_pack import Services, make_agencies, services_for
from sharehub.db.base import utcnow
from sharehub.db.engine import create_engine, create_session_factory
from sharehub.disclosure.gated import encode_json
from sharehub.privacy.models import Subject
from sharehub.privacy.schemas import SubjectCreate
from sharehub.privacy.subjects import create_subject
from sharehub.referrals.asb import service
from sharehub.referrals.asb.schemas import ReportCreate
from sharehub.web.pages import Chrome, Person
from sharehub.web.templating import build_environment

ROLES = ["complainant", "victim", "witness", "perpetrator", "household_member"]


async def set_up(s: Services) -> tuple[Any, Any]:
    partnership, *_ = await make_agencies(s, 2)
    officer = partnership.staff[0].practitioner
    fake = Faker("en_GB")
    fake.seed_instance(2026)
    async with s.sessions() as db, db.begin():
        links, names = [], []
        for role in ROLES:
            name = f"{fake.first_name()} {fake.last_name()}"
            names.append(name)
            body = {
                "role": role,
                "identity": {
                    "name": name,
                    "address": [fake.building_number() + " " + fake.street_name()],
                    "postcode": fake.postcode(),
                },
            }
            view = await create_subject(db, officer, msgspec.convert(body, SubjectCreate), s.gate())
            links.append({"subject_id": str(view.id), "role": role})
        sentences = []
        while len(" ".join(sentences)) < 2048:
            a, b = fake.random_elements(names, length=2, unique=True)
            sentences.append(f"{a} said {b} {fake.sentence(nb_words=12).lower()}")
        now = utcnow()
        data = msgspec.convert(
            {
                "channel": "phone",
                "received_at": (now - timedelta(hours=2)).isoformat(),
                "incident_on": (now - timedelta(days=1)).date().isoformat(),
                "category": "nuisance",
                "place": fake.street_name(),
                "narrative": " ".join(sentences)[:2048],
                "subjects": links,
            },
            ReportCreate,
            strict=False,
        )
        report = await service.log_report(db, officer, data, s.gate())
        return officer, report.id


async def api_read(s: Services, officer: Any, report_id: Any) -> bytes:
    async with s.sessions() as db, db.begin():
        report = await service.get_report(db, officer, report_id)
        view = await service.view_of(db, officer, report, s.gate())
        return encode_json(view)


def render(template: Any, view: Any, references: dict[Any, str]) -> str:
    chrome = Chrome(
        nonce="bench",
        language="en-GB",
        person=Person("A. Officer", "Housing association"),
        navigation=[{"text": "Your work", "href": "/"}],
    )
    return template.render(
        page=chrome,
        title=view.reference,
        marking=True,
        report=view,
        person_references=references,
        errors=None,
        values={},
        back={"href": "/asb-reports", "text": "All reports"},
        csrf_input="",
    )


async def page_read(s: Services, officer: Any, report_id: Any, template: Any) -> str:
    async with s.sessions() as db, db.begin():
        report = await service.get_report(db, officer, report_id)
        view = await service.view_of(db, officer, report, s.gate())
        ids = [p.subject_id for p in view.subjects]
        references = dict(
            (
                await db.execute(select(Subject.id, Subject.reference).where(Subject.id.in_(ids)))
            ).all()
        )
        return render(template, view, references)


async def timed(reads: int, work: Any) -> float:
    await work()  # warm: caches and the template compiled
    started = time.perf_counter()
    for _ in range(reads):
        await work()
    return reads / (time.perf_counter() - started)


async def run(url: str, reads: int) -> None:
    await reset_database(url)
    await migrate(url)
    engine = create_engine(url)
    try:
        s = services_for(url, create_session_factory(engine))
        officer, report_id = await set_up(s)
        template = build_environment().get_template("asb/report.html")
        api = await timed(reads, lambda: api_read(s, officer, report_id))
        page = await timed(reads, lambda: page_read(s, officer, report_id, template))
        async with s.sessions() as db, db.begin():
            report = await service.get_report(db, officer, report_id)
            view = await service.view_of(db, officer, report, s.gate())

        async def render_only() -> str:
            return render(template, view, {})

        rendering = await timed(reads, render_only)
        html = render(template, view, {})
        ms = {
            name: 1000 / rate
            for name, rate in (("api", api), ("page", page), ("render", rendering))
        }
        extra = ms["page"] - ms["api"] - ms["render"]
        print(f"ASB report, 5 people, 2 KB narrative; {reads} reads each on {engine.dialect.name}")
        print(f"api    (gate + JSON):          {api:8.1f} reads/s  {ms['api']:6.2f} ms")
        print(
            f"render (template, {len(html) // 1024} KB):       {rendering:8.1f} /s      {ms['render']:6.2f} ms"
        )
        print(f"page   (gate + template):      {page:8.1f} reads/s  {ms['page']:6.2f} ms")
        print(f"ratio page/api time: {ms['page'] / ms['api']:.2f}")
        print(
            f"ratio page/(api + render) time: {ms['page'] / (ms['api'] + ms['render']):.2f}"
            f" ({extra:+.2f} ms beyond the API read and the rendering)"
        )
    finally:
        await engine.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reads", type=int, default=200)
    parser.add_argument("--database-url")
    args = parser.parse_args()
    if args.database_url:
        asyncio.run(run(args.database_url, args.reads))
        return
    with tempfile.TemporaryDirectory() as folder:
        asyncio.run(run(f"sqlite+aiosqlite:///{folder}/bench.db", args.reads))


if __name__ == "__main__":
    main()
