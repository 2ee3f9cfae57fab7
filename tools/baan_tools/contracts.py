"""Baan's published contracts: what partners and services may rely on.

This module owns the documents under ``contracts/``: each service's OpenAPI
document (``contracts/openapi/<service>.json``, from its ``create_app()``) and
one AsyncAPI 3.0 document for every event (``contracts/asyncapi.yaml``, from the
event catalogue, the topics and each service's subscriptions). All of them are
generated from the code, with sorted keys and nothing volatile, so the same
code always writes the same bytes.

``check`` regenerates them in memory and compares with the committed files. A
breaking change (an operation or event type removed, a property removed or
retyped, a field newly required, an enum value removed) fails: a change like
that ships as a new version beside the old one (``/v2/...``,
``household.approved.v2``). A compatible change that was not regenerated fails
too, asking for ``make contracts``. OpenAPI changes are classified by oasdiff
(its hundreds of rules, built from its Go module into ``.tools/bin`` on first
use, as the deploy checks do for helm); AsyncAPI changes by the rules below:
the maintained AsyncAPI differ (npm @asyncapi/diff) classifies JSON-patch paths
and leaves ``components/schemas`` (every payload) unclassified, which is where
an event's breaking changes are.

CLI: ``baan-contracts generate [--allow-breaking]`` and
``baan-contracts check [--against GIT_REF]``.
"""

from __future__ import annotations

import argparse
import contextlib
import importlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from fastapi import FastAPI
from pydantic.json_schema import models_json_schema

from baan_shared import registry
from baan_shared.events import topics as event_topics
from baan_shared.events.catalog import EVENT_TYPES, EventData
from baan_shared.registry import SERVICE_NAMES, SERVICES

REPO_ROOT = Path(__file__).resolve().parents[2]
CONTRACTS_DIR = "contracts"
ASYNCAPI_FILE = f"{CONTRACTS_DIR}/asyncapi.yaml"
OASDIFF_MODULE = "github.com/oasdiff/oasdiff"
OASDIFF_VERSION = "v1.37.0"
# Where Baan's rules differ from oasdiff's defaults. A partner's client may read an
# optional response property as surely as a required one, so removing it breaks that
# client. A new enum value in a response is an addition: partners are told to expect
# values they do not know (docs/contracts.md), so that a new programme or area level
# does not need a /v2.
OASDIFF_SEVERITY_OVERRIDES = {
    "response-optional-property-removed": "err",
    "response-property-enum-value-added": "info",
}
REGENERATE_HINT = "run `make contracts` and commit contracts/"
VERSIONING_HINT = (
    "a breaking change ships as a new version beside the old one: a new path under /v2/... "
    "or a new event type such as household.approved.v2; see docs/contracts.md"
)


def openapi_file(service: str) -> str:
    return f"{CONTRACTS_DIR}/openapi/{service}.json"


# --- building the services' apps ----------------------------------------------------------


def service_app(name: str, workdir: Path, *, migrate: bool = False) -> FastAPI:
    """The service's real app on a SQLite database in ``workdir``, with Kafka switched off.

    The consumer, relay and topic creation stay off so that nothing here needs a broker;
    ``migrate`` builds the schema at start-up (the fuzz tests need it, generation not).
    """
    entry = registry.service(name)
    settings_class = getattr(importlib.import_module(entry.settings_module), entry.settings_class)
    options: dict[str, Any] = {
        "database_url": f"sqlite+aiosqlite:///{workdir}/{entry.database}.db",
        "auto_migrate": migrate,
        "create_topics": False,
        "consumer_enabled": False,
        "relay_enabled": False,
        "log_json": False,
        "log_level": "WARNING",
    }
    if "photo_dir" in settings_class.model_fields:
        options["photo_dir"] = str(workdir / f"{name}-photos")
    create_app = importlib.import_module(f"{entry.package}.main").create_app
    app: FastAPI = create_app(settings_class(**options))
    return app


# Settings that shape a service's OpenAPI document (e.g. the token URL from AUTH_ISSUER):
# generation ignores them, so that the contracts describe the defaults on every machine.
_SETTINGS_PREFIXES = ("AUTH_", "KAFKA_", *(entry.env_prefix for entry in SERVICES))


