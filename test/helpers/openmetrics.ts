// Runs test/helpers/openmetrics_parse.py (the strict reference parser) on an exposition.
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export interface ParsedFamily {
  name: string;
  type: string;
  unit: string;
  samples: Array<{ name: string; labels: Record<string, string>; value: number }>;
}

const SCRIPT = fileURLToPath(new URL('./openmetrics_parse.py', import.meta.url));

// Debian's python3 on purpose: it has python3-prometheus-client. A missing interpreter or module
// is an error, never a skip.
function run(args: string[], text: string, what: string): ParsedFamily[] {
  const r = spawnSync('/usr/bin/python3', [SCRIPT, ...args], { input: text, encoding: 'utf8' });
  if (r.error) throw new Error(`cannot run /usr/bin/python3 (apt-get install python3-prometheus-client): ${r.error.message}`);
  if (r.status !== 0) throw new Error(`not valid ${what}: ${r.stderr.trim()}`);
  return JSON.parse(r.stdout) as ParsedFamily[];
}

/** Parsed families, or throws with the strict OpenMetrics parser's complaint. */
export function parseOpenMetrics(text: string): ParsedFamily[] {
  return run([], text, 'OpenMetrics');
}

/**
 * The Prometheus 0.0.4 text parser's families. That parser takes almost anything, turning a
 * sample that fits no TYPE line into an untyped family of its own, so an untyped or unknown
 * type is thrown here.
 */
export function parsePrometheusText(text: string): ParsedFamily[] {
  const fams = run(['text'], text, 'Prometheus text 0.0.4');
  const odd = fams.filter((f) => f.type !== 'gauge' && f.type !== 'counter');
  if (odd.length) throw new Error(`not valid Prometheus text 0.0.4: ${odd.map((f) => `${f.name} is ${f.type}`).join(', ')}`);
  return fams;
}
