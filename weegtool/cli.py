"""The command line: parse, one API call, print. Nothing else.

Every :class:`~weegtool.errors.WeegtoolError` becomes ``error: ...`` on
stderr with exit code 2; heavy modules load inside the commands so that
``weegtool --help`` and ``weegtool validate`` start fast.
"""

from __future__ import annotations

import datetime as _dt
import json
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import click

from . import __version__
from .errors import WeegtoolError

FILE = click.Path(dir_okay=False, path_type=Path)
EXISTING = click.Path(exists=True, dir_okay=False, path_type=Path)


class _UserError(click.ClickException):
    exit_code = 2

    def show(self, file: Any = None) -> None:
        click.echo(f"error: {self.message}", err=True)


class _Cli(click.Group):
    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except WeegtoolError as exc:
            raise _UserError(str(exc)) from None
        except OSError as exc:
            raise _UserError(f"{exc.filename or ''}: {exc.strerror or exc}") from None


@click.group(cls=_Cli, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="weegtool")
def cli() -> None:
    """weegtool: a transparent weighting instrument for admission to small-scale specialist housing.

    It advises; the committee decides.
    """


def _instrument_option(function: Any) -> Any:
    return click.option(
        "--instrument",
        "-i",
        type=EXISTING,
        default=None,
        help="Criteria file (default: the Twente instrument).",
    )(function)


def _lang_option(function: Any) -> Any:
    return click.option(
        "--lang",
        type=click.Choice(["nl", "en"]),
        default="nl",
        show_default=True,
        help="Language of texts.",
    )(function)


@cli.command()
@click.argument("files", nargs=-1, required=True, type=FILE)
def validate(files: tuple[Path, ...]) -> None:
    """Check criteria FILES; print id, version, sha256 and counts of each valid one."""
    from .instrument import load_instrument

    errors = []
    for path in files:
        try:
            click.echo(f"{path}: ok: {load_instrument(path).summary()}")
        except WeegtoolError as exc:
            errors.append(str(exc))
    if errors:
        raise _UserError("\n".join(errors))


@cli.command()
@click.argument("file", type=FILE, required=False)
@click.option(
    "--format", "fmt", type=click.Choice(["json", "text"]), default="text", show_default=True
)
@_lang_option
def describe(file: Path | None, fmt: str, lang: str) -> None:
    """Describe an instrument (default: the Twente instrument): items, ranges, flags."""
    from .instrument import load_instrument

    instrument = load_instrument(file)
    if fmt == "json":
        click.echo(json.dumps(instrument.describe(), ensure_ascii=False, indent=2))
        return
    click.echo(instrument.summary())
    for domain in instrument.domains:
        click.echo(f"\n{domain.title(lang)} [{domain.id}, {domain.kind}, weight {domain.weight:g}]")
        for item in (i for i in instrument.items if i.domain == domain.id):
            click.echo(f"  {item.id:32} w {item.weight:<4g} {item.direction:10} {item.text(lang)}")
    click.echo("\nflags: " + ", ".join(f"{f.id} ({f.severity})" for f in instrument.flags))


def _scored(
    ratings: Path,
    candidates: Path | None,
    instrument: Path | None,
    house: Path | None,
    on: _dt.datetime | None,
    aggregation: str | None,
) -> tuple[Any, Any]:
    import weegtool

    loaded = weegtool.load_instrument(instrument)
    sheet = click.get_current_context().meta.get("weegtool.sheet")
    read = weegtool.read_ratings(ratings, loaded, candidates, aggregation, sheet=sheet)
    scores = weegtool.score(loaded, read)
    houses = weegtool.load_houses(house, loaded) if house else None
    return scores, weegtool.advise(scores, houses=houses, on=on.date() if on else None)


_csv_style_option = click.option(
    "--csv-style",
    type=click.Choice(["excel-nl", "international"]),
    default="excel-nl",
    show_default=True,
    help="CSV for Dutch Excel (';', decimal comma, BOM) or the international form (',', '.').",
)