@contextlib.contextmanager
def pinned_environment(overrides: Mapping[str, str] | None = None) -> Iterator[None]:
    """Run with no Baan settings in the environment but ``overrides``; restore afterwards."""
    saved = {
        name: value for name, value in os.environ.items() if name.startswith(_SETTINGS_PREFIXES)
    }
    for name in saved:
        del os.environ[name]
    os.environ.update(overrides or {})
    try:
        yield
    finally:
        for name in overrides or {}:
            os.environ.pop(name, None)
        os.environ.update(saved)


@contextlib.contextmanager
def _apps() -> Iterator[dict[str, FastAPI]]:
    with tempfile.TemporaryDirectory(prefix="baan-contracts-") as workdir, pinned_environment():
        yield {name: service_app(name, Path(workdir)) for name in SERVICE_NAMES}


# --- generating --------------------------------------------------------------------------


def _publishers(apps: Mapping[str, FastAPI]) -> dict[str, list[str]]:
    """topic → the services that publish to it (from each service's ``produces``)."""
    found: dict[str, list[str]] = {}
    for service, app in apps.items():
        for topic in app.state.runtime.produces:
            found.setdefault(topic, []).append(service)
    return found


def _subscribers(apps: Mapping[str, FastAPI]) -> dict[str, set[str]]:
    """service → the event types its ``handlers.py`` subscribes to."""
    found: dict[str, set[str]] = {}
    for service, app in apps.items():
        subscriptions = app.state.runtime.subscriptions
        found[service] = set(subscriptions.handlers) if subscriptions is not None else set()
    return found


def _model_name(model: type[EventData]) -> str:
    return model.__name__


def _headers_schema(model: type[EventData], publishers: Sequence[str]) -> dict[str, Any]:
    """The CloudEvents attributes as Kafka headers (binary content mode, see envelope.py)."""
    sources = [f"/services/{service}" for service in publishers]
    source: dict[str, Any] = {"type": "string", "description": "/services/<publisher>"}
    if sources:
        source["enum"] = sources
    return {
        "type": "object",
        "description": "CloudEvents 1.0 attributes, Kafka protocol binding, binary content mode",
        "required": [
            "ce_specversion",
            "ce_id",
            "ce_source",
            "ce_type",
            "ce_subject",
            "ce_time",
            "content-type",
        ],
        "properties": {
            "ce_specversion": {"type": "string", "const": "1.0"},
            "ce_id": {
                "type": "string",
                "format": "uuid",
                "description": "Unique per event: consumers deduplicate on it",
            },
            "ce_source": source,
            "ce_type": {"type": "string", "const": model.event_type},
            "ce_subject": {
                "type": "string",
                "format": "uuid",
                "description": f"The {model.aggregate_type} id; also the message key",
            },
            "ce_time": {"type": "string", "format": "date-time"},
            "content-type": {"type": "string", "const": "application/json"},
            "ce_dataschema": {"type": "string", "const": model.dataschema()},
            "traceparent": {
                "type": "string",
                "description": "W3C trace context, carried from the request that caused the event",
                "pattern": "^[0-9a-f]{2}-[0-9a-f]{32}-[0-9a-f]{16}-[0-9a-f]{2}$",
            },
        },
    }


def _summary(model: type[EventData]) -> str:
    doc = (model.__doc__ or "").strip()
    # Pydantic gives undocumented models BaseModel's docstring; that describes nothing here.
    if not doc or model.__doc__ == EventData.__doc__ or doc.startswith("!!! abstract"):
        return f"{model.event_type} on {model.topic}"
    return doc.splitlines()[0]


