"""The `serve` and `demo` commands (registered by `cli.build_parser`); thin, over app.runtime."""

from __future__ import annotations

import argparse
from pathlib import Path

DEMO_DATABASE = "sqlite:///var/demo.db"


def _url(args: argparse.Namespace) -> str:
    return f"http://{args.host}:{args.port}"


def cmd_serve(args: argparse.Namespace) -> int:
    from scheduler.app.jobs import OUTBOX_JOB, intervals_from_env
    from scheduler.app.runtime import serve
    from scheduler.web.settings import WebSettings, secret_key
    from scheduler.webhooks import allow_private_from_env

    # Cookies are Secure as soon as --base-url is https (WebSettings.cookies_secure).
    settings = WebSettings(
        database_url=args.database,
        secret_key=secret_key(),
        base_url=args.base_url or _url(args),
        session_hours=args.session_hours,
        session_idle_minutes=args.session_idle_minutes,
        webhooks_allow_private=allow_private_from_env(),
    )
    every = intervals_from_env()[OUTBOX_JOB]  # also checks SCHEDULER_JOB_INTERVALS before serving
    url = _url(args)
    print(f"Serving on {url} (API docs at {url}/docs); the outbox is delivered every {every:g} s.")
    serve(settings, host=args.host, port=args.port)
    return 0


def cmd_demo(args: argparse.Namespace) -> int:
    from scheduler.app.runtime import demo_settings, prepare_demo, serve
    from scheduler.store import open_store

    url = args.database
    if url == DEMO_DATABASE:
        Path("var").mkdir(exist_ok=True)
        for suffix in ("", "-wal", "-shm"):  # the demo starts afresh each time
            Path(f"var/demo.db{suffix}").unlink(missing_ok=True)
    settings = demo_settings(url, args.base_url or _url(args))
    store = open_store(url)
    demo = prepare_demo(args.config, settings, store=store, time_limit=args.time_limit)
    print()
    print(f"Coordinator login: {_url(args)}/login  email {demo.login}  password {demo.password}")
    print(f"API docs: {_url(args)}/docs")
    print("Booking links (one per meeting, as emailed to each counterpart):")
    for meeting_id, link in demo.links:
        print(f"  {meeting_id:<24} {link}")
    for meeting_id, why in demo.not_proposed:
        print(f"  {meeting_id:<24} not proposed: {why}")
    print("Emails are delivered to var/maildir (or SMTP when SCHEDULER_SMTP_HOST is set).")
    if args.no_serve:
        store.close()
        return 0
    serve(settings, host=args.host, port=args.port, store=store)
    return 0


def add_commands(sub: argparse._SubParsersAction, config_arg) -> None:  # type: ignore[type-arg,no-untyped-def]
    """Register serve and demo on the `scheduler` parser (`user` is in `cli.accounts`)."""

    def common(p: argparse.ArgumentParser, database: str | None) -> None:
        p.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")
        p.add_argument("--port", type=int, default=8000, help="port (default 8000)")
        p.add_argument(
            "--db",
            dest="database",
            default=database,
            help="database URL (default SCHEDULER_DATABASE_URL or var/scheduler.db)",
        )
        p.add_argument(
            "--base-url", default=None, help="public URL of the booking links (default http://HOST:PORT)"
        )

    text = "start the service: coordinator API and pages, booking links, outbox delivery"
    p = sub.add_parser("serve", help=text, description=text)
    common(p, None)
    p.add_argument("--session-hours", type=int, default=12, help="a page session's longest life (default 12)")
    p.add_argument(
        "--session-idle-minutes",
        type=int,
        default=120,
        help="a page session ends unused this long (default 120)",
    )
    p.set_defaults(func=cmd_serve)

    text = "import the sample mission, plan it, propose every meeting, print the logins and links, serve"
    p = sub.add_parser("demo", help=text, description=text)
    config_arg(p)
    common(p, DEMO_DATABASE)
    p.add_argument("--no-serve", action="store_true", help="prepare and print, then stop")
    p.add_argument("--time-limit", type=float, default=10.0, help="seconds the planner may take")
    p.set_defaults(func=cmd_demo)
