"""Validate rendered manifests offline; run with the deploy tools' Python.

    .tools/deploy-venv/bin/python tests/deploy/validate_manifests.py rendered.yaml

Built-in kinds are checked strictly (unknown fields rejected) against the Kubernetes
JSON schemas bundled in the kubernetes-validate package. Custom resources are checked
against the openAPIV3Schema of the CRDs kept in deploy/schemas/, with unknown fields
rejected (as the API server's strict field validation does) unless the CRD preserves
them. Prints a JSON report: {"checked": [...], "errors": [...]}.
"""

import json
import sys
from pathlib import Path

import jsonschema
import kubernetes_validate
import yaml

KUBERNETES_VERSION = "1.33.0"
SCHEMAS = Path(__file__).resolve().parents[2] / "deploy" / "schemas"


def strict(schema: object) -> object:
    """Close every object schema that lists its properties and preserves nothing else."""
    if isinstance(schema, dict):
        out = {k: strict(v) for k, v in schema.items()}
        if (
            "properties" in out
            and "additionalProperties" not in out
            and not out.get("x-kubernetes-preserve-unknown-fields")
        ):
            out["additionalProperties"] = False
        return out
    if isinstance(schema, list):
        return [strict(v) for v in schema]
    return schema


def crd_schemas() -> dict[tuple[str, str], dict]:
    schemas: dict[tuple[str, str], dict] = {}
    for path in sorted(SCHEMAS.rglob("*.yaml")):
        for crd in yaml.safe_load_all(path.read_text()):
            if not crd or crd.get("kind") != "CustomResourceDefinition":
                continue
            group = crd["spec"]["group"]
            kind = crd["spec"]["names"]["kind"]
            for version in crd["spec"]["versions"]:
                schema = strict(version["schema"]["openAPIV3Schema"])
                # metadata is checked by the API server, not by the CRD.
                schema.setdefault("properties", {})["metadata"] = {"type": "object"}
                schemas[(f"{group}/{version['name']}", kind)] = schema
    return schemas


def main(path: str) -> int:
    crds = crd_schemas()
    report: dict[str, list] = {"checked": [], "errors": []}
    for doc in yaml.safe_load_all(Path(path).read_text()):
        if not doc:
            continue
        api, kind = doc.get("apiVersion", ""), doc.get("kind", "")
        name = f"{kind}/{doc.get('metadata', {}).get('name')} ({api})"
        if (api, kind) in crds:
            validator = jsonschema.Draft7Validator(crds[(api, kind)])
            errors = [
                f"{name}: {'/'.join(map(str, e.absolute_path))}: {e.message}"
                for e in validator.iter_errors(doc)
            ]
            report["checked"].append({"object": name, "against": "crd"})
        elif "/" in api and "." in api.split("/")[0] and not api.split("/")[0].endswith(".k8s.io"):
            errors = [f"{name}: no CRD schema for {api} {kind} in deploy/schemas"]
        else:
            try:
                kubernetes_validate.validate(doc, KUBERNETES_VERSION, strict=True)
                errors = []
            except kubernetes_validate.ValidationError as exc:
                errors = [f"{name}: {'/'.join(map(str, exc.path))}: {exc.message}"]
            except Exception as exc:  # unknown kind/version: a failure, never a skip
                errors = [f"{name}: {type(exc).__name__}: {exc}"]
            report["checked"].append({"object": name, "against": "kubernetes"})
        report["errors"].extend(errors)
    print(json.dumps(report, indent=1))
    return 1 if report["errors"] else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
