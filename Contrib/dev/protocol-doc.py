#!/usr/bin/env python3
"""Rewrites the method and notification reference of Contrib/docs/protocol.md from
Contrib/openrpc.json (the part from "## Methods" to "## Event types"); the rest of the page is
written by hand. Usage: protocol-doc.py OPENRPC PROTOCOL_MD [--check]"""
import json
import sys


def type_of(schema):
    if schema is True or schema == {}:
        return "any"
    if "$ref" in schema:
        ref = schema["$ref"]
        return ref.rsplit("/", 1)[-1] if ref.startswith("#/components/") else "the OpenRPC document"
    if "enum" in schema:
        return " \\| ".join(json.dumps(value) for value in schema["enum"])
    if "anyOf" in schema:
        return " or ".join(type_of(part) for part in schema["anyOf"])
    kind = schema.get("type")
    if kind == "array":
        return "[" + type_of(schema.get("items", True)) + "]"
    if kind == "object" and "properties" in schema:
        required = set(schema.get("required", []))
        fields = [f"{name}{'' if name in required else '?'}: {type_of(value)}" for name, value in sorted(schema["properties"].items())]
        return "{" + ", ".join(fields) + "}"
    if kind == "object" and isinstance(schema.get("additionalProperties"), dict):
        return "{string: " + type_of(schema["additionalProperties"]) + "}"
    return kind or "any"


def methods_section(document):
    lines = ["## Methods", "", "A `?` marks an optional member. Named types are in `components.schemas` of the OpenRPC document.", ""]
    for method in document["methods"]:
        lines += [f"### `{method['name']}`", "", method["summary"], ""]
        if method["params"]:
            lines += ["| param | type | |", "|---|---|---|"]
            for param in method["params"]:
                mark = "" if param.get("required") else "?"
                lines.append(f"| `{param['name']}`{mark} | {type_of(param['schema'])} | {param.get('summary', '')} |")
        else:
            lines.append("No params.")
        lines += ["", "Result: " + type_of(method["result"]["schema"]), ""]
        if method.get("errors"):
            lines += ["Errors: " + ", ".join(f"{error['code']} ({error['message']})" for error in method["errors"]), ""]
    lines += ["## Notifications (daemon → client)", ""]
    for notification in document.get("x-notifications", []):
        lines += [f"### `{notification['name']}`", "", notification["summary"], "", "Params: " + type_of(notification["params"]), ""]
    return "\n".join(lines)


def main():
    openrpc, page = sys.argv[1], sys.argv[2]
    document = json.load(open(openrpc))
    text = open(page).read()
    start, end = text.index("## Methods\n"), text.index("## Event types\n")
    updated = text[:start] + methods_section(document) + "\n" + text[end:]
    if "--check" in sys.argv:
        if updated != text:
            sys.exit(f"{page} is not up to date with {openrpc}: run Contrib/dev/generate-docs")
        return
    open(page, "w").write(updated)


main()
