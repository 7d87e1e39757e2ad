"""GitHub's OpenAPI description as routes and validators.

The local server answers only what GitHub's own description says: every request is
matched to an operation by method and path template, its query and JSON body are
validated against the operation's parameters and ``requestBody``, and every JSON answer
against the response schema for its status. OpenAPI 3.0 is not JSON Schema: ``nullable``
is rewritten as ``anyOf [schema, null]`` once at load time, and ``$ref``s are resolved by
a ``referencing`` registry holding the whole converted document.
"""

from __future__ import annotations

import copy
import functools
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import jsonschema
import referencing
from referencing.jsonschema import DRAFT202012

__all__ = ["SPEC_PATH", "Operation", "Route", "Spec", "load_spec"]

SPEC_PATH = Path(__file__).resolve().parents[1] / "data" / "github-api" / "openapi-subset.json"
_URI = "urn:noxci:github-openapi"
_METHODS = ("get", "post", "put", "patch", "delete")
_DATE_TIME = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})")


@dataclass(frozen=True, kw_only=True)
class Operation:
    """One operation of the description: ``GET /repos/{owner}/{repo}`` and its JSON pointer."""

    operation_id: str
    method: str
    template: str
    pointer: str


@dataclass(frozen=True, kw_only=True)
class Route:
    """A request matched to an operation, with its path parameters."""

    operation: Operation
    params: Mapping[str, str]


def _convert(node: Any) -> Any:
    """Rewrite OpenAPI 3.0 ``nullable: true`` as JSON Schema, everywhere in ``node``."""
    if isinstance(node, list):
        return [_convert(item) for item in node]
    if not isinstance(node, dict):
        return node
    converted = {key: _convert(value) for key, value in node.items() if key != "nullable"}
    if node.get("nullable") is True:
        return {"anyOf": [converted, {"type": "null"}]}
    return converted


def _escape(token: str) -> str:
    return token.replace("~", "~0").replace("/", "~1")


def _template_regex(template: str) -> re.Pattern[str]:
    parts = []
    for segment in template.strip("/").split("/"):
        name = segment[1:-1] if segment.startswith("{") else None
        if name is None:
            parts.append(re.escape(segment))
        else:  # compare's ``base...head`` may hold branch names with slashes
            parts.append(f"(?P<{name}>{'.+' if name == 'basehead' else '[^/]+'})")
    return re.compile("/" + "/".join(parts))


def _is_date_time(instance: object) -> bool:
    return not isinstance(instance, str) or _DATE_TIME.fullmatch(instance) is not None


