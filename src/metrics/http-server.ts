// The exporter's HTTP side: GET /metrics renders what the store holds now, / points there,
// anything else is 404. Rendering never polls; it reads the state the scheduler keeps fresh.
import { createServer, type Server } from 'node:http';
import type { Exposition } from './openmetrics.ts';

export const OPENMETRICS_TYPE = 'application/openmetrics-text; version=1.0.0; charset=utf-8';
export const TEXT_TYPE = 'text/plain; version=0.0.4; charset=utf-8';

/**
 * OpenMetrics when the Accept header ranks it at least as high as plain text (Prometheus asks
 * for it first), else the 0.0.4 text format: what the official client libraries do, so curl
 * and scrapers that only know 0.0.4 (an info type or "# EOF" can fail their parser) get that.
 */
export function negotiate(accept: string | undefined): Exposition {
  let om = 0;
  let text = 0;
  for (const range of (accept ?? '').split(',')) {
    const [type = '', ...params] = range.split(';').map((p) => p.trim().toLowerCase());
    const qParam = params.find((p) => p.startsWith('q='));
    const q = qParam ? Number(qParam.slice(2)) : 1;
    if (!Number.isFinite(q)) continue;
    if (type === 'application/openmetrics-text') om = Math.max(om, q);
    else if (type === 'text/plain' || type === 'text/*' || type === '*/*') text = Math.max(text, q);
  }
  return om > 0 && om >= text ? 'openmetrics' : 'text';
}

export interface Listen {
  host: string;
  port: number;
}

/** "host:port", "[v6]:port" or ":port" (loopback); a string saying why when it is not one. */
export function parseListen(s: string): Listen | string {
  const m = /^(?:\[([0-9a-fA-F:.]+)\]|([^:[\]]*)):(\d{1,5})$/.exec(s.trim());
  if (!m) return `--listen must be HOST:PORT or [IPv6]:PORT (got "${s}")`;
  const port = Number(m[3]);
  if (port < 1 || port > 65535) return `--listen port must be 1-65535 (got ${port})`;
  return { host: m[1] ?? (m[2] || '127.0.0.1'), port };
}

/** Whether only this machine can connect (the exporter has no TLS and no authentication). */
export function isLoopback(host: string): boolean {
  const h = host.toLowerCase();
  return h === 'localhost' || h === '::1' || /^127\.\d+\.\d+\.\d+$/.test(h) || /^::ffff:127\./.test(h);
}

export function metricsServer(render: (format: Exposition) => string): Server {
  return createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { Allow: 'GET, HEAD' }).end();
      return;
    }
    if (path === '/metrics') {
      const format = negotiate(req.headers.accept);
      let body: string;
      try {
        body = render(format);
      } catch (e) {
        res.writeHead(500, { 'Content-Type': 'text/plain; charset=utf-8' }).end(`pgtop-ha: could not render metrics: ${(e as Error).message}\n`);
        return;
      }
      res.writeHead(200, { 'Content-Type': format === 'openmetrics' ? OPENMETRICS_TYPE : TEXT_TYPE, 'Content-Length': Buffer.byteLength(body), Vary: 'Accept' });
      res.end(req.method === 'HEAD' ? undefined : body);
      return;
    }
    if (path === '/') {
      res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8' }).end('<html><body><h1>pgtop-ha exporter</h1><p><a href="/metrics">/metrics</a></p></body></html>\n');
      return;
    }
    res.writeHead(404, { 'Content-Type': 'text/plain; charset=utf-8' }).end('not found: the metrics are at /metrics\n');
  });
}