def _scoring_options(function: Any) -> Any:
    options: list[Callable[[Any], Any]] = [
        click.argument("ratings", type=EXISTING),
        click.option(
            "--candidates", "-c", type=EXISTING, help="Candidates table (one row per candidate)."
        ),
        _instrument_option,
        click.option(
            "--house", type=EXISTING, help="House file (YAML or CSV) for the composition check."
        ),
        click.option(
            "--on", type=click.DateTime(["%Y-%m-%d"]), help="Assessment date (default: today)."
        ),
        click.option(
            "--aggregation",
            type=click.Choice(["median", "mean", "min", "max"]),
            help="How raters are combined (default: the instrument's setting).",
        ),
        click.option(
            "--sheet",
            expose_value=False,
            callback=lambda ctx, _param, value: ctx.meta.__setitem__("weegtool.sheet", value),
            help="The sheet of an XLSX ratings workbook (default: one named 'beoordelingen' or "
            "'ratings', else the only sheet with candidate_id in its first row).",
        ),
        _lang_option,
    ]
    for option in reversed(options):
        function = option(function)
    return function


def _previous_options(function: Any) -> Any:
    """--previous and its companions; kept in ctx.meta and read by :func:`_compared`."""

    def keep(name: str) -> Callable[[click.Context, Any, Any], None]:
        return lambda ctx, _param, value: ctx.meta.__setitem__(f"weegtool.{name}", value)

    options = [
        click.option(
            "--previous",
            type=EXISTING,
            expose_value=False,
            callback=keep("previous"),
            help="Ratings of the previous assessment of the same candidates: adds the change "
            "since then, judged against the measurement error.",
        ),
        click.option(
            "--previous-candidates",
            type=EXISTING,
            expose_value=False,
            callback=keep("previous_candidates"),
            help="Candidates table of the previous assessment.",
        ),
        click.option(
            "--previous-instrument",
            type=EXISTING,
            expose_value=False,
            callback=keep("previous_instrument"),
            help="Criteria file the previous assessment was scored with (default: --instrument).",
        ),
    ]
    for option in reversed(options):
        function = option(function)
    return function


def _compared(
    scores: Any, advices: Any, aggregation: str | None, lang: str, say: bool = True
) -> Any:
    """The change since --previous (None without it); ``say``: print which candidates are in only one."""
    import weegtool
    from weegtool.change import compare

    meta = click.get_current_context().meta
    previous = meta.get("weegtool.previous")
    if previous is None:
        for name in ("previous_candidates", "previous_instrument"):
            if meta.get(f"weegtool.{name}") is not None:
                raise _UserError(f"--{name.replace('_', '-')} needs --previous.")
        return None
    instrument_path = meta.get("weegtool.previous_instrument")
    used = weegtool.load_instrument(instrument_path) if instrument_path else scores.instrument
    read = weegtool.read_ratings(
        previous, used, meta.get("weegtool.previous_candidates"), aggregation
    )
    comparison = compare(
        advices, weegtool.advise(weegtool.score(used, read)), scores.instrument, used
    )
    if say:
        _say_compared(comparison, previous)
    return comparison


def _say_compared(comparison: Any, previous: Path) -> None:
    click.echo(
        f"{previous}: {len(comparison.changes)} candidates compared with their previous assessment"
    )
    for words, ids in (
        ("have no previous assessment there", comparison.without_previous),
        ("were assessed there but not now", comparison.not_reassessed),
    ):
        if ids:
            click.echo(f"{previous}: {len(ids)} candidates {words}: {', '.join(ids)}")


@cli.command()
@_scoring_options
@_previous_options
@click.option(
    "--format", "fmt", type=click.Choice(["json", "csv"]), default="json", show_default=True
)
@_csv_style_option
@click.option(
    "--out", "-o", type=FILE, required=True, help="Output file (written only when all is well)."
)
def score(
    ratings: Path,
    candidates: Path | None,
    instrument: Path | None,
    house: Path | None,
    on: _dt.datetime | None,
    aggregation: str | None,
    lang: str,
    fmt: str,
    csv_style: str,
    out: Path,
) -> None:
    """Score RATINGS (CSV or XLSX) and write every candidate's advice to --out."""
    from .io import write_csv, write_json

    scores, advices = _scored(ratings, candidates, instrument, house, on, aggregation)
    comparison = _compared(scores, advices, aggregation, lang)
    if fmt == "json":
        write_json(advices, scores.instrument, out, lang, comparison)
    else:
        write_csv(advices, scores, out, comparison=comparison, style=csv_style)
    click.echo(f"{out}: {len(advices)} candidates scored with {scores.instrument.label}")


