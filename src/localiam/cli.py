"""The `localiam` command: `localiam authorize CASE.json`, `localiam authorize --batch IN.jsonl`,
`localiam serve`, `localiam events`, `localiam import FILE`, `localiam configure`, `localiam env`."""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Mapping, Sequence
from typing import IO, Any

from localiam.authz import Decision, Trace, evaluate
from localiam.cases import Case, CaseError, CaseReader, StoredPolicies
from localiam.catalog import Catalog

EXIT_OK = 0
EXIT_BAD_INPUT = 2


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="localiam", description="AWS IAM on your own machine, faithful to AWS."
    )
    commands = parser.add_subparsers(dest="command", required=True)
    auth = commands.add_parser(
        "authorize",
        help="decide requests from case files: is this allowed, and why?",
        description="Decide one case (CASE.json) or a batch of JSON lines (--batch IN.jsonl). "
        "Use - to read standard input.",
    )
    auth.add_argument("case", nargs="?", help="a case file (JSON object)")
    auth.add_argument(
        "--batch", metavar="IN.jsonl", help="one case per line; one decision per line"
    )
    auth.add_argument("--base", metavar="BASE.json", help="fields every batch line starts from")
    auth.add_argument("--explain", action="store_true", help="show every statement considered")
    auth.add_argument(
        "--data-dir",
        default=None,
        help="complete cases from a localiam store: a user's or role's policies, boundary, "
        "SCPs and RCPs",
    )
    auth.add_argument("--database-url", default=None, help="the store's database, if not SQLite")
    srv = commands.add_parser(
        "serve",
        help="serve IAM (and later STS, Organizations, the data plane) over HTTP",
        description="Serve AWS's APIs on one port for boto3, the AWS CLI and every SDK.",
    )
    srv.add_argument("--host", default="127.0.0.1")
    srv.add_argument("--port", type=int, default=4599)
    srv.add_argument("--data-dir", default=".localiam")
    srv.add_argument("--account-id", default="123456789012")
    srv.add_argument("--database-url", default=None, help="e.g. postgresql+psycopg://...")
    srv.add_argument(
        "--imds-credential-seconds",
        type=int,
        default=6 * 3600,
        help="how long instance-profile credentials from the metadata service last (EC2: ~6 h)",
    )
    limits = srv.add_mutually_exclusive_group()  # request rate limits (server/_throttle.py)
    limits.add_argument(
        "--throttle",
        metavar="RATE[/BURST]",
        help="throttle each account's calls of each operation: RATE a second, bursts of BURST",
    )
    limits.add_argument(
        "--throttle-config", metavar="FILE.json", help="per-operation and per-account limits"
    )
    imds = commands.add_parser(
        "imds",
        help="the metadata-service URL of an instance (for AWS_EC2_METADATA_SERVICE_ENDPOINT)",
    )
    imds.add_argument("instance_id", metavar="INSTANCE_ID")
    imds.add_argument("--endpoint", default="http://127.0.0.1:4599", help="the localiam server")
    imds.add_argument(
        "--port",
        type=int,
        default=None,
        help="also serve the instance's metadata at http://127.0.0.1:PORT/latest/... (until ^C)",
    )
    ev = commands.add_parser(
        "events",
        help="show the audit log of a server's data dir: who did what, and why it was denied",
    )
    ev.add_argument("--data-dir", default=".localiam")
    ev.add_argument("--database-url", default=None)
    ev.add_argument("--denied", action="store_true", help="only refused requests")
    ev.add_argument("--principal", metavar="ARN", help="only this principal's requests")
    ev.add_argument("--follow", action="store_true", help="keep printing new events")
    ev.add_argument("--table", action="store_true", help="a table instead of JSON lines")
    imp = commands.add_parser(
        "import",
        help="load a real account (aws iam get-account-authorization-details) into the store",
        description="Load the JSON that `aws iam get-account-authorization-details` prints into "
        "one account, and optionally an organization (--organization ORGFILE), all or nothing.",
    )
    imp.add_argument("file", metavar="FILE", help="the saved get-account-authorization-details")
    imp.add_argument(
        "--account-id", default=None, help="load into this account (default: the file's)"
    )
    imp.add_argument("--organization", metavar="ORGFILE", default=None)
    imp.add_argument("--data-dir", default=".localiam")
    imp.add_argument("--database-url", default=None, help="e.g. postgresql+psycopg://...")
    imp.add_argument(
        "--replace",
        action="store_true",
        help="first delete the account's IAM entities (and the organization) already stored",
    )
    imp.add_argument("--quiet", action="store_true", help="no progress bar")
    # Client set-up (clientsetup.py).
    conf = commands.add_parser(
        "configure",
        help="write an AWS CLI/SDK profile for a server (~/.aws/config and credentials)",
    )
    conf.add_argument("--profile", default="localiam")
    for sub in (conf, commands.add_parser("env", help="print export lines for a server")):
        sub.add_argument("--endpoint-url", default="http://127.0.0.1:4599")
        sub.add_argument("--data-dir", default=".localiam", help="where root-credentials.csv is")
        sub.add_argument("--region", default="us-east-1")
    return parser