def asyncapi_document(apps: Mapping[str, FastAPI]) -> dict[str, Any]:
    """One AsyncAPI 3.0.0 document: a channel per topic, a message per event type."""
    publishers = _publishers(apps)
    subscribers = _subscribers(apps)
    models = sorted(EVENT_TYPES.values(), key=lambda model: model.event_type)
    _, definitions = models_json_schema(
        [(model, "validation") for model in models],
        ref_template="#/components/schemas/{model}",
    )
    schemas: dict[str, Any] = dict(definitions.get("$defs", {}))
    messages: dict[str, Any] = {}
    for model in models:
        messages[model.event_type] = {
            "name": model.event_type,
            "title": model.event_type,
            "summary": _summary(model),
            "contentType": "application/json",
            "headers": _headers_schema(model, publishers.get(model.topic, [])),
            "payload": {"$ref": f"#/components/schemas/{_model_name(model)}"},
            "bindings": {
                "kafka": {
                    "bindingVersion": "0.5.0",
                    "key": {
                        "type": "string",
                        "format": "uuid",
                        "description": f"The {model.aggregate_type} id: one aggregate's "
                        "events stay ordered on one partition",
                    },
                }
            },
        }
    channels: dict[str, Any] = {}
    for topic in event_topics.ALL_STREAMS:
        on_topic = [model for model in models if model.topic == topic]
        channels[topic] = {
            "address": topic,
            "title": topic,
            "description": "Keyed by aggregate id, so one aggregate's events are ordered. "
            "Consumers that cannot apply an event park it on "
            f"{event_topics.dead_letter_topic(topic, '<consumer>')}.",
            "messages": {
                model.event_type: {"$ref": f"#/components/messages/{model.event_type}"}
                for model in on_topic
            },
        }
    operations: dict[str, Any] = {}
    for topic, services in publishers.items():
        for service in services:
            operations[f"{service}.send.{topic}"] = {
                "action": "send",
                "title": f"{service} publishes to {topic}",
                "channel": {"$ref": f"#/channels/{topic}"},
                "messages": [
                    {"$ref": f"#/channels/{topic}/messages/{event_type}"}
                    for event_type in sorted(channels[topic]["messages"])
                ],
            }
    for service, event_types in subscribers.items():
        for topic in sorted({EVENT_TYPES[event_type].topic for event_type in event_types}):
            operations[f"{service}.receive.{topic}"] = {
                "action": "receive",
                "title": f"{service} consumes from {topic}",
                "description": "Applied once per event id (inbox); events of other types "
                "on the topic are skipped.",
                "channel": {"$ref": f"#/channels/{topic}"},
                "messages": [
                    {"$ref": f"#/channels/{topic}/messages/{event_type}"}
                    for event_type in sorted(event_types)
                    if EVENT_TYPES[event_type].topic == topic
                ],
            }
    return {
        "asyncapi": "3.0.0",
        "info": {
            "title": "Baan events",
            "version": "1.0.0",
            "description": "Every event the Baan services publish: CloudEvents 1.0 over the "
            "Kafka protocol binding (binary content mode: attributes as ce_* headers, the "
            "value is the JSON data). Schemas evolve by adding optional fields; a breaking "
            "change is a new event type (household.approved.v2) published beside the old.",
        },
        "defaultContentType": "application/json",
        "servers": {
            "local": {
                "host": "127.0.0.1:9092",
                "protocol": "kafka",
                "description": "The local broker that `make up` starts",
            }
        },
        "channels": channels,
        "operations": operations,
        "components": {"schemas": schemas, "messages": messages},
    }