@cli.command()
@_scoring_options
@_previous_options
@click.option("--candidate", "candidate_id", help="Candidate id (default: every candidate).")
def explain(
    ratings: Path,
    candidates: Path | None,
    instrument: Path | None,
    house: Path | None,
    on: _dt.datetime | None,
    aggregation: str | None,
    lang: str,
    candidate_id: str | None,
) -> None:
    """Print a candidate's breakdown: ratings, weights, contributions, reasons."""
    from .explain import change_table, console, explain_table

    scores, advices = _scored(ratings, candidates, instrument, house, on, aggregation)
    chosen = list(advices) if candidate_id is None else [_pick(advices, candidate_id)]
    comparison = _compared(scores, advices, aggregation, lang)
    for advice in chosen:
        console().print(explain_table(advice, scores.instrument, lang))
        if comparison is not None:
            console().print(
                change_table(comparison.get(advice.candidate_id), scores.instrument, lang)
            )


def _pick(advices: Any, candidate_id: str) -> Any:
    try:
        return advices.get(candidate_id)
    except KeyError:
        known = ", ".join(a.candidate_id for a in list(advices)[:10])
        raise _UserError(
            f"candidate {candidate_id!r} is not in the ratings; candidates are {known}"
            + (", ..." if len(advices) > 10 else "")
            + "."
        ) from None


def _export_options(function: Any) -> Any:
    options = [
        click.option(
            "--keep-ids",
            is_flag=True,
            help="Export candidate ids as they are (default: keyed pseudonyms from WEEGTOOL_PSEUDONYM_KEY).",
        ),
        click.option(
            "--decisions", type=EXISTING, help="Committee decisions (YAML) to print in the reports."
        ),
    ]
    for option in reversed(options):
        function = option(function)
    return function


@cli.command()
@_scoring_options
@_previous_options
@_export_options
@click.option("--candidate", "candidate_id", required=True, help="Candidate id.")
@click.option(
    "--format", "fmt", type=click.Choice(["html", "pdf"]), default="html", show_default=True
)
@click.option(
    "--audience",
    type=click.Choice(["committee", "family"]),
    default="committee",
    show_default=True,
    help="The committee's full report, or the short one in plain words for the young person and "
    "the parents (no scores, names or notes).",
)
@click.option(
    "--out", "-o", type=FILE, required=True, help="Output file (written only when all is well)."
)
def report(
    ratings: Path,
    candidates: Path | None,
    instrument: Path | None,
    house: Path | None,
    on: _dt.datetime | None,
    aggregation: str | None,
    lang: str,
    keep_ids: bool,
    decisions: Path | None,
    candidate_id: str,
    fmt: str,
    audience: str,
    out: Path,
) -> None:
    """Write the advice report of one candidate (HTML or PDF, A4)."""
    from .io import load_decisions, write_atomic
    from .pseudonym import key_from_environment, pseudonyms
    from .report import render_family_html, render_html, render_pdf

    scores, advices = _scored(ratings, candidates, instrument, house, on, aggregation)
    advice = _pick(advices, candidate_id)
    if audience == "family":
        page = render_family_html(advice, scores.instrument, lang)
        write_atomic(out, render_pdf(page) if fmt == "pdf" else page)
        click.echo(
            f"{out}: report for the young person and the parents ({scores.instrument.label})"
        )
        return
    shown = pseudonyms([candidate_id], key_from_environment(), keep_ids)[candidate_id]
    decision = (
        load_decisions(decisions, scores.instrument, scores.candidate_ids).get(candidate_id)
        if decisions
        else None
    )
    comparison = _compared(scores, advices, aggregation, lang, say=False)  # the report says it
    page = render_html(
        advice,
        scores.instrument,
        scores.ratings,
        lang,
        decision,
        shown_id=shown,
        comparison=comparison,
    )
    write_atomic(out, render_pdf(page) if fmt == "pdf" else page)
    click.echo(f"{out}: report of {shown} ({scores.instrument.label})")
    _decision_problems(decision, advice, scores.instrument, lang, shown)


