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

/** Parsed families, or throws with the parser's complaint. Debian's python3 on purpose: it has python3-prometheus-client. */
export function parseOpenMetrics(text: string): ParsedFamily[] {
  const r = spawnSync('/usr/bin/python3', [SCRIPT], { input: text, encoding: 'utf8' });
  if (r.error) throw new Error(`cannot run /usr/bin/python3 (apt-get install python3-prometheus-client): ${r.error.message}`);
  if (r.status !== 0) throw new Error(`not valid OpenMetrics: ${r.stderr.trim()}`);
  return JSON.parse(r.stdout) as ParsedFamily[];
}
