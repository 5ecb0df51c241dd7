// The demo write load in its own process, so its pg client's CPU is not billed to the dashboard.
// Started by bench/tick.ts with fork(); stops when told, on SIGINT/SIGTERM, or when the parent goes.
import { startWriteLoad } from '../../src/demo/write-load.ts';

const conninfo = process.argv[2];
if (!conninfo) {
  process.stderr.write('usage: write-load-child.ts <superuser conninfo>\n');
  process.exit(2);
}

const load = startWriteLoad(conninfo);
let stopping = false;
const stop = async () => {
  if (stopping) return;
  stopping = true;
  await load.stop().catch(() => undefined);
  process.exit(0);
};

process.on('message', (m) => {
  if (m === 'stop') void stop();
});
process.on('disconnect', () => void stop());
process.on('SIGINT', () => void stop());
process.on('SIGTERM', () => void stop());
process.send?.('started');