def _decision_problems(decision: Any, advice: Any, instrument: Any, lang: str, shown: str) -> None:
    """The rules a recorded decision breaks, on stderr in words, and exit code 1: the report is
    written (it shows them too), but the decision is not valid as it stands."""
    from .decision import check_decision
    from .i18n import plural

    problems = check_decision(decision, advice, instrument, lang) if decision else []
    if problems:
        click.echo(plural("cli.decision_problems", len(problems), lang, candidate=shown), err=True)
        for problem in problems:
            click.echo(f"  - {problem}", err=True)
        raise SystemExit(1)


@cli.command(name="export")
@_scoring_options
@_export_options
@click.option(
    "--format",
    "formats",
    type=click.Choice(["html", "pdf"]),
    multiple=True,
    default=("html",),
    show_default=True,
    help="Report formats; repeat for both.",
)
@_csv_style_option
@click.option(
    "--workers", type=click.IntRange(1, 64), help="Processes for PDFs (default: all cores)."
)
@click.option(
    "--out",
    "-o",
    type=click.Path(file_okay=False, path_type=Path),
    required=True,
    help="A new (or empty) folder.",
)
def export_command(
    ratings: Path,
    candidates: Path | None,
    instrument: Path | None,
    house: Path | None,
    on: _dt.datetime | None,
    aggregation: str | None,
    lang: str,
    keep_ids: bool,
    decisions: Path | None,
    formats: tuple[str, ...],
    csv_style: str,
    workers: int | None,
    out: Path,
) -> None:
    """Export a cohort: reports, index.html overview, scores.csv and scores.xlsx (pseudonymised)."""
    from rich.progress import Progress

    from .io import load_decisions
    from .pseudonym import key_from_environment
    from .report.export import export_cohort

    scores, advices = _scored(ratings, candidates, instrument, house, on, aggregation)
    loaded = (
        load_decisions(decisions, scores.instrument, scores.candidate_ids) if decisions else None
    )
    with Progress(transient=True) as bar:
        task = bar.add_task("PDF", total=len(advices) if "pdf" in formats else 0)
        result = export_cohort(
            scores,
            advices,
            out,
            formats,
            lang,
            key_from_environment(),
            keep_ids,
            loaded,
            workers,
            progress=lambda done, total: bar.update(task, completed=done),
            csv_style=csv_style,
        )
    click.echo(
        f"{result.folder}: {result.reports} reports ({', '.join(formats)}), index.html, scores.csv, "
        f"scores.xlsx; {scores.instrument.label}"
    )


@cli.command()
@click.option(
    "--out",
    "-o",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path("out/demo"),
    show_default=True,
    help="Folder for the demo's tables and results.",
)
@click.option(
    "--candidates", "n_candidates", type=click.IntRange(1, 100_000), default=30, show_default=True
)
@click.option("--raters", "n_raters", type=click.IntRange(1, 20), default=3, show_default=True)
@click.option("--seed", type=int, default=20261123, show_default=True)
@_lang_option
def demo(out: Path, n_candidates: int, n_raters: int, seed: int, lang: str) -> None:
    """Score a synthetic, seeded demo cohort with the default instrument."""
    from .demo import run_demo
    from .explain import cohort_table, console

    result = run_demo(out, n_candidates, n_raters, seed, lang=lang)
    screen = console()
    screen.print(
        f"[bold]weegtool demo[/bold]: {n_candidates} synthetic candidates, {n_raters} raters each, "
        f"seed {seed}"
    )
    screen.print(f"instrument: {result.instrument.label}")
    screen.print(cohort_table(result.advices, result.instrument, lang))
    if len(result.advices) > 15:
        screen.print(f"  ... and {len(result.advices) - 15} more in {out / 'scores.csv'}")
    for category, count in sorted(result.counts().items(), key=lambda kv: -kv[1]):
        screen.print(f"  {count:4d}  {result.instrument.category(category).title(lang)}")
    for path in result.files:
        screen.print(f"wrote {path}")
    first = result.advices[0].candidate_id
    screen.print(
        f"\nOne candidate in full: weegtool explain {out / 'ratings.csv'} "
        f"--candidates {out / 'candidates.csv'} --candidate {first}"
    )


