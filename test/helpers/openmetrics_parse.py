#!/usr/bin/python3
# Strict OpenMetrics check for the exporter tests: prometheus_client's OpenMetrics parser (Debian
# python3-prometheus-client) rejects what the spec forbids — a missing "# EOF", a sample name
# that does not fit its family's TYPE or UNIT, bad escapes, duplicate families. Reads the
# exposition on stdin, prints the parsed families as JSON, exits 1 with the parser's message.
import json
import sys

from prometheus_client.openmetrics.parser import text_string_to_metric_families

try:
    families = [
        {
            "name": f.name,
            "type": f.type,
            "unit": f.unit,
            "samples": [{"name": s.name, "labels": s.labels, "value": s.value} for s in f.samples],
        }
        for f in text_string_to_metric_families(sys.stdin.read())
    ]
except Exception as e:  # the parser raises ValueError and friends; any of them is a failure
    print(f"{type(e).__name__}: {e}", file=sys.stderr)
    sys.exit(1)
print(json.dumps(families))
