import { createServer, type Server } from 'node:net';

/**
 * Ask the kernel for `count` distinct free TCP ports on 127.0.0.1.
 *
 * All listeners stay open until every port is known, so the kernel cannot hand the same
 * port out twice. There is an unavoidable window between closing them and PostgreSQL
 * binding; on a busy CI host a clash shows up as a clear "could not bind" in the node's log.
 */
export async function freePorts(count: number): Promise<number[]> {
  const servers: Server[] = [];
  try {
    const ports: number[] = [];
    for (let i = 0; i < count; i++) {
      const server = createServer();
      servers.push(server);
      ports.push(await listenOnEphemeralPort(server));
    }
    return ports;
  } finally {
    await Promise.all(servers.map((s) => new Promise<void>((resolve) => s.close(() => resolve()))));
  }
}

function listenOnEphemeralPort(server: Server): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen({ host: '127.0.0.1', port: 0, exclusive: true }, () => {
      const address = server.address();
      if (address && typeof address === 'object') resolve(address.port);
      else reject(new Error('could not determine the port of an ephemeral listener'));
    });
  });
}
