"""The ``sharehub`` command: serve, demo, db upgrade, version."""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import sys
import time
from collections.abc import Sequence
from pathlib import Path

from sharehub import __version__
from sharehub.config import ConfigError, Settings, load_settings
from sharehub.db.engine import create_engine, create_session_factory
from sharehub.db.schema import SchemaBehind, check_schema_current, new_revision, upgrade
from sharehub.errors import DomainError


def say(message: str) -> None:
    print(message, flush=True)


def _add_server_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--host", help="address to listen on (default from SHAREHUB_HOST)")
    parser.add_argument("--port", type=int, help="port to listen on (default from SHAREHUB_PORT)")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="sharehub", description="Multi-agency information-sharing hub."
    )
    parser.add_argument("--config", help="TOML settings file (or SHAREHUB_CONFIG)")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    serve = commands.add_parser("serve", help="serve the hub over HTTP")
    _add_server_options(serve)
    serve.add_argument("--workers", type=int, help="worker processes (default SHAREHUB_WORKERS)")

    demo = commands.add_parser(
        "demo", help="create or upgrade the local demo database, load a demo partnership, serve"
    )
    _add_server_options(demo)

    db = commands.add_parser("db", help="database schema")
    db_commands = db.add_subparsers(dest="db_command", required=True, metavar="DB_COMMAND")
    db_commands.add_parser("upgrade", help="apply every migration the database lacks")
    revision = db_commands.add_parser(
        "revision", help="(developers) write a migration for model changes"
    )
    revision.add_argument("-m", "--message", required=True)

    providers = commands.add_parser("providers", help="trusted identity providers")
    provider_commands = providers.add_subparsers(
        dest="providers_command", required=True, metavar="PROVIDERS_COMMAND"
    )
    importer = provider_commands.add_parser(
        "import", help="add or update providers from a TOML file (see docs/identity.md)"
    )
    importer.add_argument("file")

    gateways = commands.add_parser("gateways", help="the legal gateways data file")
    gateway_commands = gateways.add_subparsers(
        dest="gateways_command", required=True, metavar="GATEWAYS_COMMAND"
    )
    check = gateway_commands.add_parser("check", help="validate a gateways file")
    check.add_argument("file", nargs="?", help="default: the file shipped with the hub")
    doc = gateway_commands.add_parser(
        "doc", help="print the plain-English rules, or --write them into a page"
    )
    doc.add_argument("--write", metavar="PAGE", help="e.g. docs/lawful-basis.md")

    keys = commands.add_parser("keys", help="encryption keys")
    key_commands = keys.add_subparsers(dest="keys_command", required=True, metavar="KEYS_COMMAND")
    key_commands.add_parser(
        "new", help="print a new key (SHAREHUB_ENCRYPTION_KEYS or SHAREHUB_BLIND_INDEX_KEY)"
    )
    rotate = key_commands.add_parser(
        "rotate",
        help="re-encrypt every sealed field under the first key (resumable; docs/privacy.md)",
    )
    rotate.add_argument("--batch-size", type=int, default=500, help="rows per transaction")

    audit = commands.add_parser("audit", help="the tamper-evident audit ledger")
    audit_commands = audit.add_subparsers(
        dest="audit_command", required=True, metavar="AUDIT_COMMAND"
    )
    verify = audit_commands.add_parser(
        "verify", help="check the whole ledger; exits 1 naming the first bad entry"
    )
    verify.add_argument(
        "--witness",
        action="append",
        default=[],
        metavar="FILE",
        help="a checkpoint exported earlier (JSON); may be given more than once",
    )
    checkpoint = audit_commands.add_parser(
        "checkpoint", help="sign the ledger as it stands and print the checkpoint (JSON)"
    )
    checkpoint.add_argument("--output", metavar="FILE", help="write it to FILE instead")
    access = audit_commands.add_parser(
        "subject-access", help="everything disclosed about one subject, as JSON or CSV"
    )
    access.add_argument("subject_id")
    disclosures = audit_commands.add_parser(
        "disclosures", help="the disclosures an agency made or received, as JSON or CSV"
    )
    disclosures.add_argument("--agency", required=True, metavar="AGENCY_ID")
    disclosures.add_argument("--from", dest="period_from", metavar="YYYY-MM-DD")
    disclosures.add_argument("--to", dest="period_to", metavar="YYYY-MM-DD")
    for export_parser in (access, disclosures):
        export_parser.add_argument("--format", choices=["json", "csv"], default="csv")
        export_parser.add_argument(
            "--output", metavar="FILE", help="write to FILE (progress is shown) instead of stdout"
        )

    retention = commands.add_parser("retention", help="the retention schedule")
    retention_commands = retention.add_subparsers(
        dest="retention_command", required=True, metavar="RETENTION_COMMAND"
    )
    run = retention_commands.add_parser(
        "run", help="delete or anonymise what the schedule says is due (docs/retention.md)"
    )
    run.add_argument("--dry-run", action="store_true", help="say what is due; change nothing")

    commands.add_parser("version", help="print the version")
    return parser


