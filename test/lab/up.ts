// `npm run lab:up`: bring the HA lab up (idempotent). Env: PGTOP_HA_LAB_DIR, PGTOP_HA_LAB_BASE_PORT,
// PGTOP_HA_LAB_LAYERS (comma list of repmgr,pgpool,barman), PGTOP_HA_LAB_FRESH=1.
import { labUp, LabStepError, type LabLayer } from './lab.ts';

const layers = process.env.PGTOP_HA_LAB_LAYERS ? (process.env.PGTOP_HA_LAB_LAYERS.split(',').map((s) => s.trim()) as LabLayer[]) : undefined;
try {
  const lab = await labUp({ layers, fresh: process.env.PGTOP_HA_LAB_FRESH === '1' });
  const lines = lab.nodes.map((n) => `  ${n.name}  ${n.initialRole.padEnd(7)}  127.0.0.1:${n.port}  ${n.dataDir}`);
  if (lab.pgpool) lines.push(`  pgpool   127.0.0.1:${lab.pgpool.port}  PCP :${lab.pgpool.pcpPort} (PCPPASSFILE=${lab.pgpool.pcpPassFile})`);
  if (lab.barman) lines.push(`  barman   barman -c ${lab.barman.configFile} (as OS user barman)`);
  console.log(`lab up: ${lab.dir}/lab.json\n${lines.join('\n')}`);
} catch (e) {
  console.error(e instanceof LabStepError ? e.message : e);
  console.error("(whatever did start is still running: `npm run lab:down` stops it)");
  process.exit(1);
}