class Spec:
    """The converted description: route lookup, validation, and minimal instances."""

    def __init__(self, document: dict[str, Any]) -> None:
        self.document: dict[str, Any] = _convert(document)
        resource = referencing.Resource.from_contents(self.document, DRAFT202012)
        self._registry: referencing.Registry[Any] = referencing.Registry().with_resource(
            _URI, resource
        )
        self._formats = jsonschema.FormatChecker(formats=())
        self._formats.checks("date-time")(_is_date_time)
        self._routes: list[tuple[re.Pattern[str], Operation]] = []
        for template, item in self.document["paths"].items():
            for method in _METHODS:
                if method in item:
                    self._routes.append(
                        (_template_regex(template), self._operation(template, method))
                    )
        self._routes.sort(key=lambda route: route[1].template.count("{"))
        self._validators: dict[str, jsonschema.protocols.Validator] = {}
        self._skeletons: dict[str, Any] = {}

    def _operation(self, template: str, method: str) -> Operation:
        pointer = f"/paths/{_escape(template)}/{method}"
        op_id = self.document["paths"][template][method]["operationId"]
        return Operation(
            operation_id=op_id, method=method.upper(), template=template, pointer=pointer
        )

    def operations(self) -> list[Operation]:
        """Every operation of the description."""
        return [operation for _, operation in self._routes]

    def match(self, method: str, path: str) -> Route | None:
        """The operation serving ``method path``, or None when the description has none."""
        for regex, operation in self._routes:
            found = regex.fullmatch(path)
            if found is not None and operation.method == method:
                return Route(operation=operation, params=found.groupdict())
        return None

    def resolve(self, pointer: str) -> Any:
        """The node at a JSON pointer, following a ``$ref`` found there."""
        node: Any = self.document
        for token in pointer.strip("/").split("/"):
            key = token.replace("~1", "/").replace("~0", "~")
            node = node[int(key)] if isinstance(node, list) else node[key]
        if isinstance(node, dict) and "$ref" in node:
            return self.resolve(node["$ref"].removeprefix("#"))
        return node

    def errors(self, pointer: str, instance: Any) -> list[str]:
        """Messages of every way ``instance`` fails the schema at ``pointer`` (empty: valid)."""
        validator = self._validators.get(pointer)
        if validator is None:
            validator = self._validators[pointer] = self.validator_for(pointer)
        found = sorted(validator.iter_errors(instance), key=lambda error: list(error.path))
        return [f"{'/'.join(map(str, error.path)) or '<root>'}: {error.message}" for error in found]

    def validator_for(self, pointer: str) -> jsonschema.protocols.Validator:
        """A validator of the schema at ``pointer`` (a pointer into the converted document)."""
        schema = {"$ref": f"{_URI}#{pointer}"}
        return jsonschema.Draft202012Validator(
            schema, registry=self._registry, format_checker=self._formats
        )

    def request_schema(self, operation: Operation) -> tuple[str, bool] | None:
        """Pointer to the JSON request body schema and whether a body is required."""
        body = self.resolve(operation.pointer).get("requestBody")
        if body is None:
            return None
        pointer = f"{operation.pointer}/requestBody/content/application~1json/schema"
        return pointer, bool(body.get("required", False))

    def documents(self, operation: Operation, status: int) -> bool:
        """Whether the description lists ``status`` among the operation's answers."""
        return str(status) in self.resolve(operation.pointer)["responses"]

    def response_schema(self, operation: Operation, status: int) -> str | None:
        """Pointer to the JSON schema of the answer with ``status``, None when it has none."""
        responses = self.resolve(operation.pointer)["responses"]
        if str(status) in responses:
            response = self.resolve(f"{operation.pointer}/responses/{status}")
            ref = responses[str(status)].get("$ref", f"#{operation.pointer}/responses/{status}")
            if "application/json" in response.get("content", {}):
                return f"{ref.removeprefix('#')}/content/application~1json/schema"
            return None
        if status == 422:
            return "/components/schemas/validation-error"
        return "/components/schemas/basic-error" if status >= 400 else None

    def query_parameters(self, operation: Operation) -> dict[str, tuple[str, str]]:
        """The query parameters of an operation: name to (schema pointer, JSON type)."""
        found: dict[str, tuple[str, str]] = {}
        for index, raw in enumerate(self.resolve(operation.pointer).get("parameters", [])):
            pointer = raw.get("$ref", f"#{operation.pointer}/parameters/{index}").removeprefix("#")
            parameter = self.resolve(pointer)
            if parameter["in"] == "query":
                kind = parameter["schema"].get("type", "string")
                found[parameter["name"]] = (f"{pointer}/schema", kind)
        return found

    def skeleton(self, pointer: str) -> Any:
        """A minimal instance of the schema at ``pointer``: required fields, plainest values."""
        cached = self._skeletons.get(pointer)
        if cached is None:
            cached = self._skeletons[pointer] = _skeleton(self, self.resolve(pointer))
        return copy.deepcopy(cached)


_PLAIN: dict[str, Any] = {"string": "", "integer": 0, "number": 0, "boolean": False, "array": []}


def _skeleton(spec: Spec, schema: dict[str, Any]) -> Any:
    if "$ref" in schema:
        schema = spec.resolve(schema["$ref"].removeprefix("#"))
    alternatives = schema.get("anyOf") or schema.get("oneOf")
    kind = schema.get("type", "object")
    if alternatives is not None:
        nullable = any(choice.get("type") == "null" for choice in alternatives)
        found = None if nullable else _skeleton(spec, alternatives[0])
    elif "allOf" in schema:
        found = {}
        for part in schema["allOf"]:
            found.update(_skeleton(spec, part))
    elif "enum" in schema:
        found = schema["enum"][0]
    elif kind == "object":
        properties = schema.get("properties", {})
        required = schema.get("required", [])
        found = {name: _skeleton(spec, properties.get(name, {})) for name in required}
    elif kind == "string" and schema.get("format") == "date-time":
        found = "1970-01-01T00:00:00Z"
    else:
        found = _PLAIN[kind]
    return found


@functools.cache
def load_spec(path: Path = SPEC_PATH) -> Spec:
    """The description at ``path``, loaded and converted once per process."""
    return Spec(json.loads(path.read_text(encoding="utf-8")))