async def _upgrade(settings: Settings) -> None:
    engine = create_engine(settings.database_url)
    try:
        say("upgrading the database schema...")
        await upgrade(engine, progress=say)
        say("database schema is current")
        # The blind index holds what only the hub's keys can compute, so new
        # kinds of digest are written here rather than in a migration.
        from sharehub.crypto import BlindIndex, FieldCipher
        from sharehub.privacy.subjects import reindex_all

        async with create_session_factory(engine)() as db, db.begin():
            count = await reindex_all(
                db, FieldCipher(settings.field_keys), BlindIndex(settings.index_key)
            )
        if count:
            say(f"subject index rebuilt for {count} subjects")
    finally:
        await engine.dispose()


async def _check_schema(settings: Settings) -> None:
    engine = create_engine(settings.database_url)
    try:
        await check_schema_current(engine)
    finally:
        await engine.dispose()


async def _revision(settings: Settings, message: str) -> None:
    engine = create_engine(settings.database_url)
    try:
        say(f"wrote {await new_revision(engine, message)}")
    finally:
        await engine.dispose()


def _signer(settings: Settings):  # type: ignore[no-untyped-def]
    from sharehub.audit.checkpoints import CheckpointSigner

    return CheckpointSigner(settings.ledger_key, settings.public_url or "")


async def _verify_ledger(settings: Settings, witness_files: list[str]) -> int:
    import msgspec

    from sharehub.audit.checkpoints import ExportedCheckpoint
    from sharehub.audit.verify import verify_ledger

    witnesses = []
    for name in witness_files:
        try:
            witnesses.append(msgspec.json.decode(Path(name).read_bytes(), type=ExportedCheckpoint))
        except (OSError, msgspec.DecodeError, msgspec.ValidationError) as exc:
            raise ConfigError(f"--witness {name}: not a checkpoint file ({exc})") from None
    engine = create_engine(settings.database_url)
    try:
        await check_schema_current(engine)
        report = await verify_ledger(
            engine,
            _signer(settings),
            witnesses=witnesses,
            progress=lambda n: say(f"checked {n} entries") if n % 50_000 == 0 else None,
        )
    finally:
        await engine.dispose()
    if not report.ok:
        where = f"entry {report.bad_entry}: " if report.bad_entry is not None else ""
        say(f"LEDGER DOES NOT VERIFY: {where}{report.problem}")
        return 1
    say(
        f"ledger verified: {report.entries} entries, root {report.root_hash}, "
        f"{report.checkpoints_checked} checkpoint(s) and {report.witnesses_checked} "
        "witness(es) matched"
    )
    return 0


async def _checkpoint(settings: Settings, output: str | None) -> None:
    import msgspec

    from sharehub.audit.service import latest_checkpoint

    engine = create_engine(settings.database_url)
    try:
        await check_schema_current(engine)
        async with create_session_factory(engine)() as db, db.begin():
            exported = await latest_checkpoint(db, _signer(settings))
    finally:
        await engine.dispose()
    document = msgspec.json.format(msgspec.json.encode(exported)).decode()
    if output:
        Path(output).write_text(document + "\n")
        say(f"wrote the checkpoint of {exported.tree_size} entries to {output}")
    else:
        say(document)