_URL_OPTION = click.option(
    "--url",
    help="Database URL (default: WEEGTOOL_DATABASE_URL, or the SQLite file "
    "weegtool.sqlite3 in WEEGTOOL_INSTANCE_PATH or ./instance).",
)


@cli.group(name="db")
def db_group() -> None:
    """Create or migrate the database."""


@db_group.command(name="init")
@_URL_OPTION
@click.option(
    "--admin",
    "admin",
    metavar="NAME",
    help="Add administrator NAME when there is none; password from WEEGTOOL_ADMIN_PASSWORD, "
    "else a one-time password printed once.",
)
@click.option(
    "--demo",
    is_flag=True,
    help="Load the synthetic demo cohort (and its committee) into an empty database.",
)
def db_init(url: str | None, admin: str | None, demo: bool) -> None:
    """Create the newest schema and put the default instrument in force (safe to run again)."""
    from .store import db
    from .store.setup import set_up

    url = url or db.database_url()
    done = _database(lambda: set_up(url, admin=admin, demo=demo))
    click.echo(
        f"{db.shown_url(url)}: at the newest schema; "
        + (
            "the default instrument is in force."
            if done.instrument_added
            else "an instrument was already in force."
        )
    )
    if done.admin:
        click.echo(
            f"administrator {done.admin!r} added; log in and choose a password at first login."
        )
        if done.admin_password:
            click.echo(f"one-time password of {done.admin!r}: {done.admin_password}")
    for name, password in done.demo_users.items():
        click.echo(f"demo committee member {name!r}, one-time password: {password}")
    if demo and not done.demo_users:
        click.echo("the database already holds candidates: no demo cohort loaded.")


@db_group.command(name="upgrade")
@_URL_OPTION
def db_upgrade(url: str | None) -> None:
    """Migrate the database to the newest schema."""
    from .store import db

    url = url or db.database_url()
    _database(lambda: db.upgrade(url))
    click.echo(f"{db.shown_url(url)}: at the newest schema.")


@cli.group(name="user")
def user_group() -> None:
    """Manage users."""


@user_group.command(name="add")
@click.argument("name")
@click.option(
    "--role",
    type=click.Choice(["admin", "coordinator", "chair", "rater", "researcher"]),
    required=True,
)
@click.option(
    "--behavioural-scientist", is_flag=True, help="A behavioural scientist (needs --registration)."
)
@click.option("--registration", help="SKJ or BIG registration number.")
@click.option(
    "--password-stdin",
    is_flag=True,
    help="Read the one-time password from standard input (default: a random one, printed once).",
)
@_URL_OPTION
def user_add(
    name: str,
    role: str,
    behavioural_scientist: bool,
    registration: str | None,
    password_stdin: bool,
    url: str | None,
) -> None:
    """Add user NAME with a one-time password they change at first login."""
    from .store import add_user, db, one_time_password

    password = sys.stdin.readline().rstrip("\r\n") if password_stdin else one_time_password()

    def add() -> None:
        engine = db.make_engine(url)
        try:
            with db.transaction(db.session_factory(engine)) as session:
                add_user(
                    session,
                    name,
                    role,
                    password,
                    behavioural_scientist=behavioural_scientist,
                    registration=registration,
                )
        finally:
            engine.dispose()

    _database(add)
    click.echo(f"user {name!r} added ({role}); they must change their password at first login.")
    if not password_stdin:
        click.echo(f"one-time password: {password}")


# --- safekeeping: backup, restore, verify, retention and erasure, a person's data -------------------------------

_KEY_OPTION = click.option(
    "--key-file",
    type=FILE,
    help="Fernet key (made by 'weegtool db key'), kept apart from the backups: encrypt or decrypt.",
)


@db_group.command(name="backup")
@click.argument("out", type=FILE)
@_URL_OPTION
@_KEY_OPTION
def db_backup(out: Path, url: str | None, key_file: Path | None) -> None:
    """Back up the database (also while the app runs) to OUT and OUT.manifest.json."""
    from .store import db
    from .store.backup import backup

    url = url or db.database_url()
    manifest = _database(lambda: backup(url, out, key_file=key_file))
    rows = sum(manifest.row_counts.values())
    click.echo(
        f"{out}: {manifest.size} bytes{', encrypted' if manifest.encrypted else ''}, schema "
        f"{manifest.schema_revision}, {rows} rows in {len(manifest.row_counts)} tables, "
        f"sha256 {manifest.sha256}"
    )


