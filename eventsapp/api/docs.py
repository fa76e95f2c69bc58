"""The browsable reference of the API: a page of ours drawn from the generated OpenAPI document (no
third-party viewer: the site's CSP allows only its own scripts and styles)."""
from __future__ import annotations

from flask import Blueprint, render_template

from eventsapp.api.core import current_api
from eventsapp.api.tokens import SCOPE_LABELS, SCOPES
from eventsapp.webhooks.events import EMPLOYER_EVENT_TYPES, EVENT_TYPES

blueprint = Blueprint("api_docs", __name__)

METHODS = ("get", "post", "put", "patch", "delete")


def _resolve(spec: dict, node: dict | None) -> dict:
    while isinstance(node, dict) and "$ref" in node:
        name = node["$ref"].rsplit("/", 1)[-1]
        section = node["$ref"].split("/")[2]
        node = spec.get("components", {}).get(section, {}).get(name, {})
    return node or {}


def type_of(schema: dict) -> str:
    """A parameter's or field's type as the page shows it: its JSON type, or its allowed values."""
    if schema.get("enum"):
        return " | ".join(str(value) for value in schema["enum"])
    kind = schema.get("type", "")
    return " | ".join(kind) if isinstance(kind, list) else kind


def operations(spec: dict) -> list[dict]:
    """Each operation with what the page shows: method, path, summary, description, scopes, parameters,
    body fields and responses, grouped by tag."""
    found = []
    for path, item in spec.get("paths", {}).items():
        shared = [_resolve(spec, parameter) for parameter in item.get("parameters", [])]
        for method in METHODS:
            operation = item.get(method)
            if operation is None:
                continue
            parameters = shared + [_resolve(spec, parameter) for parameter in operation.get("parameters", [])]
            body = _resolve(spec, operation.get("requestBody"))
            body_schema = _resolve(spec, body.get("content", {}).get("application/json", {}).get("schema"))
            responses = []
            for status, response in operation.get("responses", {}).items():
                response = _resolve(spec, response)
                responses.append({"status": status, "description": response.get("description", "")})
            found.append({
                "method": method.upper(), "path": path, "tag": (operation.get("tags") or [""])[0],
                "summary": operation.get("summary", ""), "description": operation.get("description", ""),
                "id": f"{method}-{path}".replace("/", "-").replace("{", "").replace("}", ""),
                "parameters": [{"name": p.get("name"), "in": p.get("in"), "required": p.get("required", False),
                                "type": type_of(p.get("schema", {})),
                                "description": p.get("description", "")} for p in parameters],
                "body": [{"name": name, "type": type_of(field),
                          "required": name in body_schema.get("required", []),
                          "description": field.get("description", "")}
                         for name, field in body_schema.get("properties", {}).items()],
                "secured": bool(operation.get("security")),
                "responses": responses,
            })
    return found


@blueprint.get("/developers/api")
def reference():
    spec = current_api().spec.to_dict()
    return render_template("api/reference.html", spec=spec, operations=operations(spec),
                           tags=spec.get("tags", []), scopes=[(scope, SCOPE_LABELS[scope]) for scope in SCOPES],
                           webhook_types=[(name, label, name in EMPLOYER_EVENT_TYPES)
                                          for name, label in EVENT_TYPES.items()])