async def _export_rows(settings: Settings, args: argparse.Namespace) -> None:
    import uuid
    from datetime import date

    from sharehub.audit import reports

    def parsed(kind, value, name):  # type: ignore[no-untyped-def]
        try:
            return None if value is None else kind(value)
        except ValueError:
            raise ConfigError(f"{name}: not valid") from None

    engine = create_engine(settings.database_url)
    subject_access = args.audit_command == "subject-access"
    subject_id = parsed(uuid.UUID, args.subject_id, "SUBJECT_ID") if subject_access else None
    if subject_access:
        # As over HTTP, the export is itself a ledger entry, written before any
        # row goes out (and checked first, so an unknown subject leaves no file).
        from sharehub.audit.events import AuditEvent, LogSink
        from sharehub.audit.ledger import Ledger
        from sharehub.db.base import utcnow

        try:
            await check_schema_current(engine)
            sessions = create_session_factory(engine)
            async with sessions() as db, db.begin():
                await reports.check_subject_access(db, None, subject_id)
                ledger = Ledger(
                    sessions,
                    _signer(settings),
                    checkpoint_every=settings.ledger_checkpoint_every,
                    forward=LogSink(),
                )
                await ledger.record(
                    AuditEvent(
                        kind="subject_access_exported",
                        at=utcnow(),
                        subject_id=subject_id,
                        reason=args.format,
                        details={"by": "command line"},
                    ),
                    db=db,
                )
        except BaseException:
            await engine.dispose()
            raise
    out = open(args.output, "wb") if args.output else sys.stdout.buffer  # noqa: SIM115
    progress = (
        (lambda n: print(f"{n} rows", file=sys.stderr, flush=True))
        if args.output
        else (lambda n: None)
    )
    try:
        await check_schema_current(engine)
        async with create_session_factory(engine)() as db:
            if subject_id is not None:
                batches = reports.disclosures_of(db, subject_id)
            else:
                chosen = reports.DisclosureFilter(
                    period_from=parsed(date.fromisoformat, args.period_from, "--from"),
                    period_to=parsed(date.fromisoformat, args.period_to, "--to"),
                )
                agency = parsed(uuid.UUID, args.agency, "--agency")
                batches = reports.disclosures_for(db, agency, chosen)
            async for chunk in reports.export(batches, args.format, progress):
                out.write(chunk)
    finally:
        if args.output:
            out.close()
        else:
            out.flush()
        await engine.dispose()


async def _retention(settings: Settings, dry_run: bool) -> None:
    from sharehub.audit.events import LogSink
    from sharehub.audit.ledger import Ledger
    from sharehub.crypto import FieldCipher
    from sharehub.db.base import utcnow
    from sharehub.files import EncryptedFiles
    from sharehub.retention.schedule import DEFAULT_SCHEDULE_FILE, ScheduleError, load_schedule
    from sharehub.retention.service import run_retention

    try:
        schedule = load_schedule(Path(settings.retention_file or DEFAULT_SCHEDULE_FILE))
    except ScheduleError as exc:
        raise ConfigError(f"SHAREHUB_RETENTION_FILE: {exc}") from None
    engine = create_engine(settings.database_url)
    try:
        await check_schema_current(engine)
        sessions = create_session_factory(engine)
        ledger = Ledger(
            sessions,
            _signer(settings),
            checkpoint_every=settings.ledger_checkpoint_every,
            forward=LogSink(),
        )
        report = await run_retention(
            sessions,
            schedule,
            cipher=FieldCipher(settings.field_keys),
            audit=ledger,
            now=utcnow(),
            dry_run=dry_run,
            files=EncryptedFiles(settings.attachments_path, FieldCipher(settings.field_keys)),
            progress=lambda done, total: say(f"{done}/{total} done"),
        )
    finally:
        await engine.dispose()
    counts = report.counts()
    say(
        f"schedule {schedule.version}: "
        + (", ".join(f"{n} {kind} due" for kind, n in sorted(counts.items())) or "nothing is due")
    )
    if report.held:
        say(f"{report.held} due record(s) kept under a legal hold")
    if dry_run:
        for item in report.due:
            say(f"would {item.action} {item.kind} {item.record_id}")
    else:
        say(f"{report.done} record(s) deleted or anonymised, each with a ledger entry")


async def _rotate(settings: Settings, batch_size: int) -> int:
    from sharehub.crypto import FieldCipher
    from sharehub.files import EncryptedFiles
    from sharehub.rotation import Progress, rotate, rotate_files

    if batch_size < 1:
        raise ConfigError("--batch-size must be at least 1")
    cipher = FieldCipher(settings.field_keys)

    def report(progress: Progress) -> None:
        say(f"{progress.column}: {progress.done}/{progress.total} re-encrypted")

    engine = create_engine(settings.database_url)
    try:
        await check_schema_current(engine)
        say(f"re-encrypting under key {cipher.active_key_id}...")
        outcome = await rotate(engine, cipher, batch_size=batch_size, report=report)
        files = EncryptedFiles(settings.attachments_path, cipher)
        outcome.append(await rotate_files(engine, files))
    finally:
        await engine.dispose()
    failed = sum(p.failed for p in outcome)
    for progress in outcome:
        if progress.total:
            say(f"{progress.column}: {progress.done} of {progress.total} done")
    if failed:
        say(
            f"{failed} value(s) could not be decrypted with any configured key and were left "
            "as they are: check SHAREHUB_ENCRYPTION_KEYS still lists every old key"
        )
        return 1
    say(f"every sealed field is under key {cipher.active_key_id}")
    return 0


