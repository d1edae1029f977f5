"""``gongkai serve`` and ``gongkai user add|list|passwd|disable|enable|sessions``. Register with
``register(app)``; nothing heavy is imported until a command runs."""

from __future__ import annotations

import json
import os
import secrets
import sys
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from ..store.commands import DEFAULT_DB, Db, open_or_exit  # one --db for every command
from .words import cli, role_word

err = Console(stderr=True, soft_wrap=True, highlight=False)
LangOption = Annotated[str, typer.Option("--lang", envvar="GONGKAI_LANG",
                                         help="language of messages: zh (default) or en")]


class Role(StrEnum):
    viewer = "viewer"
    reviewer = "reviewer"
    admin = "admin"


def _open(db: str, *, create: bool = True, lang: str | None = None):  # type: ignore[no-untyped-def]
    # create=False: a command on existing accounts refuses a --db that does not exist
    return open_or_exit(db, extra="web", create=create, lang=lang)


MAX_DEFAULT_WORKERS = 8


def default_workers() -> int:
    """One server process per CPU this process may use (Python runs one request at a time per
    process), at most :data:`MAX_DEFAULT_WORKERS` (each holds its own caches and memory)."""
    try:
        cpus = len(os.sched_getaffinity(0))
    except AttributeError:  # not Linux
        cpus = os.cpu_count() or 1
    return max(1, min(cpus, MAX_DEFAULT_WORKERS))