def client_setup_command(
    args: argparse.Namespace, environ: Mapping[str, str], out: IO[str], err: IO[str]
) -> int:
    from pathlib import Path

    from localiam.clientsetup import ClientSetupError, configure_command, env_command

    try:
        if args.command == "configure":
            configure_command(
                args.profile, args.endpoint_url, Path(args.data_dir), args.region, environ, out
            )
        else:
            env_command(args.endpoint_url, Path(args.data_dir), args.region, out)
    except ClientSetupError as exc:
        err.write(f"localiam {args.command}: {exc}\n")
        return EXIT_BAD_INPUT
    return EXIT_OK


def events_command(args: argparse.Namespace, out: IO[str], err: IO[str]) -> int:
    from pathlib import Path

    from localiam.events import EventFilter, follow, read_events, render
    from localiam.store import Database

    data_dir = Path(args.data_dir)
    url = args.database_url or f"sqlite:///{(data_dir / 'localiam.db').resolve()}"
    if args.database_url is None and not (data_dir / "localiam.db").exists():
        err.write(f"localiam events: no database in {data_dir} (start `localiam serve` first)\n")
        return EXIT_BAD_INPUT
    db = Database(url)
    flt = EventFilter(denied_only=args.denied, principal=args.principal)
    try:
        events = follow(db, flt) if args.follow else iter(read_events(db, flt, limit=1_000_000))
        for event in events:
            render(event, args.table, out)
            out.flush()
    except KeyboardInterrupt:
        pass
    finally:
        db.close()
    return EXIT_OK


def import_command(args: argparse.Namespace, out: IO[str], err: IO[str]) -> int:
    from pathlib import Path

    from localiam.importer import ImportOptions, InvalidImport, run_import
    from localiam.store import StoreError

    if args.account_id is not None and not (
        len(args.account_id) == 12 and args.account_id.isdigit()
    ):
        err.write(f"localiam import: --account-id `{args.account_id}` must be 12 digits\n")
        return EXIT_BAD_INPUT
    options = ImportOptions(
        file=Path(args.file),
        data_dir=Path(args.data_dir),
        account_id=args.account_id,
        organization=None if args.organization is None else Path(args.organization),
        database_url=args.database_url,
        replace=args.replace,
        quiet=args.quiet,
    )
    try:
        run_import(options, out, err)
    except (InvalidImport, StoreError) as exc:
        err.write(f"localiam import: {exc}\n")
        return EXIT_BAD_INPUT
    return EXIT_OK


def serve_command(args: argparse.Namespace, environ: Mapping[str, str], err: IO[str]) -> int:
    from pathlib import Path

    from localiam.server import ServerConfig, serve
    from localiam.server._throttle import ThrottleConfig, ThrottleConfigError, served_operations

    try:
        throttle = None
        if args.throttle is not None:
            throttle = ThrottleConfig.from_option(args.throttle)
        elif args.throttle_config is not None:
            throttle = ThrottleConfig.load(Path(args.throttle_config), served_operations())
    except ThrottleConfigError as exc:
        flag = "--throttle" if args.throttle is not None else "--throttle-config"
        err.write(f"localiam serve: {flag}: {exc}\n")
        return EXIT_BAD_INPUT
    try:
        config = ServerConfig(
            host=args.host,
            port=args.port,
            data_dir=Path(args.data_dir),
            account_id=args.account_id,
            database_url=args.database_url,
            root_access_key_id=environ.get("LOCALIAM_ROOT_ACCESS_KEY_ID") or None,
            root_secret_access_key=environ.get("LOCALIAM_ROOT_SECRET_ACCESS_KEY") or None,
            throttle=throttle,
            imds_credential_seconds=args.imds_credential_seconds,
        )
    except ValueError as exc:
        err.write(f"localiam serve: {exc}\n")
        return EXIT_BAD_INPUT
    serve(config)
    return EXIT_OK


