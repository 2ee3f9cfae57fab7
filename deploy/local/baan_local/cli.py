"""``baan``: the one command for running Baan on this machine.

    baan up                      the platform (Kafka, the four services, a token issuer)
    baan token --client NAME     a development bearer token for curl
    baan url [NAME]              the instance's URLs (survey, …, issuer, kafka)
    baan reconcile               do the services agree?
    baan import SHEET            upload a survey sheet to survey
    baan demo                    seed the running platform with a demo data set
    baan rebuild                 replay every topic into reporting's projections
    baan dlq list|replay TOPIC   dead letters
    baan kafka start|stop|status|run|env   the broker alone
    baan issuer                  the development token issuer alone
    baan contracts generate|check          the published OpenAPI/AsyncAPI documents

Every command works from any folder: an instance is one data folder
(``--data-dir``, ``$BAAN_DATA_DIR``, else the repository's ``.data``; see
``baan_local.instance``), and ``baan up`` writes the instance's URLs to
``<data-dir>/instance.json``, where the others read them. ``baan <command>
--help`` lists each option with its environment variable.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from contextlib import ExitStack
from pathlib import Path
from typing import TYPE_CHECKING, Any

from baan_local.instance import (
    DATA_DIR_ENV,
    DEFAULT_PORT_BASE,
    ISSUER_PORT_OFFSET,
    KAFKA_PORT_OFFSET,
    SERVICE_PORT_OFFSETS,
    InstanceError,
    Layout,
    Ports,
    default_data_dir,
    instance_record,
    issuer_of,
    kafka_of,
    missing,
    read_instance,
    repo_root,
    service_url,
    write_instance,
)
from baan_shared.registry import SERVICE_NAMES, SERVICES

if TYPE_CHECKING:
    import httpx

NATIONAL_CLIENT = "baan-national"

Handler = Callable[[argparse.Namespace], int]


class UsageError(Exception):
    """A command was given too little to act on; the message says what to give."""


# -- options -----------------------------------------------------------------------


def _option(
    parser: argparse.ArgumentParser,
    *flags: str,
    help: str,
    env: str | None = None,
    default: Any = None,
    **kwargs: Any,
) -> None:
    """An option whose help names its environment variable (read as its default)."""
    if env is not None:
        help = f"{help} [env {env}]"
        if os.environ.get(env):
            default = os.environ[env]  # argparse converts a string default with `type`
    if default is not None and "%(default)" not in help:
        help = f"{help} (default: %(default)s)"
    parser.add_argument(*flags, default=default, help=help, **kwargs)


def _data_dir_option(parser: argparse.ArgumentParser) -> None:
    _option(
        parser,
        "--data-dir",
        type=Path,
        env=DATA_DIR_ENV,
        help="the instance's data folder: databases, photos, imports, Kafka, the issuer's "
        "key, logs, instance.json (default: the repository's .data, wherever you run this)",
    )


def _layout(args: argparse.Namespace) -> Layout:
    data_dir: Path | None = args.data_dir
    return Layout(data_dir if data_dir is not None else default_data_dir())


def _token_source_options(parser: argparse.ArgumentParser) -> None:
    _option(
        parser,
        "--issuer",
        metavar="URL",
        help="the issuer URL (the iss claim); with --key-file, instead of the instance's",
    )
    _option(
        parser,
        "--key-file",
        type=Path,
        help="the issuer's signing key (PEM); with --issuer, instead of the instance's",
    )
    _option(parser, "--audience", help="the aud claim (default: the instance's, else baan)")
    _option(
        parser,
        "--clients",
        type=Path,
        help="a TOML file of clients (default: the built-in ones in baan_local.dev_issuer)",
    )


def _mint(args: argparse.Namespace, client: str, scopes: Sequence[str] | None = None) -> str:
    """A token from the instance's issuer (its URL and key in instance.json), or from
    ``--issuer`` and ``--key-file`` given together; never a key made on the spot."""
    from baan_local.dev_issuer import DEFAULT_AUDIENCE, DevIssuer, load_clients, load_or_create_key

    layout = _layout(args)
    issuer_url: str | None = getattr(args, "issuer", None)
    key_file: Path | None = getattr(args, "key_file", None)
    audience: str | None = getattr(args, "audience", None)
    if (issuer_url is None) != (key_file is None):
        raise UsageError("give --issuer and --key-file together (or neither: the instance's)")
    if issuer_url is None:
        recorded = issuer_of(layout)
        if not recorded.get("url") or not recorded.get("key_file"):
            raise UsageError(str(missing("token issuer", "--issuer and --key-file", layout)))
        issuer_url, key_file = str(recorded["url"]), Path(recorded["key_file"])
        audience = audience or recorded.get("audience")
    assert key_file is not None
    if not key_file.is_file():
        raise UsageError(f"no signing key at {key_file}: `baan up` (or `baan issuer`) makes it")
    issuer = DevIssuer(
        issuer=issuer_url,
        audience=audience or DEFAULT_AUDIENCE,
        key=load_or_create_key(key_file),
        clients=load_clients(getattr(args, "clients", None)),
    )
    if client not in issuer.clients:
        raise UsageError(f"unknown client {client!r}; known: {', '.join(sorted(issuer.clients))}")
    return issuer.token_for(client, scopes)


# -- baan up -------------------------------------------------------------------------


def _up_parser(parser: argparse.ArgumentParser) -> None:
    _data_dir_option(parser)
    _option(
        parser,
        "--port-base",
        type=int,
        env="BAAN_PORT_BASE",
        default=DEFAULT_PORT_BASE,
        help=f"services on BASE+1..BASE+4, the issuer on BASE+{ISSUER_PORT_OFFSET}, "
        f"Kafka on BASE+{KAFKA_PORT_OFFSET} and BASE+{KAFKA_PORT_OFFSET + 1}",
    )
    for name, offset in SERVICE_PORT_OFFSETS.items():
        _option(
            parser,
            f"--{name}-port",
            type=int,
            env=f"BAAN_{name.upper()}_PORT",
            help=f"{name}'s port (default: BASE+{offset})",
        )
    _option(
        parser,
        "--issuer-port",
        type=int,
        env="BAAN_ISSUER_PORT",
        help=f"the development token issuer's port (default: BASE+{ISSUER_PORT_OFFSET})",
    )
    _option(
        parser,
        "--kafka-port",
        type=int,
        env="BAAN_KAFKA_PORT",
        help=f"the Kafka broker's port (default: BASE+{KAFKA_PORT_OFFSET})",
    )
    _option(
        parser,
        "--kafka-controller-port",
        type=int,
        env="BAAN_KAFKA_CONTROLLER_PORT",
        help="the Kafka controller's port (default: the broker's + 1)",
    )
    parser.add_argument(
        "--dry-run",
        action="store_true",
        help="print the instance (ports, folders, URLs) as JSON and start nothing",
    )
    folders = ", ".join(entry.env_prefix + var for entry in SERVICES for var in entry.folders)
    parser.epilog = (
        "Each service's database is <data-dir>/<service>.db unless <SERVICE>_DATABASE_URL "
        "is set (e.g. FINANCE_DATABASE_URL=postgresql+asyncpg://user:pass@127.0.0.1/finance); "
        f"its folders are under <data-dir> unless set ({folders}). Writes "
        "<data-dir>/instance.json, where baan token, url, reconcile, import, rebuild, dlq "
        "and kafka find this instance."
    )


def up_config(args: argparse.Namespace) -> Any:
    """The ``UpConfig`` the options describe (``baan_local.platform``)."""
    from baan_local.platform import UpConfig

    base = Ports.from_base(args.port_base)
    services = {
        name: getattr(args, f"{name}_port") or base.services[name] for name in SERVICE_NAMES
    }
    kafka = args.kafka_port or base.kafka
    ports = Ports(
        services=services,
        issuer=args.issuer_port or base.issuer,
        kafka=kafka,
        kafka_controller=args.kafka_controller_port or kafka + 1,
    )
    return UpConfig(_layout(args), ports)


def _up(args: argparse.Namespace) -> int:
    from baan_local.platform import run

    config = up_config(args)
    if args.dry_run:
        layout = config.layout
        record = instance_record(layout, config.ports, config.host)
        record["databases"] = {name: str(layout.database(name)) for name in SERVICE_NAMES}
        record["folders"] = {
            var: str(path) for name in SERVICE_NAMES for var, path in layout.folders(name).items()
        }
        record["data_dir"] = str(layout.data_dir)
        print(json.dumps(record, indent=2, sort_keys=True))
        clashes = config.ports.clashes()
        for clash in clashes:
            print(f"baan up: {clash}", file=sys.stderr)
        return 2 if clashes else 0
    result: int = run(config)
    return result


# -- baan token / url ------------------------------------------------------------------


def _token_parser(parser: argparse.ArgumentParser) -> None:
    _option(
        parser,
        "--client",
        env="BAAN_CLIENT",
        default=None,
        help="a client id of the issuer (baan-national: every scope, every area; "
        "bangkok-office, khon-kaen-university, auditor)",
    )
    parser.add_argument(
        "--scope", action="append", help="only these of the client's scopes (repeatable)"
    )
    _data_dir_option(parser)
    _token_source_options(parser)


def _token(args: argparse.Namespace) -> int:
    if not args.client:
        raise UsageError("give --client (e.g. --client baan-national)")
    print(_mint(args, args.client, args.scope))
    return 0


URL_NAMES = (*SERVICE_NAMES, "issuer", "kafka")


def _url_parser(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "name", nargs="?", choices=URL_NAMES, help="one URL (default: every one, as name URL)"
    )
    _data_dir_option(parser)


def _url(args: argparse.Namespace) -> int:
    layout = _layout(args)
    instance = read_instance(layout)
    urls = dict(instance.get("services", {}))
    if instance.get("issuer", {}).get("url"):
        urls["issuer"] = instance["issuer"]["url"]
    if instance.get("kafka", {}).get("bootstrap"):
        urls["kafka"] = instance["kafka"]["bootstrap"]
    if args.name is not None:
        if args.name not in urls:
            raise UsageError(str(missing(f"{args.name} URL", "--data-dir", layout)))
        print(urls[args.name])
        return 0
    if not urls:
        raise UsageError(str(missing("URLs", "--data-dir", layout)))
    for name in URL_NAMES:
        if name in urls:
            print(f"{name:<13} {urls[name]}")
    return 0


# -- baan reconcile / import ---------------------------------------------------------------


def _service_url_options(parser: argparse.ArgumentParser, services: Sequence[str]) -> None:
    for name in services:
        _option(
            parser,
            f"--{name}",
            metavar="URL",
            help=f"{name}'s base URL (default: the instance's, from instance.json)",
        )


def _bearer_options(parser: argparse.ArgumentParser, what: str) -> None:
    _option(
        parser,
        "--token",
        env="BAAN_TOKEN",
        help=f"a bearer token {what} (default: one from the instance's issuer for --client)",
    )
    _option(
        parser,
        "--client",
        default=NATIONAL_CLIENT,
        help="the client a token is minted for when no --token is given",
    )
    _data_dir_option(parser)
    _token_source_options(parser)


def _reconcile_parser(parser: argparse.ArgumentParser) -> None:
    from baan_tools.reconcile import SERVICES_READ

    _service_url_options(parser, SERVICES_READ)
    _bearer_options(parser, "with read scopes over the whole country")


def _reconcile(args: argparse.Namespace) -> int:
    from baan_tools.reconcile import SERVICES_READ, run

    layout = _layout(args)
    given = {name: getattr(args, name) for name in SERVICES_READ}
    try:
        urls = {name: service_url(layout, name, url) for name, url in given.items()}
    except InstanceError as exc:
        raise UsageError(str(exc)) from exc
    token = args.token
    if token is None and (not any(given.values()) or args.issuer):
        token = _mint(args, args.client)  # the instance's own services: its own issuer
    return run(urls, token)


def _import_parser(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("sheet", type=Path, help="a .csv (UTF-8) or .xlsx survey sheet")
    parser.add_argument("--imported-by", required=True, help="who imports it (recorded)")
    parser.add_argument("--programme", help="for rows whose sheet has no programme column")
    parser.add_argument("--survey-round", metavar="ID", help="the survey round's id")
    parser.add_argument(
        "--members", type=Path, metavar="FILE", help="members as a separate .csv or .xlsx"
    )
    _service_url_options(parser, ("survey",))
    _bearer_options(parser, "with survey:write over the sheet's areas")


def _import(args: argparse.Namespace) -> int:
    """Upload the sheet (streamed from its file), follow the job with a progress bar
    (rows done of total, rate, time left), and write its error file beside the sheet."""
    import httpx

    layout = _layout(args)
    try:
        url = service_url(layout, "survey", args.survey)
    except InstanceError as exc:
        raise UsageError(str(exc)) from exc
    token = args.token or _mint(args, args.client)
    form = {"imported_by": args.imported_by}
    if args.programme:
        form["programme"] = args.programme
    if args.survey_round:
        form["survey_round_id"] = args.survey_round
    with httpx.Client(
        base_url=url, headers={"authorization": f"Bearer {token}"}, timeout=300
    ) as survey:
        with ExitStack() as files_open:
            files = {"file": (args.sheet.name, files_open.enter_context(args.sheet.open("rb")))}
            if args.members:
                members = files_open.enter_context(args.members.open("rb"))
                files["members_file"] = (args.members.name, members)
            response = survey.post("/v1/household-imports", data=form, files=files)
        if not response.is_success:
            print(json.dumps(response.json(), indent=2, ensure_ascii=False))
            print(f"baan import: survey answered {response.status_code}", file=sys.stderr)
            return 1
        job = _follow_import(survey, response.json())
        print(json.dumps({k: v for k, v in job.items() if k != "first_errors"}, indent=2))
        print(job["outcome"])
        if job["problems_found"]:
            errors = survey.get(f"/v1/household-imports/{job['id']}/errors")
            errors.raise_for_status()
            written = args.sheet.with_name(f"{args.sheet.stem}.errors.csv")
            written.write_bytes(errors.content)
            print(
                f"error file ({job['problems_found']:,} problems, "
                f"{job['rows_invalid']:,} rows not imported): {written}"
            )
    return 0 if job["status"] == "done" else 1


def _follow_import(survey: httpx.Client, job: dict[str, Any]) -> dict[str, Any]:
    """Poll the import job until it is done or failed, showing its progress."""
    from rich.console import Console
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        TextColumn,
        TimeRemainingColumn,
    )

    columns = (
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("{task.fields[rate]} rows/s"),
        TimeRemainingColumn(),
    )
    with Progress(*columns, console=Console(stderr=True)) as progress:
        task = progress.add_task(job["filename"], total=job["rows_total"], rate="-")
        while True:
            finished = job["status"] in ("done", "failed")
            progress.update(
                task,
                completed=job["rows_read"],
                total=job["rows_total"] or (job["rows_read"] if finished else None),
                rate=f"{job['rows_per_second'] or 0:,.0f}",
            )
            if finished:
                return job
            time.sleep(0.5)
            answer = survey.get(f"/v1/household-imports/{job['id']}")
            answer.raise_for_status()
            job = answer.json()


def _demo_parser(parser: argparse.ArgumentParser) -> None:
    _option(parser, "--households", type=int, default=2000, help="how many (at most 20,000)")
    _option(parser, "--seed", type=int, default=2562, help="another seed, another (fixed) data set")
    from baan_local.demo import DEMO_SERVICES

    _service_url_options(parser, DEMO_SERVICES)
    _bearer_options(parser, "of a national client (every area, every write scope)")


def _demo(args: argparse.Namespace) -> int:
    """baan_local.demo through the instance's APIs; prints the dashboard's link."""
    import asyncio

    import httpx

    from baan_local.demo import DEMO_SERVICES, Clients, seed_platform

    layout = _layout(args)
    try:
        urls = {name: service_url(layout, name, getattr(args, name)) for name in DEMO_SERVICES}
    except InstanceError as exc:
        raise UsageError(str(exc)) from exc
    token = args.token or _mint(args, args.client)

    async def run() -> int:
        headers = {"authorization": f"Bearer {token}"}
        made = {
            n: httpx.AsyncClient(base_url=u, headers=headers, timeout=120) for n, u in urls.items()
        }
        try:
            seeded = await seed_platform(Clients(**made), args.households, seed=args.seed)
        finally:
            for client in made.values():
                await client.aclose()
        link = f"{urls['reporting']}/dashboard?fiscal_year={seeded.fiscal_year}"
        print(f"demo: done. The dashboard: {link}#token=$(baan token)")
        return 0

    return asyncio.run(run())


# -- Kafka: kafka / dlq / rebuild -------------------------------------------------------------


def _kafka_port(args: argparse.Namespace, layout: Layout, required: bool) -> int:
    if args.port:
        return int(args.port)
    recorded = kafka_of(layout).get("port")
    if recorded:
        return int(recorded)
    if required:
        raise UsageError(str(missing("Kafka port", "--port", layout)))
    return Ports.from_base().kafka


def _kafka_parser(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "action",
        choices=["start", "stop", "status", "run", "env"],
        help="start: in the background; run: in the foreground until Ctrl-C; env: print "
        "the KAFKA_* variables to connect as --user (eval them, e.g. for other tools)",
    )
    _data_dir_option(parser)
    _option(
        parser,
        "--port",
        type=int,
        env="BAAN_KAFKA_PORT",
        help="the broker's port (default: the instance's; for start/run without one, "
        f"{Ports.from_base().kafka})",
    )
    _option(parser, "--controller-port", type=int, help="the controller's (default: port + 1)")
    _option(parser, "--user", default="admin", help="for env: admin or a service's name")
    _option(parser, "--heap", default="512m", help="JVM -Xmx")
    _option(parser, "--timeout", type=float, default=90.0, help="seconds to wait for readiness")


def _kafka(args: argparse.Namespace) -> int:
    from baan_local import kafka

    layout = _layout(args)
    port = _kafka_port(args, layout, required=args.action == "env")
    controller = args.controller_port or kafka_of(layout).get("controller_port") or port + 1
    if args.action in ("start", "run"):
        write_instance(
            layout,
            kafka={
                "bootstrap": f"127.0.0.1:{port}",
                "port": port,
                "controller_port": controller,
                "data_dir": str(layout.kafka_dir),
            },
        )
    argv = [args.action, "--data-dir", str(layout.kafka_dir), "--port", str(port)]
    argv += ["--controller-port", str(controller), "--user", args.user]
    argv += ["--heap", args.heap, "--timeout", str(args.timeout)]
    return kafka.main(argv)


def _broker(layout: Layout) -> Any:
    from baan_local.kafka import LocalKafka

    recorded = kafka_of(layout)
    if not recorded.get("port"):
        raise UsageError(str(missing("Kafka broker", "--data-dir", layout)))
    return LocalKafka(
        layout.kafka_dir, port=int(recorded["port"]), controller_port=recorded["controller_port"]
    )


def _dlq_parser(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("action", choices=["list", "replay"])
    parser.add_argument(
        "topic", help="a dead-letter topic, e.g. survey.households.dlq.construction"
    )
    _data_dir_option(parser)
    parser.epilog = (
        "Connects as the instance's Kafka administrator, unless the environment holds "
        "KAFKA_BOOTSTRAP_SERVERS and KAFKA_SECURITY_PROTOCOL (an operator's own credentials)."
    )


def _operator_environment(layout: Layout) -> dict[str, str]:
    """The environment's KAFKA_* credentials if it has them, else the instance's admin's."""
    if os.environ.get("KAFKA_BOOTSTRAP_SERVERS") and os.environ.get("KAFKA_SECURITY_PROTOCOL"):
        return {k: v for k, v in os.environ.items() if k.startswith("KAFKA_")}
    environment: dict[str, str] = _broker(layout).environment()
    return environment


