// `npm run lab:down`: stop everything the lab started and remove its dir (PGTOP_HA_LAB_KEEP=1 keeps it).
import { labDown } from './lab.ts';

try {
  await labDown();
} catch (e) {
  console.error(e instanceof Error ? e.message : e);
  process.exit(1);
}