@db_group.command(name="restore")
@click.argument("backup_file", metavar="IN", type=FILE)
@click.option("--url", required=True, help="The empty database to restore into.")
@_KEY_OPTION
def db_restore(backup_file: Path, url: str, key_file: Path | None) -> None:
    """Restore backup IN into the empty database at --url, checked against its manifest before and after."""
    from .store import db
    from .store.backup import restore

    manifest = _database(lambda: restore(backup_file, url, key_file=key_file))
    click.echo(
        f"{db.shown_url(url)}: restored from {backup_file} ({manifest.created_at}); row counts, "
        "instruments and audit head match the manifest; integrity, foreign keys and audit chain verified."
    )


@db_group.command(name="verify")
@_URL_OPTION
@click.option(
    "--manifest",
    "manifests",
    multiple=True,
    type=EXISTING,
    help="A backup's manifest (repeatable): the audit log must still run through the head it recorded.",
)
def db_verify(url: str | None, manifests: tuple[Path, ...]) -> None:
    """Check integrity, foreign keys and the audit log's hash chain; exit 1 naming what is wrong."""
    from .store import db
    from .store.backup import recorded_heads
    from .store.verify import verify

    heads = recorded_heads(manifests)
    found = _database(lambda: verify(url or db.database_url(), heads))
    checked = ", ".join(f"{n} {what}" for what, n in found.checked.items())
    if found.ok:
        click.echo(f"{found.url}: ok ({checked}).")
        return
    for problem in found.problems:
        click.echo(f"{found.url}: {problem}", err=True)
    click.echo(f"{found.url}: {len(found.problems)} problem(s) ({checked}).", err=True)
    sys.exit(1)


@db_group.command(name="purge")
@_URL_OPTION
def db_purge(url: str | None) -> None:
    """Rewrite the SQLite file so that erased rows leave nothing in its free pages or write-ahead log."""
    from .store import db
    from .store.erasure import purge

    url = url or db.database_url()

    def run() -> None:
        engine = db.make_engine(url)
        try:
            purge(engine)
        finally:
            engine.dispose()

    _database(run)
    click.echo(f"{db.shown_url(url)}: purged.")


@db_group.command(name="key")
@click.argument("path", type=FILE)
def db_key(path: Path) -> None:
    """Write a new backup key to PATH (owner-only); keep it apart from the backups."""
    from .store.backup import new_key

    new_key(path)
    click.echo(f"{path}: new key; without it an encrypted backup cannot be restored.")


@db_group.command(name="retention")
@_URL_OPTION
@click.option(
    "--years",
    type=click.IntRange(1, 200),
    help="Years kept (default: WEEGTOOL_RETENTION_YEARS or 20).",
)
@click.option("--on", type=click.DateTime(["%Y-%m-%d"]), help="The day to check (default: today).")
@click.option(
    "--apply", "apply_", is_flag=True, help="Erase the files that are due, after --backup."
)
@click.option(
    "--backup", "backup_to", type=FILE, help="Backup made first when --apply (required then)."
)
@_KEY_OPTION
def db_retention(
    url: str | None,
    years: int | None,
    on: _dt.datetime | None,
    apply_: bool,
    backup_to: Path | None,
    key_file: Path | None,
) -> None:
    """List each person's file whose retention date has come; --apply erases them after a backup."""
    from .store import db
    from .store.erasure import apply_retention, retention_dates, retention_years

    url = url or db.database_url()
    years = years or retention_years()
    today = on.date() if on else _dt.date.today()
    if apply_:
        if backup_to is None:
            raise _UserError("--apply erases: give --backup OUT for the backup made first.")
        erased = _database(
            lambda: apply_retention(
                url, years=years, today=today, backup_to=backup_to, key_file=key_file
            )
        )
        click.echo(f"backup {backup_to} made; {len(erased)} file(s) erased.")
        return

    def due() -> list[Any]:
        engine = db.make_engine(url, read_only=True)
        try:
            with db.session_factory(engine)() as session:
                return [d for d in retention_dates(session, years) if d.due(today)]
        finally:
            engine.dispose()

    found = _database(due)
    for d in found:
        click.echo(
            f"{d.pseudonym}\tnewest record {d.newest_record:%Y-%m-%d}\terase from {d.erase_from}"
        )
    click.echo(f"{len(found)} file(s) due on {today} ({years} years kept).")