class _Authorizer:
    def __init__(self, catalog: Catalog, explain: bool) -> None:
        self._catalog = catalog
        self._rcp_services = catalog.rcp_services
        self._explain = explain

    def decide(self, case: Case) -> tuple[Decision, Trace | None]:
        trace = Trace() if self._explain else None
        decision = evaluate(
            case.request, case.policies, rcp_services=self._rcp_services, trace=trace
        )
        if trace is not None:
            trace.notes.extend(self._warnings(case))
        return decision, trace

    def _warnings(self, case: Case) -> list[str]:
        """What the Service Authorization Reference says is odd in the case's policies."""
        p = case.policies
        sets = [p.identity, p.boundary, p.session, p.resource, *(p.scps or ()), *(p.rcps or ())]
        seen: set[str] = set()
        out: list[str] = []
        for policy_set in sets:
            for pid, doc in () if policy_set is None else policy_set.policies:
                if pid in seen:
                    continue
                seen.add(pid)
                out.extend(f"warning: {pid}.{f}" for f in self._catalog.lint(doc))
        action = self._catalog.action(case.request.action)
        if action is None and case.request.service in self._catalog.services:
            out.append(
                f"warning: request.action: `{case.request.action}` is not an action of "
                f"{case.request.service} in the Service Authorization Reference"
            )
        elif case.request.service not in self._catalog.services:
            out.append(f"warning: request.action: unknown service `{case.request.service}`")
        return out


def _output(case_id: Any, decision: Decision, trace: Trace | None) -> dict[str, Any]:
    out: dict[str, Any] = {} if case_id is None else {"id": case_id}
    out.update(decision.to_json())
    if trace is not None:
        out["explanation"] = trace.render().splitlines()
    return out


def _loads(text: str) -> Any:
    """json.loads, with nesting too deep for Python reported as invalid JSON (ValueError)."""
    try:
        return json.loads(text)
    except RecursionError:
        raise ValueError("nested too deeply") from None


def _read_json(path: str, stdin: IO[str]) -> Any:
    text = stdin.read() if path == "-" else open(path, encoding="utf-8").read()  # noqa: SIM115
    return _loads(text)


def _read_case(reader: CaseReader, raw: object, stored: StoredPolicies | None) -> Case:
    case = reader.read(raw)
    if stored is not None and isinstance(raw, Mapping):
        case = stored.complete(case, reader.given(raw))
    return case


def authorize_one(
    path: str,
    explain: bool,
    out: IO[str],
    err: IO[str],
    stdin: IO[str],
    stored: StoredPolicies | None = None,
) -> int:
    try:
        raw = _read_json(path, stdin)
    except OSError as exc:
        err.write(f"localiam: {path}: cannot read: {exc.strerror}\n")
        return EXIT_BAD_INPUT
    except ValueError as exc:
        err.write(f"localiam: {path}: not valid JSON: {exc}\n")
        return EXIT_BAD_INPUT
    try:
        case = _read_case(CaseReader(), raw, stored)
    except CaseError as exc:
        err.write(f"localiam: {path}: {exc}\n")
        return EXIT_BAD_INPUT
    decision, trace = _Authorizer(Catalog(), explain).decide(case)
    if explain:
        out.write(_explanation(decision, trace))
    else:
        out.write(json.dumps(_output(case.case_id, decision, None), indent=2) + "\n")
    return EXIT_OK


def _explanation(decision: Decision, trace: Trace | None) -> str:
    lines = [f"decision: {decision.decision.value}", f"message:  {decision.message}"]
    if decision.blocked_by is not None:
        lines.append(f"blocked by: {decision.blocked_by.value}")
    if decision.missing_context_keys:
        lines.append("missing context keys: " + ", ".join(decision.missing_context_keys))
    if trace is not None:
        lines.append("statements considered:")
        lines.extend("  " + line for line in trace.render().splitlines())
    return "\n".join(lines) + "\n"


