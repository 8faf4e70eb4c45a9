#!/usr/bin/python3
"""Validates sbx.rpc/1 messages (one JSON object per line on stdin) against the protocol schema
in the source tree, with the verdict schema it refers to. Prints one line per invalid message
and exits 1 if there was any. Usage: validate_rpc.py SOURCE_DIR < messages"""
import json
import sys

import jsonschema

source = sys.argv[1]
protocol = json.load(open(f"{source}/src/rpc/schema/protocol.schema.json"))
verdict = json.load(open(f"{source}/src/supervisor/verdict.schema.json"))
jsonschema.Draft202012Validator.check_schema(protocol)

try:  # jsonschema >= 4.18
    from referencing import Registry, Resource

    registry = Registry().with_resource(verdict["$id"], Resource.from_contents(verdict))
    validator = jsonschema.Draft202012Validator(protocol, registry=registry)
except ImportError:  # Debian 12's 4.10
    resolver = jsonschema.RefResolver.from_schema(protocol, store={verdict["$id"]: verdict})
    validator = jsonschema.Draft202012Validator(protocol, resolver=resolver)

bad = 0
count = 0
for number, line in enumerate(sys.stdin, 1):
    if not line.strip():
        continue
    count += 1
    errors = sorted(validator.iter_errors(json.loads(line)), key=lambda e: e.path)
    if errors:
        bad += 1
        best = jsonschema.exceptions.best_match(errors)
        print(f"message {number}: {best.message} at {list(best.absolute_path)}: {line.strip()[:200]}")
if count == 0:
    print("no messages to validate")
    bad = 1
sys.exit(1 if bad else 0)