def serve(
    db: Db = DEFAULT_DB,
    host: Annotated[str, typer.Option("--host", help="address to listen on")] = "127.0.0.1",
    port: Annotated[int, typer.Option("--port", "-p")] = 8000,
    anonymous_read: Annotated[bool, typer.Option("--anonymous-read", help="let visitors who are not "
                                                 "logged in read (never write)")] = False,
    max_upload_mb: Annotated[int, typer.Option("--max-upload-mb", help="largest file accepted")] = 50,
    upload_dir: Annotated[Path | None, typer.Option("--upload-dir", help="where uploads are kept "
                                                    "(default: <db>.uploads beside a SQLite file)")] = None,
    max_upload_total_mb: Annotated[int, typer.Option("--max-upload-total-mb", help="largest upload request "
                                                     "(all its files)")] = 512,
    max_body_kb: Annotated[int, typer.Option("--max-body-kb",
                                             help="largest body of any other request")] = 1024,
    secret_file: Annotated[Path | None, typer.Option("--secret-file", help="the session signing key "
                                                     "(created 0600 if missing; default "
                                                     "~/.config/gongkai/session.key; GONGKAI_SECRET "
                                                     "overrides)")] = None,
    workers: Annotated[int | None, typer.Option("--workers", "-w", min=1, max=64,
                                                help="server processes (default: one per CPU, at most "
                                                     f"{MAX_DEFAULT_WORKERS})")] = None,
    lang: LangOption = "zh",
) -> None:
    """Serve the review web app (pages, JSON API at /api, docs at /docs). Limits and who may do
    what: SECURITY.md."""
    # a module missing here reaches the command line (cli.LazyGroup), which names the extra when
    # it is not installed and else the module itself (an extra that forgot to declare it)
    import uvicorn

    from .app import WORKER_SETTINGS_ENV, create_app, settle_heap
    from .auth import SecretError, load_secret
    from .throttle import HASH_SLOTS
    store = _open(db)  # migrated here, once, before any worker starts
    processes = workers or default_workers()
    options = {"anonymous_read": anonymous_read, "max_upload_bytes": max_upload_mb * 2**20,
               "upload_dir": str(upload_dir) if upload_dir else None,
               "max_upload_total": max_upload_total_mb * 2**20, "max_body_bytes": max_body_kb * 1024,
               "secret_file": str(secret_file) if secret_file else None,
               # the password-hash slots are shared out: a flood of logins stays as bounded as before
               "hash_slots": max(1, HASH_SLOTS // processes),
               "server_scope": secrets.token_hex(8),  # the processes of this run share failed logins
               "lang": lang}  # the pages' language (a visitor may choose the other)
    try:
        if processes == 1:
            app = create_app(db, store=store, **{**options, "upload_dir": upload_dir,  # type: ignore[arg-type]
                                                 "secret_file": secret_file})
        else:
            load_secret(secret_file)  # a key that cannot be used stops here, not in each worker
    except SecretError as error:
        err.print(f"✗ {error}", markup=False)
        raise typer.Exit(2) from None
    err.print(cli("serving", lang, host=host, port=port, db=store.name,
                  anonymous=cli("anonymous", lang) if anonymous_read else ""), markup=False)
    if processes == 1:
        settle_heap()
        uvicorn.run(app, host=host, port=port, log_level="warning", access_log=False)
        return
    # several processes: uvicorn starts each (and restarts one that dies); each builds its app
    # from these settings. What they must share lives in the database (sessions, failed logins,
    # upload jobs, the caches' generation).
    store.close()
    os.environ[WORKER_SETTINGS_ENV] = json.dumps({"db_url": str(db), **options})
    uvicorn.run("gongkai.web.app:worker_app", factory=True, host=host, port=port, workers=processes,
                log_level="warning", access_log=False)


user_app = typer.Typer(help="web accounts", no_args_is_help=True)


@user_app.command("add")
def user_add(
    name: Annotated[str, typer.Argument(help="the login name")],
    role: Annotated[Role, typer.Option("--role", help="viewer reads; reviewer corrects and reviews; "
                                                     "admin also manages accounts")] = Role.viewer,
    password_stdin: Annotated[bool, typer.Option("--password-stdin", help="read the password from "
                                                 "standard input (first line)")] = False,
    db: Db = DEFAULT_DB,
    lang: LangOption = "zh",
) -> None:
    """Create a web account (argon2-hashed password)."""
    from ..store.review import ReviewError, add_user

    if password_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    else:
        password = typer.prompt(cli("prompt.password", lang), hide_input=True, confirmation_prompt=True)
    store = _open(db)
    with store:
        try:
            user = add_user(store.engine, name, password, role=role.value)
        except ReviewError as error:
            err.print(f"[red]✗[/red] {error}", markup=True)
            raise typer.Exit(2) from None
    err.print(f"[green]✓[/green] {cli('added', lang, name=user.name, role=role_word(user.role, lang))}",
              markup=True)


@user_app.command("list")
def user_list(db: Db = DEFAULT_DB, lang: LangOption = "zh") -> None:
    """List the web accounts."""
    from ..store.review import users

    with _open(db, create=False, lang=lang) as store:
        for user in users(store.engine):
            print(f"{user.id}\t{user.name}\t{role_word(user.role, lang)}\t"
                  f"{cli('active' if user.active else 'disabled', lang)}")


def _password(password_stdin: bool, lang: str) -> str:
    if password_stdin:
        return sys.stdin.readline().rstrip("\r\n")
    return typer.prompt(cli("prompt.new_password", lang), hide_input=True, confirmation_prompt=True)


def _account_change(db: str, change, lang: str | None = None) -> None:  # type: ignore[no-untyped-def]
    from ..store.review import ReviewError

    with _open(db, create=False, lang=lang) as store:
        try:
            message = change(store.engine)
        except ReviewError as error:
            err.print(f"[red]✗[/red] {error}", markup=True)
            raise typer.Exit(2) from None
    err.print(f"[green]✓[/green] {message}", markup=True)


@user_app.command("passwd")
def user_passwd(
    name: Annotated[str, typer.Argument(help="the login name")],
    password_stdin: Annotated[bool, typer.Option("--password-stdin", help="read the new password from "
                                                 "standard input (first line)")] = False,
    db: Db = DEFAULT_DB,
    lang: LangOption = "zh",
) -> None:
    """Set an account's password; every session of the account ends."""
    from ..store.review import set_password

    password = _password(password_stdin, lang)
    _account_change(db, lambda engine: cli("passwd", lang, name=name,
                                           ended=set_password(engine, name, password)), lang)


@user_app.command("disable")
def user_disable(name: Annotated[str, typer.Argument(help="the login name")], db: Db = DEFAULT_DB,
                 lang: LangOption = "zh") -> None:
    """Disable an account: it cannot log in, and its sessions end at once."""
    from ..store.review import set_active

    _account_change(db, lambda engine: cli("disable", lang, name=name, ended=set_active(engine, name, False)),
                    lang)


@user_app.command("enable")
def user_enable(name: Annotated[str, typer.Argument(help="the login name")], db: Db = DEFAULT_DB,
                lang: LangOption = "zh") -> None:
    """Enable a disabled account."""
    from ..store.review import set_active

    _account_change(db, lambda engine: (set_active(engine, name, True), cli("enable", lang, name=name))[1],
                    lang)


@user_app.command("sessions")
def user_sessions(
    name: Annotated[str, typer.Argument(help="the login name")],
    revoke: Annotated[bool, typer.Option("--revoke", help="end every session of the account")] = False,
    db: Db = DEFAULT_DB,
    lang: LangOption = "zh",
) -> None:
    """List an account's live sessions (started, last seen, address, browser); ``--revoke`` ends them."""
    from ..store.review import ReviewError, end_sessions
    from .accounts import live_sessions
    from .timefmt import shown

    if revoke:
        _account_change(db, lambda engine: cli("revoke", lang, name=name, ended=end_sessions(engine, name)),
                        lang)
        return
    with _open(db, create=False, lang=lang) as store:
        try:
            sessions = live_sessions(store.engine, name)
        except ReviewError as error:
            err.print(f"[red]✗[/red] {error}", markup=True)
            raise typer.Exit(2) from None
    if sessions:
        print(cli("sessions.header", lang))
    for session in sessions:  # times in Asia/Shanghai with the offset, as on the web pages
        print(f"{shown(session['created_at'])}\t{shown(session['seen_at'])}\t"
              f"{session['address'] or ''}\t{session['agent'] or ''}")
    err.print(cli("sessions", lang, count=len(sessions)), markup=False)


def register(app: typer.Typer) -> None:
    """Add ``serve`` and ``user`` to the ``gongkai`` app."""
    app.command("serve")(serve)
    app.add_typer(user_app, name="user")
