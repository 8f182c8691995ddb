"""Parses a Prometheus text exposition with Prometheus's own Python client (prometheus-client,
from PyPI) and prints every sample it read, one per line, as name{labels} value with the labels
sorted and whole values without a fraction. Exits 1 when the text does not parse, or when a
family has no HELP or TYPE line."""
import sys

from prometheus_client.parser import text_string_to_metric_families


def main(path):
    with open(path, encoding="utf-8") as f:
        text = f.read()
    try:
        families = list(text_string_to_metric_families(text))
    except ValueError as error:
        print(f"does not parse: {error}")
        return 1
    for family in families:
        if not family.documentation or family.type == "unknown":
            print(f"{family.name}: no HELP or TYPE")
            return 1
        for sample in family.samples:
            labels = ",".join(f'{k}="{v}"' for k, v in sorted(sample.labels.items()))
            value = int(sample.value) if float(sample.value).is_integer() else sample.value
            print(f"{sample.name}{{{labels}}} {value}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
