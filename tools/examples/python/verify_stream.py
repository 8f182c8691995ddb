#!/usr/bin/env python3
"""Reads the whole microjobs event stream as an analytics team would, with no code of microjobs:
the Kafka client is confluent-kafka, the validator jsonschema.

For every partition, from offset 0 to its end: checks the hash chain (each record's prev_hash is the
SHA-256 of the previous record's value, seq counts from 1), the headers (mj_hash, ce_type, ce_id),
the key (the stream), and validates each event against the JSON Schema of its type served at
/v1/schemas. A repeat of a seq with the same bytes (a producer retry) is skipped, as the contract
says; the same seq with other bytes is a fork; a gap stops that partition.

    verify_stream.py --bootstrap HOST:PORT [--topic microjobs.events] [--schemas http://HOST:PORT/v1/schemas]

Prints one line per problem, then one JSON summary line; exits 0 when there is no problem.
"""
import argparse
import hashlib
import json
import sys
import urllib.request
import uuid

import jsonschema
from confluent_kafka import Consumer, KafkaError, TopicPartition

ZERO_HASH = "0" * 64


def load_schemas(url):
    with urllib.request.urlopen(url, timeout=30) as answer:
        catalogue = json.load(answer)
    base = url[: url.index("/v1/schemas")]
    validators = {}
    for entry in catalogue["types"]:
        with urllib.request.urlopen(base + entry["schema"], timeout=30) as answer:
            schema = json.load(answer)
        jsonschema.Draft202012Validator.check_schema(schema)
        validators[entry["type"]] = jsonschema.Draft202012Validator(
            schema, format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER)
    return validators


def read_partition(consumer, topic, partition):
    """Every record of one partition, in offset order, up to its end when asked (partition EOF;
    offsets of transaction markers never arrive as records, so counting offsets would not do)."""
    consumer.assign([TopicPartition(topic, partition, 0)])
    records = []
    while True:
        message = consumer.poll(10.0)
        if message is None:
            raise RuntimeError(f"partition {partition}: nothing within 10 s after {len(records)} records")
        if message.error():
            if message.error().code() == KafkaError._PARTITION_EOF:
                return records
            raise RuntimeError(f"partition {partition}: {message.error()}")
        records.append(message)


class Chain:
    """One partition's chain, as every reader of the contract applies it."""

    def __init__(self, partition, problems):
        self.partition, self.problems = partition, problems
        self.last_seq, self.last_hash, self.hashes, self.stopped = 0, ZERO_HASH, {}, False

    def problem(self, message, text):
        self.problems.append(f"partition {self.partition} offset {message.offset()}: {text}")

    def apply(self, message, envelope, digest):
        """True when the record continues the chain (a new event); False for a repeat or a problem."""
        seq = envelope.get("seq")
        if self.stopped:
            return False
        if isinstance(seq, int) and seq <= self.last_seq:
            if self.hashes.get(seq) != digest:
                self.problem(message, f"fork: seq {seq} again with other bytes")
            return False
        if seq != self.last_seq + 1:
            self.problem(message, f"gap: seq {seq} after {self.last_seq}; the partition stops here")
            self.stopped = True
            return False
        if envelope.get("prev_hash") != self.last_hash:
            self.problem(message, f"broken chain at seq {seq}: prev_hash is not the previous record's hash")
            self.stopped = True
            return False
        self.last_seq, self.last_hash, self.hashes[seq] = seq, digest, digest
        return True


def check_record(message, envelope, digest, validators, problems, chain):
    headers = {key: value.decode() for key, value in (message.headers() or [])}
    if headers.get("mj_hash") != digest:
        chain.problem(message, "header mj_hash is not the SHA-256 of the value")
    if headers.get("ce_type") != envelope.get("type") or headers.get("ce_id") != envelope.get("id"):
        chain.problem(message, "headers ce_type/ce_id do not match the envelope")
    if (message.key() or b"").decode() != envelope.get("stream"):
        chain.problem(message, "the record key is not the envelope's stream")
    if validators is not None:
        validator = validators.get(envelope.get("type"))
        if validator is None:
            chain.problem(message, f"no schema for type {envelope.get('type')}")
        else:
            for error in validator.iter_errors(envelope):
                chain.problem(message, f"schema {envelope['type']}: {error.message} at /{'/'.join(map(str, error.path))}")


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--bootstrap", required=True)
    parser.add_argument("--topic", default="microjobs.events")
    parser.add_argument("--schemas", help="http://host:port/v1/schemas of a microjobs server")
    args = parser.parse_args()
    validators = load_schemas(args.schemas) if args.schemas else None
    consumer = Consumer({"bootstrap.servers": args.bootstrap, "group.id": f"verify-{uuid.uuid4()}",
                         "enable.auto.commit": False, "isolation.level": "read_committed",
                         "enable.partition.eof": True, "fetch.wait.max.ms": 10})
    metadata = consumer.list_topics(args.topic, timeout=30)
    partitions = sorted(metadata.topics[args.topic].partitions)
    problems, events, types = [], 0, {}
    for partition in partitions:
        chain = Chain(partition, problems)
        for message in read_partition(consumer, args.topic, partition):
            value = message.value()
            digest = hashlib.sha256(value).hexdigest()
            envelope = json.loads(value)
            check_record(message, envelope, digest, validators, problems, chain)
            if chain.apply(message, envelope, digest):
                events += 1
                types[envelope["type"]] = types.get(envelope["type"], 0) + 1
    consumer.close()
    for line in problems:
        print(line)
    print(json.dumps({"ok": not problems, "partitions": len(partitions), "events": events,
                      "schemas_checked": validators is not None, "problems": len(problems),
                      "types": dict(sorted(types.items()))}, separators=(",", ":")))
    return 0 if not problems else 1


if __name__ == "__main__":
    sys.exit(main())