@cli.group(name="person")
def person_group() -> None:
    """One person's data: hand it to them, or erase it on their request."""


@person_group.command(name="export")
@click.argument("pseudonym")
@click.option(
    "--by", "by", required=True, metavar="NAME", help="The coordinator or admin handing it out."
)
@click.option("--out", type=FILE, help="ZIP to write (default: PSEUDONYM.zip).")
@_URL_OPTION
def person_export(pseudonym: str, by: str, out: Path | None, url: str | None) -> None:
    """Everything kept about PSEUDONYM as a ZIP: reports, decisions, the access log (AVG art. 15)."""
    from .store.person import export_person

    out = out or Path(f"{pseudonym}.zip")
    if out.exists():
        raise _UserError(f"{out}: exists already; choose another --out.")
    if not out.parent.is_dir():  # checked before the export is made and logged
        raise _UserError(f"{out.parent}: no such folder.")
    from .store.backup import write_private

    data = _database(lambda: export_person(url, pseudonym, by))
    write_private(out, data)  # a child's file: owner-only, as backups are
    click.echo(f"{out}: everything kept about {pseudonym} ({len(data)} bytes).")


@person_group.command(name="erase")
@click.argument("pseudonym")
@click.option(
    "--reason", required=True, help="Why (the written request's date), without naming the person."
)
@click.option("--coordinator", required=True, metavar="NAME")
@click.option("--admin", required=True, metavar="NAME")
@_URL_OPTION
def person_erase(
    pseudonym: str, reason: str, coordinator: str, admin: str, url: str | None
) -> None:
    """Erase everything kept about PSEUDONYM on their request; cannot be undone.

    Reads two lines from standard input: the coordinator's password, then the admin's.
    """
    from .store import db
    from .store.erasure import erase_on_request

    first, second = sys.stdin.readline().rstrip("\r\n"), sys.stdin.readline().rstrip("\r\n")
    url = url or db.database_url()
    _database(
        lambda: erase_on_request(
            url, pseudonym, reason, coordinator=(coordinator, first), admin=(admin, second)
        )
    )
    click.echo(f"{pseudonym}: erased; the audit log keeps that an erasure happened, not whose.")


@cli.command()
@click.option(
    "--host",
    default="127.0.0.1",
    show_default=True,
    help="Address to listen on; anything but loopback belongs behind an HTTPS proxy.",
)
@click.option("--port", type=click.IntRange(1, 65535), default=8000, show_default=True)
@click.option("--threads", type=click.IntRange(1, 64), default=8, show_default=True)
def serve(host: str, port: int, threads: int) -> None:
    """Serve the committee's web app (waitress) until interrupted."""
    from waitress import serve as waitress_serve

    from .web import create_app

    app = _database(create_app)
    if host not in ("127.0.0.1", "localhost", "::1"):
        click.echo(
            f"warning: listening on {host}: serve it only behind HTTPS (session cookies are 'Secure').",
            err=True,
        )
    click.echo(
        f"weegtool: http://{'[' + host + ']' if ':' in host else host}:{port}/ (Ctrl+C stops)"
    )
    waitress_serve(app, host=host, port=port, threads=threads, ident="weegtool")


def _database(action: Callable[[], Any]) -> Any:
    from sqlalchemy.exc import SQLAlchemyError

    try:
        return action()
    except SQLAlchemyError as exc:
        cause = getattr(exc, "orig", None) or exc
        raise _UserError(
            f"database: {str(cause).splitlines()[0]} (is the database initialised? "
            "run 'weegtool db init')"
        ) from None


def main(argv: list[str] | None = None) -> None:
    cli.main(args=argv, prog_name="weegtool")


if __name__ == "__main__":  # pragma: no cover
    main(sys.argv[1:])