def render_json(document: Mapping[str, Any]) -> str:
    return json.dumps(document, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def render_yaml(document: Mapping[str, Any]) -> str:
    text: str = yaml.safe_dump(
        document, sort_keys=True, allow_unicode=True, default_flow_style=False, width=100
    )
    return text


def generate_contracts() -> dict[str, str]:
    """Relative path → the text the code says that contract file must hold."""
    with _apps() as apps:
        files = {openapi_file(service): render_json(app.openapi()) for service, app in apps.items()}
        files[ASYNCAPI_FILE] = render_yaml(asyncapi_document(apps))
    return files


def load_contract(path: str, text: str) -> dict[str, Any]:
    loaded = json.loads(text) if path.endswith(".json") else yaml.safe_load(text)
    if not isinstance(loaded, dict):
        raise ValueError(f"{path} is not a JSON/YAML object")
    return loaded


# --- classifying changes -----------------------------------------------------------------


@dataclass(frozen=True)
class Change:
    contract: str
    where: str
    what: str
    breaking: bool

    def __str__(self) -> str:
        kind = "BREAKING" if self.breaking else "compatible"
        return f"[{kind}] {self.contract}: {self.where}: {self.what}"


def _resolve(document: Mapping[str, Any], schema: Any) -> Any:
    seen = 0
    while isinstance(schema, dict) and "$ref" in schema and seen < 32:
        reference = schema["$ref"]
        if not isinstance(reference, str) or not reference.startswith("#/"):
            break
        target: Any = document
        for part in reference[2:].split("/"):
            target = target.get(part.replace("~1", "/").replace("~0", "~"), {})
        schema = target
        seen += 1
    return schema


def _variants(document: Mapping[str, Any], schema: Any) -> list[dict[str, Any]]:
    """A schema's alternatives (anyOf/oneOf), each resolved; a plain schema is one."""
    schema = _resolve(document, schema)
    if not isinstance(schema, dict):
        return []
    for keyword in ("anyOf", "oneOf"):
        if isinstance(schema.get(keyword), list):
            found: list[dict[str, Any]] = []
            for option in schema[keyword]:
                found.extend(_variants(document, option))
            return found
    return [schema]


def _types(document: Mapping[str, Any], schema: Any) -> set[str]:
    found: set[str] = set()
    for variant in _variants(document, schema):
        declared = variant.get("type")
        if isinstance(declared, str):
            found.add(declared)
        elif isinstance(declared, list):
            found.update(str(t) for t in declared)
        elif "properties" in variant:
            found.add("object")
        elif "const" in variant:
            found.add(type(variant["const"]).__name__)
        if "format" in variant:
            found.add(f"{declared}:{variant['format']}")
    return found


def _object_part(document: Mapping[str, Any], schema: Any) -> dict[str, Any] | None:
    """The one object alternative of a schema (``X | None`` has one), if there is one."""
    objects = [v for v in _variants(document, schema) if "properties" in v]
    return objects[0] if len(objects) == 1 else None


def _items_part(document: Mapping[str, Any], schema: Any) -> Any:
    arrays = [v for v in _variants(document, schema) if v.get("type") == "array"]
    return arrays[0].get("items") if len(arrays) == 1 else None


def _enum(document: Mapping[str, Any], schema: Any) -> set[str] | None:
    values: set[str] = set()
    constrained = False
    for variant in _variants(document, schema):
        if isinstance(variant.get("enum"), list):
            constrained = True
            values.update(json.dumps(v, sort_keys=True) for v in variant["enum"])
        elif "const" in variant:
            constrained = True
            values.add(json.dumps(variant["const"], sort_keys=True))
        elif variant.get("type") != "null":
            return None  # an unconstrained alternative: any value goes
    return values if constrained else None


def schema_changes(
    old_document: Mapping[str, Any],
    old: Any,
    new_document: Mapping[str, Any],
    new: Any,
    *,
    contract: str,
    where: str,
    depth: int = 0,
) -> list[Change]:
    """What changed between two JSON Schemas of the same data, breaking or not.

    Breaking for a reader or a writer of that data: a property removed, a type changed,
    a property newly required (a new required property too: old events in the log, which
    a rebuild replays, lack it), an enum value removed.
    """
    changes: list[Change] = []
    if depth > 16:
        return changes
    old_types, new_types = _types(old_document, old), _types(new_document, new)
    if old_types and new_types and old_types != new_types:
        changes.append(
            Change(
                contract,
                where,
                f"type changed from {sorted(old_types)} to {sorted(new_types)}",
                True,
            )
        )
        return changes
    old_enum, new_enum = _enum(old_document, old), _enum(new_document, new)
    if old_enum is not None and new_enum is not None:
        removed = sorted(old_enum - new_enum)
        added = sorted(new_enum - old_enum)
        if removed:
            changes.append(Change(contract, where, f"enum values removed: {removed}", True))
        if added:
            changes.append(Change(contract, where, f"enum values added: {added}", False))
    elif old_enum is None and new_enum is not None:
        changes.append(Change(contract, where, "values newly restricted to an enum", True))
    old_object, new_object = _object_part(old_document, old), _object_part(new_document, new)
    if old_object is not None and new_object is not None:
        old_properties = old_object.get("properties", {})
        new_properties = new_object.get("properties", {})
        old_required = set(old_object.get("required", []))
        new_required = set(new_object.get("required", []))
        for name in sorted(old_properties.keys() - new_properties.keys()):
            changes.append(Change(contract, f"{where}.{name}", "property removed", True))
        for name in sorted(new_properties.keys() - old_properties.keys()):
            required = name in new_required
            what = "required property added" if required else "optional property added"
            changes.append(Change(contract, f"{where}.{name}", what, required))
        for name in sorted(old_properties.keys() & new_properties.keys()):
            if name in new_required and name not in old_required:
                changes.append(Change(contract, f"{where}.{name}", "newly required", True))
            elif name in old_required and name not in new_required:
                changes.append(Change(contract, f"{where}.{name}", "no longer required", False))
            changes.extend(
                schema_changes(
                    old_document,
                    old_properties[name],
                    new_document,
                    new_properties[name],
                    contract=contract,
                    where=f"{where}.{name}",
                    depth=depth + 1,
                )
            )
    old_items, new_items = _items_part(old_document, old), _items_part(new_document, new)
    if old_items is not None and new_items is not None:
        changes.extend(
            schema_changes(
                old_document,
                old_items,
                new_document,
                new_items,
                contract=contract,
                where=f"{where}[]",
                depth=depth + 1,
            )
        )
    return changes


def _refs(entries: Any) -> set[str]:
    if isinstance(entries, dict):
        entries = list(entries.values())
    return {entry.get("$ref", "") for entry in entries or [] if isinstance(entry, dict)}


def asyncapi_changes(
    old: Mapping[str, Any], new: Mapping[str, Any], *, contract: str = ASYNCAPI_FILE
) -> list[Change]:
    """Event contract changes: event types, payloads, headers, channels, publishers."""
    changes: list[Change] = []
    old_messages = old.get("components", {}).get("messages", {})
    new_messages = new.get("components", {}).get("messages", {})
    for event_type in sorted(old_messages.keys() - new_messages.keys()):
        changes.append(Change(contract, event_type, "event type removed", True))
    for event_type in sorted(new_messages.keys() - old_messages.keys()):
        changes.append(Change(contract, event_type, "event type added", False))
    for event_type in sorted(old_messages.keys() & new_messages.keys()):
        for part in ("payload", "headers"):
            changes.extend(
                schema_changes(
                    old,
                    old_messages[event_type].get(part, {}),
                    new,
                    new_messages[event_type].get(part, {}),
                    contract=contract,
                    where=f"{event_type} {part}",
                )
            )
    old_channels, new_channels = old.get("channels", {}), new.get("channels", {})
    for channel in sorted(old_channels.keys() - new_channels.keys()):
        changes.append(Change(contract, f"channel {channel}", "topic removed", True))
    for channel in sorted(new_channels.keys() - old_channels.keys()):
        changes.append(Change(contract, f"channel {channel}", "topic added", False))
    for channel in sorted(old_channels.keys() & new_channels.keys()):
        if old_channels[channel].get("address") != new_channels[channel].get("address"):
            changes.append(Change(contract, f"channel {channel}", "address changed", True))
        old_on = set(old_channels[channel].get("messages", {}))
        new_on = set(new_channels[channel].get("messages", {}))
        for event_type in sorted(old_on - new_on):
            changes.append(
                Change(contract, f"channel {channel}", f"{event_type} no longer on it", True)
            )
    old_operations, new_operations = old.get("operations", {}), new.get("operations", {})
    for operation in sorted(old_operations.keys() | new_operations.keys()):
        before, after = old_operations.get(operation), new_operations.get(operation)
        # A publisher that stops sending starves its consumers; a consumer that stops
        # listening breaks no one else's contract.
        sending = (before or after or {}).get("action") == "send"
        if before is None:
            changes.append(Change(contract, f"operation {operation}", "added", False))
        elif after is None:
            changes.append(Change(contract, f"operation {operation}", "removed", sending))
        else:
            dropped = sorted(_refs(before.get("messages")) - _refs(after.get("messages")))
            if dropped:
                names = [ref.rsplit("/", 1)[-1] for ref in dropped]
                changes.append(
                    Change(contract, f"operation {operation}", f"no longer {names}", sending)
                )
    if not changes and old != new:
        changes.append(Change(contract, "document", "descriptions or other details", False))
    return changes


# --- oasdiff for the OpenAPI documents ----------------------------------------------------


def oasdiff_binary(root: Path = REPO_ROOT) -> Path:
    """oasdiff from its Go module, built into .tools/bin once (like helm for tests/deploy)."""
    binary = root / ".tools" / "bin" / "oasdiff"
    on_path = shutil.which("oasdiff")
    go = shutil.which("go")
    if go is None:
        for candidate in (binary, Path(on_path) if on_path else None):
            if candidate is not None and candidate.exists():
                return candidate
        raise RuntimeError(
            f"oasdiff {OASDIFF_VERSION} is needed to classify OpenAPI changes: install Go, or "
            f"put oasdiff {OASDIFF_VERSION} on PATH or at {binary}"
        )
    if binary.exists() and _built_version(go, binary) == OASDIFF_VERSION:
        return binary
    print(f"Building oasdiff {OASDIFF_VERSION} from its Go module (first time only) ...")
    binary.parent.mkdir(parents=True, exist_ok=True)
    environment = {**os.environ, "GOBIN": str(binary.parent), "CGO_ENABLED": "0"}
    environment.setdefault("GOTOOLCHAIN", "local")
    subprocess.run(
        [go, "install", f"{OASDIFF_MODULE}@{OASDIFF_VERSION}"], check=True, env=environment
    )
    return binary


def _built_version(go: str, binary: Path) -> str:
    """The module version a Go binary was built from (`oasdiff --version` says "main")."""
    result = subprocess.run(
        [go, "version", "-m", str(binary)], capture_output=True, text=True, check=False
    )
    for line in result.stdout.splitlines():
        fields = line.split()
        if len(fields) >= 3 and fields[0] == "mod" and fields[1] == OASDIFF_MODULE:
            return fields[2]
    return ""


def openapi_changes(
    old_text: str, new_text: str, *, contract: str, oasdiff: Path | None = None
) -> list[Change]:
    """OpenAPI changes, classified by oasdiff.

    Its ERR and WARN levels are breaking here: WARN holds changes such as an optional
    response property removed, which a partner's client may well read.
    """
    if old_text == new_text:
        return []
    binary = oasdiff or oasdiff_binary()
    with tempfile.TemporaryDirectory(prefix="baan-oasdiff-") as workdir:
        base, revision = Path(workdir) / "base.json", Path(workdir) / "revision.json"
        base.write_text(old_text, encoding="utf-8")
        revision.write_text(new_text, encoding="utf-8")
        levels = Path(workdir) / "severity-levels.txt"
        levels.write_text(
            "".join(f"{rule} {level}\n" for rule, level in OASDIFF_SEVERITY_OVERRIDES.items()),
            encoding="utf-8",
        )
        result = subprocess.run(
            [
                str(binary),
                "changelog",
                str(base),
                str(revision),
                "--format",
                "json",
                # Both documents are ours and self-contained: nothing to fetch.
                "--allow-external-refs=false",
                "--severity-levels",
                str(levels),
            ],
            capture_output=True,
            text=True,
            check=False,
        )
    if result.returncode != 0:
        raise RuntimeError(f"oasdiff failed on {contract}: {result.stderr.strip()}")
    found = json.loads(result.stdout or "[]") or []
    changes = [
        Change(
            contract,
            f"{entry.get('operation', '')} {entry.get('path', '')}".strip() or "document",
            f"{entry.get('text', entry.get('id', 'changed'))} ({entry.get('id', '')})",
            int(entry.get("level", 1)) >= 2,  # oasdiff: 1 INFO, 2 WARN, 3 ERR
        )
        for entry in found
    ]
    if not changes:
        changes.append(Change(contract, "document", "descriptions or other details", False))
    return changes


# --- the two commands --------------------------------------------------------------------


def contract_changes(
    committed: Mapping[str, str | None], generated: Mapping[str, str]
) -> list[Change]:
    """Every change from the committed contracts to the generated ones."""
    changes: list[Change] = []
    for path in sorted(committed.keys() | generated.keys()):
        old_text, new_text = committed.get(path), generated.get(path)
        if old_text == new_text:
            continue
        if new_text is None:
            changes.append(Change(path, "document", "no longer generated (removed)", True))
        elif old_text is None:
            changes.append(Change(path, "document", "new contract, not committed", False))
        elif path == ASYNCAPI_FILE:
            changes.extend(
                asyncapi_changes(load_contract(path, old_text), load_contract(path, new_text))
            )
        else:
            changes.extend(openapi_changes(old_text, new_text, contract=path))
    return changes


def committed_contracts(root: Path, paths: Sequence[str]) -> dict[str, str | None]:
    found: dict[str, str | None] = {}
    for path in paths:
        file = root / path
        found[path] = file.read_text(encoding="utf-8") if file.exists() else None
    for file in sorted((root / CONTRACTS_DIR / "openapi").glob("*.json")):
        relative = file.relative_to(root).as_posix()
        found.setdefault(relative, file.read_text(encoding="utf-8"))
    return found


def contracts_at(root: Path, ref: str, paths: Sequence[str]) -> dict[str, str | None]:
    """The contracts as committed at a git ref (a release tag, the main branch)."""
    found: dict[str, str | None] = {}
    for path in paths:
        shown = subprocess.run(
            ["git", "-C", str(root), "show", f"{ref}:{path}"],
            capture_output=True,
            text=True,
            check=False,
        )
        found[path] = shown.stdout if shown.returncode == 0 else None
    return found


def verdict(
    committed: Mapping[str, str | None],
    generated: Mapping[str, str],
    *,
    baseline: Mapping[str, str | None] | None = None,
    against: str = "the baseline",
) -> tuple[bool, list[str]]:
    """(passed, messages) for the generated contracts against the committed ones and,
    when given, against a ``baseline`` (the contracts at an earlier ref)."""
    changes = contract_changes(committed, generated)
    lines = [str(change) for change in changes]
    breaking = [change for change in changes if change.breaking]
    if baseline is not None:
        breaking_since = [c for c in contract_changes(baseline, generated) if c.breaking]
        lines.extend(f"since {against}: {change}" for change in breaking_since)
        breaking.extend(breaking_since)
    if breaking:
        lines.append(f"{len(breaking)} breaking change(s): {VERSIONING_HINT}")
        return False, lines
    if changes:
        lines.append(f"the contracts changed compatibly but are not committed: {REGENERATE_HINT}")
        return False, lines
    return True, ["contracts are up to date"]


def check(root: Path = REPO_ROOT, *, against: str | None = None) -> tuple[bool, list[str]]:
    """The committed contracts against what the code generates.

    With ``against`` (a git ref such as the last release tag), a breaking change since
    that ref fails as well, even when it was regenerated and committed with
    ``--allow-breaking``.
    """
    generated = generate_contracts()
    committed = committed_contracts(root, list(generated))
    if against is None:
        return verdict(committed, generated)
    baseline = contracts_at(root, against, list(generated))
    return verdict(committed, generated, baseline=baseline, against=against)


def generate(root: Path = REPO_ROOT, *, allow_breaking: bool = False) -> tuple[bool, list[str]]:
    """Write the contracts; refuse a breaking change unless it is deliberately allowed."""
    generated = generate_contracts()
    changes = contract_changes(committed_contracts(root, list(generated)), generated)
    breaking = [change for change in changes if change.breaking]
    lines = [str(change) for change in changes]
    if breaking and not allow_breaking:
        lines.append(
            f"not written: {len(breaking)} breaking change(s). {VERSIONING_HINT}. Only when "
            "every consumer has moved off the old version, retire it with --allow-breaking."
        )
        return False, lines
    for path, text in generated.items():
        file = root / path
        file.parent.mkdir(parents=True, exist_ok=True)
        file.write_text(text, encoding="utf-8")
    lines.append(f"wrote {len(generated)} contract files under {root / CONTRACTS_DIR}")
    return True, lines


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="baan-contracts", description=__doc__.splitlines()[0])
    parser.add_argument("--root", type=Path, default=REPO_ROOT, help="the repository root")
    commands = parser.add_subparsers(dest="command", required=True)
    write = commands.add_parser("generate", help="write contracts/ from the code")
    write.add_argument(
        "--allow-breaking",
        action="store_true",
        help="write even a breaking change (retiring an old version nobody uses any more)",
    )
    verify = commands.add_parser("check", help="fail if contracts/ differs from the code")
    verify.add_argument(
        "--against",
        metavar="GIT_REF",
        help="also fail on a breaking change since this ref (e.g. the last release tag)",
    )
    arguments = parser.parse_args(argv)
    if arguments.command == "generate":
        ok, lines = generate(arguments.root, allow_breaking=arguments.allow_breaking)
    else:
        ok, lines = check(arguments.root, against=arguments.against)
    print("\n".join(lines), file=sys.stdout if ok else sys.stderr)
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