async def _import_providers(settings: Settings, path: str) -> None:
    from sharehub.crypto import FieldCipher
    from sharehub.identity.provider_file import import_providers, read_provider_file

    entries = read_provider_file(Path(path)).provider
    engine = create_engine(settings.database_url)
    try:
        await check_schema_current(engine)
        async with create_session_factory(engine)() as db, db.begin():
            done = await import_providers(
                db,
                entries,
                FieldCipher(settings.field_keys),
                allow_loopback=settings.env != "production",
            )
        for slug, what in done:
            say(f"  {what} provider {slug}")
    finally:
        await engine.dispose()


def _serve(settings: Settings) -> None:
    import uvicorn

    asyncio.run(_check_schema(settings))
    say(f"sharehub {__version__} ({settings.env}) on http://{settings.host}:{settings.port}")
    uvicorn.run(
        "sharehub.app:app_from_environment",
        factory=True,
        host=settings.host,
        port=settings.port,
        workers=settings.workers,
        log_level=settings.log_level.lower(),
        # Forwarded headers are trusted only from a proxy configured in front.
        proxy_headers=False,
        server_header=False,
    )


def _export(settings: Settings, config_file: str | None) -> None:
    """Hand the resolved settings to worker processes through the environment."""
    if config_file:
        os.environ["SHAREHUB_CONFIG"] = config_file
    os.environ["SHAREHUB_ENV"] = settings.env
    os.environ["SHAREHUB_DATABASE_URL"] = settings.database_url
    os.environ["SHAREHUB_HOST"] = settings.host
    os.environ["SHAREHUB_PORT"] = str(settings.port)
    os.environ["SHAREHUB_WORKERS"] = str(settings.workers)
    os.environ["SHAREHUB_DEV_PROVIDER"] = "true" if settings.dev_provider else "false"


def _gateways(args: argparse.Namespace) -> int:
    from sharehub.protocols.explain import render_rules_markdown, write_page
    from sharehub.protocols.gateways import DEFAULT_FILE, GatewayFileError, load_gateway_rules

    try:
        rules = load_gateway_rules(Path(getattr(args, "file", None) or DEFAULT_FILE))
    except GatewayFileError as exc:
        print(f"sharehub: {exc}", file=sys.stderr)
        return 1
    if args.gateways_command == "check":
        say(f"rules version {rules.version}: {len(rules.gateways)} gateways, file is valid")
    elif args.write:
        write_page(Path(args.write), rules)
        say(f"wrote the rules into {args.write}")
    else:
        say(render_rules_markdown(rules))
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s %(message)s")
    if args.command == "version":
        say(__version__)
        return 0
    if args.command == "gateways":
        return _gateways(args)
    if args.command == "keys" and args.keys_command == "new":
        from sharehub.crypto import new_key

        # Key ids name the day the key was made, so rotations sort by age.
        say(f"k{time.strftime('%Y%m%d')}:{new_key()}")
        return 0
    try:
        overrides = {
            "host": getattr(args, "host", None),
            "port": getattr(args, "port", None),
            "workers": getattr(args, "workers", None),
        }
        if args.command == "demo":
            overrides["env"] = os.environ.get("SHAREHUB_ENV", "demo")
            overrides["dev_provider"] = True
        settings = load_settings(config_file=args.config, **overrides)
        if args.command == "db" and args.db_command == "upgrade":
            asyncio.run(_upgrade(settings))
        elif args.command == "db" and args.db_command == "revision":
            asyncio.run(_revision(settings, args.message))
        elif args.command == "audit" and args.audit_command == "verify":
            return asyncio.run(_verify_ledger(settings, args.witness))
        elif args.command == "audit" and args.audit_command == "checkpoint":
            asyncio.run(_checkpoint(settings, args.output))
        elif args.command == "audit":
            asyncio.run(_export_rows(settings, args))
        elif args.command == "retention":
            asyncio.run(_retention(settings, args.dry_run))
        elif args.command == "keys":
            return asyncio.run(_rotate(settings, args.batch_size))
        elif args.command == "providers":
            asyncio.run(_import_providers(settings, args.file))
        elif args.command == "serve":
            _export(settings, args.config)
            _serve(settings)
        elif args.command == "demo":
            from sharehub.demo import load_demo

            if settings.env == "production":
                raise ConfigError("the demo hub refuses to run with SHAREHUB_ENV=production")
            asyncio.run(_upgrade(settings))
            asyncio.run(load_demo(settings, progress=say))
            _export(settings, args.config)
            _serve(settings)
    except ConfigError as exc:
        print(f"sharehub: configuration error: {exc}", file=sys.stderr)
        return 2
    except SchemaBehind as exc:
        print(f"sharehub: {exc}", file=sys.stderr)
        return 1
    except DomainError as exc:
        print(f"sharehub: {exc.detail}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