def _dlq(args: argparse.Namespace) -> int:
    from baan_shared.bus.dead_letters import main as dead_letters

    environment = _operator_environment(_layout(args))
    os.environ.update(environment)
    bootstrap = environment["KAFKA_BOOTSTRAP_SERVERS"]
    return dead_letters([args.action, args.topic, "--bootstrap", bootstrap])


def _rebuild_parser(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--group-id", help="the Kafka consumer group (default: a fresh one)")
    _data_dir_option(parser)
    parser.epilog = (
        "Runs python -m reporting.rebuild against the instance: its reporting database "
        "(REPORTING_DATABASE_URL if set) and its broker, as reporting's Kafka user."
    )


def _rebuild(args: argparse.Namespace) -> int:
    layout = _layout(args)
    environment = {
        **os.environ,
        **_broker(layout).environment("reporting"),
        **layout.service_environment("reporting"),
    }
    command = [sys.executable, "-m", "reporting.rebuild"]
    if args.group_id:
        command += ["--group-id", args.group_id]
    return subprocess.call(command, env=environment)


# -- the issuer alone, contracts -----------------------------------------------------------


def _issuer_parser(parser: argparse.ArgumentParser) -> None:
    _data_dir_option(parser)
    _option(
        parser,
        "--port",
        type=int,
        env="BAAN_ISSUER_PORT",
        default=DEFAULT_PORT_BASE + ISSUER_PORT_OFFSET,
        help="the port",
    )
    _option(parser, "--host", default="127.0.0.1", help="the interface (keep it loopback)")
    _option(parser, "--issuer", metavar="URL", help="the iss claim (default: http://HOST:PORT)")
    _option(
        parser, "--key-file", type=Path, help="the key (default: <data-dir>/dev-issuer/key.pem)"
    )
    _option(parser, "--audience", default="baan", help="the aud claim")
    _option(parser, "--clients", type=Path, help="a TOML file of clients (default: built-in)")
    parser.epilog = "Records its URL and key in <data-dir>/instance.json for baan token."


def _issuer(args: argparse.Namespace) -> int:
    import uvicorn

    from baan_local.dev_issuer import DevIssuer, load_clients, load_or_create_key

    layout = _layout(args)
    key_file: Path = args.key_file or layout.issuer_key
    issuer = DevIssuer(
        issuer=args.issuer or f"http://{args.host}:{args.port}",
        audience=args.audience,
        key=load_or_create_key(key_file),
        clients=load_clients(args.clients),
    )
    write_instance(
        layout,
        issuer={"url": issuer.issuer, "key_file": str(key_file), "audience": issuer.audience},
    )
    print(f"dev issuer {issuer.issuer}: clients {', '.join(sorted(issuer.clients))}", flush=True)
    uvicorn.run(issuer.app(), host=args.host, port=args.port, log_level="warning")
    return 0


def _contracts_parser(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("action", choices=["generate", "check"])
    parser.add_argument(
        "--allow-breaking", action="store_true", help="generate: write even a breaking change"
    )
    parser.add_argument(
        "--against", metavar="GIT_REF", help="check: also fail on a breaking change since REF"
    )


def _contracts(args: argparse.Namespace) -> int:
    from baan_tools.contracts import main as contracts

    argv = ["--root", str(repo_root()), args.action]
    if args.action == "generate" and args.allow_breaking:
        argv.append("--allow-breaking")
    if args.action == "check" and args.against:
        argv += ["--against", args.against]
    return contracts(argv)


# -- the command -------------------------------------------------------------------------------

COMMANDS: dict[str, tuple[str, Callable[[argparse.ArgumentParser], None], Handler]] = {
    "up": ("run the platform: Kafka, the four services, a token issuer", _up_parser, _up),
    "token": ("print a development bearer token", _token_parser, _token),
    "url": ("print the instance's URLs", _url_parser, _url),
    "reconcile": ("check that the services agree", _reconcile_parser, _reconcile),
    "import": ("upload a survey sheet to survey", _import_parser, _import),
    "demo": ("seed the running platform with a demo data set", _demo_parser, _demo),
    "rebuild": ("rebuild reporting's projections from the topics", _rebuild_parser, _rebuild),
    "dlq": ("list or replay a dead-letter topic", _dlq_parser, _dlq),
    "kafka": ("the Kafka broker alone", _kafka_parser, _kafka),
    "issuer": ("the development token issuer alone", _issuer_parser, _issuer),
    "contracts": ("regenerate or check contracts/", _contracts_parser, _contracts),
}


def parser() -> argparse.ArgumentParser:
    root = argparse.ArgumentParser(
        prog="baan", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    commands = root.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for name, (summary, build, handler) in COMMANDS.items():
        sub = commands.add_parser(name, help=summary, description=f"baan {name}: {summary}.")
        build(sub)
        sub.set_defaults(handler=handler)
    return root


def main(argv: Sequence[str] | None = None) -> int:
    built = parser()
    args = built.parse_args(argv)
    handler: Handler = args.handler
    try:
        return handler(args)
    except (UsageError, InstanceError) as exc:
        print(f"baan {args.command}: {exc}", file=sys.stderr)
        return 2


def _alias(command: str) -> Callable[[], int]:
    def run() -> int:
        return main([command, *sys.argv[1:]])

    return run


# The old names, kept: baan-up, baan-dev-token, baan-dev-issuer, baan-reconcile.
up_alias = _alias("up")
token_alias = _alias("token")
issuer_alias = _alias("issuer")
reconcile_alias = _alias("reconcile")


if __name__ == "__main__":
    sys.exit(main())
