#!/usr/bin/python3
# Reference parsers for the exporter tests (Debian python3-prometheus-client). Default: the
# OpenMetrics parser, strict about what the spec forbids — a missing "# EOF", a sample name that
# does not fit its family's TYPE or UNIT, bad escapes, duplicate families. With argument "text":
# the Prometheus 0.0.4 text parser (lenient; the caller checks that every family came out typed).
# Reads the exposition on stdin, prints the parsed families as JSON, exits 1 with the parser's
# message.
import json
import sys

from prometheus_client.openmetrics.parser import text_string_to_metric_families as openmetrics
from prometheus_client.parser import text_string_to_metric_families as text

parse = text if sys.argv[1:] == ["text"] else openmetrics
try:
    families = [
        {
            "name": f.name,
            "type": f.type,
            "unit": getattr(f, "unit", ""),
            "samples": [{"name": s.name, "labels": s.labels, "value": s.value} for s in f.samples],
        }
        for f in parse(sys.stdin.read())
    ]
except Exception as e:  # the parser raises ValueError and friends; any of them is a failure
    print(f"{type(e).__name__}: {e}", file=sys.stderr)
    sys.exit(1)
print(json.dumps(families))
