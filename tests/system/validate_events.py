#!/usr/bin/env python3
"""validate_events.py SCHEMA_DIR FILE...: validates each event envelope FILE (JSON) against
SCHEMA_DIR/<its type>.json with jsonschema's 2020-12 validator, formats checked. Prints
"FILE: problem" for each problem; exits 1 if there is any."""
import json
import pathlib
import sys

import jsonschema


def main():
    schema_dir, files = pathlib.Path(sys.argv[1]), sys.argv[2:]
    problems = 0
    for name in files:
        envelope = json.loads(pathlib.Path(name).read_text())
        schema_file = schema_dir / f"{envelope.get('type')}.json"
        if not schema_file.exists():
            print(f"{name}: no schema for type {envelope.get('type')}")
            problems += 1
            continue
        schema = json.loads(schema_file.read_text())
        jsonschema.Draft202012Validator.check_schema(schema)
        validator = jsonschema.Draft202012Validator(schema, format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER)
        for error in validator.iter_errors(envelope):
            print(f"{name}: {error.message} at /{'/'.join(map(str, error.path))}")
            problems += 1
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