def authorize_batch(
    path: str,
    base_path: str | None,
    explain: bool,
    out: IO[str],
    err: IO[str],
    stdin: IO[str],
    stored: StoredPolicies | None = None,
) -> int:
    base = None
    if base_path is not None:
        try:
            base = _read_json(base_path, stdin)
        except OSError as exc:
            err.write(f"localiam: {base_path}: cannot read: {exc.strerror}\n")
            return EXIT_BAD_INPUT
        except ValueError as exc:
            err.write(f"localiam: {base_path}: not valid JSON: {exc}\n")
            return EXIT_BAD_INPUT
    try:
        reader = CaseReader(base)
    except CaseError as exc:
        err.write(f"localiam: {base_path}: {exc}\n")
        return EXIT_BAD_INPUT
    try:
        source = stdin if path == "-" else open(path, encoding="utf-8")  # noqa: SIM115
    except OSError as exc:
        err.write(f"localiam: {path}: cannot read: {exc.strerror}\n")
        return EXIT_BAD_INPUT
    authorizer = _Authorizer(Catalog(), explain)
    status = EXIT_OK
    with source:
        for number, line in enumerate(source, start=1):
            if not line.strip():
                continue
            case_id = None
            try:
                raw = _loads(line)
                if isinstance(raw, dict):
                    case_id = raw.get("id")
                case = _read_case(reader, raw, stored)
            except (ValueError, CaseError) as exc:
                problem = str(exc) if isinstance(exc, CaseError) else f"not valid JSON: {exc}"
                record: dict[str, Any] = {} if case_id is None else {"id": case_id}
                record["error"] = f"line {number}: {problem}"
                out.write(json.dumps(record) + "\n")
                err.write(f"localiam: {path}: line {number}: {problem}\n")
                status = EXIT_BAD_INPUT
                continue
            decision, trace = authorizer.decide(case)
            out.write(json.dumps(_output(case.case_id, decision, trace)) + "\n")
    return status


def _authorize(
    args: argparse.Namespace,
    out: IO[str],
    err: IO[str],
    stdin: IO[str],
    stored: StoredPolicies | None,
) -> int:
    if args.batch is not None:
        return authorize_batch(args.batch, args.base, args.explain, out, err, stdin, stored)
    return authorize_one(args.case, args.explain, out, err, stdin, stored)


def authorize_with_store(
    args: argparse.Namespace, out: IO[str], err: IO[str], stdin: IO[str]
) -> int:
    """`localiam authorize --data-dir DIR` (or `--database-url URL`): cases completed from the
    store (cases.StoredPolicies)."""
    from pathlib import Path

    from localiam.catalog import ManagedPolicies
    from localiam.services.iam._policies_of import PolicyTexts
    from localiam.store import Database, StoreError

    data_dir = Path(args.data_dir or ".localiam")
    url = args.database_url or f"sqlite:///{(data_dir / 'localiam.db').resolve()}"
    if args.database_url is None and not (data_dir / "localiam.db").exists():
        err.write(f"localiam authorize: no database in {data_dir}\n")
        return EXIT_BAD_INPUT
    try:
        db = Database(url)
    except StoreError as exc:
        err.write(f"localiam authorize: {exc}\n")
        return EXIT_BAD_INPUT
    try:
        return _authorize(args, out, err, stdin, StoredPolicies(db, PolicyTexts(ManagedPolicies())))
    finally:
        db.close()


def imds_command(args: argparse.Namespace, out: IO[str], err: IO[str]) -> int:
    """Print the instance's metadata URL; with --port, serve it there too."""
    import re

    from localiam.imds import PREFIX

    if not re.fullmatch(r"i-[0-9a-f]{8,17}", args.instance_id):
        err.write(f"localiam imds: `{args.instance_id}` is not an instance id (i-...)\n")
        return EXIT_BAD_INPUT
    base = args.endpoint.rstrip("/") + PREFIX + args.instance_id
    out.write(base + "\n")
    if args.port is None:
        return EXIT_OK
    from localiam.imds._proxy import make_server

    try:
        server = make_server("127.0.0.1", args.port, base)
    except OSError as exc:
        err.write(f"localiam imds: cannot listen on 127.0.0.1:{args.port}: {exc}\n")
        return EXIT_BAD_INPUT
    out.write(f"serving {args.instance_id}'s metadata at http://127.0.0.1:{args.port}/latest/\n")
    out.flush()
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
    return EXIT_OK


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    out, err, stdin = sys.stdout, sys.stderr, sys.stdin
    if args.command == "serve":
        return serve_command(args, os.environ, err)
    if args.command == "events":
        return events_command(args, out, err)
    if args.command == "import":
        return import_command(args, out, err)
    if args.command == "imds":
        return imds_command(args, out, err)
    if args.command in ("configure", "env"):
        return client_setup_command(args, os.environ, out, err)
    if args.command == "authorize":
        if (args.case is None) == (args.batch is None):
            err.write("localiam authorize: give either CASE.json or --batch IN.jsonl\n")
            return EXIT_BAD_INPUT
        if args.base is not None and args.batch is None:
            err.write("localiam authorize: --base goes with --batch\n")
            return EXIT_BAD_INPUT
        if args.data_dir is None and args.database_url is None:
            return _authorize(args, out, err, stdin, None)
        return authorize_with_store(args, out, err, stdin)
    return EXIT_BAD_INPUT  # pragma: no cover - argparse requires a command


if __name__ == "__main__":
    raise SystemExit(main())
