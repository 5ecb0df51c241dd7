// The exporter's HTTP side: GET /metrics renders what the store holds now, / points there,
// anything else is 404. Rendering never polls; it reads the state the scheduler keeps fresh.
import { createServer, type Server } from 'node:http';

export const OPENMETRICS_TYPE = 'application/openmetrics-text; version=1.0.0; charset=utf-8';

export interface Listen {
  host: string;
  port: number;
}

/** "host:port", "[v6]:port" or ":port" (loopback); null with a reason when it is not one. */
export function parseListen(s: string): Listen | string {
  const m = /^(?:\[([0-9a-fA-F:.]+)\]|([^:[\]]*)):(\d{1,5})$/.exec(s.trim());
  if (!m) return `--listen must be HOST:PORT or [IPv6]:PORT (got "${s}")`;
  const port = Number(m[3]);
  if (port < 1 || port > 65535) return `--listen port must be 1-65535 (got ${port})`;
  return { host: m[1] ?? (m[2] || '127.0.0.1'), port };
}

export function metricsServer(render: () => string): Server {
  return createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { Allow: 'GET, HEAD' }).end();
      return;
    }
    if (path === '/metrics') {
      let body: string;
      try {
        body = render();
      } catch (e) {
        res.writeHead(500, { 'Content-Type': 'text/plain; charset=utf-8' }).end(`pgtop-ha: could not render metrics: ${(e as Error).message}\n`);
        return;
      }
      res.writeHead(200, { 'Content-Type': OPENMETRICS_TYPE, 'Content-Length': Buffer.byteLength(body) });
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
