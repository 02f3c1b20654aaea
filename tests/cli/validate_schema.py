#!/usr/bin/env python3
"""Validates pipeline files against the JSON Schema that `pipe schema` writes, as a YAML
editor would (Draft-07, jsonschema's Draft7Validator), and prints every error.

    validate_schema.py SCHEMA.json FILE.yaml...

Prints 'FILE: ok' or one 'FILE: PATH: MESSAGE' line per error (for an error under anyOf,
the alternatives' own errors follow, indented). Exits 0 when every file is valid, 1 when
some file is not, 2 when the schema itself is not valid draft-07.
"""
import json
import sys

import jsonschema
import yaml


def as_json(value):
    """The YAML document as an editor's JSON: mapping keys are text ({0: 150} -> {"0": 150})."""
    if isinstance(value, dict):
        return {str(k): as_json(v) for k, v in value.items()}
    if isinstance(value, list):
        return [as_json(v) for v in value]
    return value


def where(error):
    return "/".join(str(p) for p in error.absolute_path) or "(top)"


def report(name, error, indent=""):
    print(f"{indent}{name}: {where(error)}: {error.message}")
    for sub in sorted(error.context or [], key=lambda e: list(map(str, e.absolute_path))):
        report(name, sub, indent + "    ")


def main(argv):
    if len(argv) < 3:
        print(__doc__.strip(), file=sys.stderr)
        return 2
    with open(argv[1], encoding="utf-8") as f:
        schema = json.load(f)
    try:
        jsonschema.Draft7Validator.check_schema(schema)
    except jsonschema.SchemaError as e:
        print(f"{argv[1]}: not a valid draft-07 schema: {e.message}")
        return 2
    validator = jsonschema.Draft7Validator(schema)
    failed = False
    for name in argv[2:]:
        with open(name, encoding="utf-8") as f:
            document = as_json(yaml.safe_load(f))
        errors = sorted(validator.iter_errors(document), key=lambda e: list(map(str, e.absolute_path)))
        for e in errors:
            report(name, e)
        if not errors:
            print(f"{name}: ok")
        failed = failed or bool(errors)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
