// `npm run lab:up`: bring the HA lab up (idempotent). Env: PGTOP_HA_LAB_DIR, PGTOP_HA_LAB_BASE_PORT,
// PGTOP_HA_LAB_LAYERS (comma list of repmgr,pgpool,barman), PGTOP_HA_LAB_FRESH=1.
import { writeLabConfig } from './lab-config.ts';
import { labUp, LabStepError, type LabLayer } from './lab.ts';

const layers = process.env.PGTOP_HA_LAB_LAYERS ? (process.env.PGTOP_HA_LAB_LAYERS.split(',').map((s) => s.trim()) as LabLayer[]) : undefined;
try {
  const lab = await labUp({ layers, fresh: process.env.PGTOP_HA_LAB_FRESH === '1' });
  const lines = lab.nodes.map((n) => `  ${n.name}  ${n.initialRole.padEnd(7)}  127.0.0.1:${n.port}  ${n.dataDir}`);
  for (const p of [lab.pgpool, lab.pgpoolPeer]) if (p) lines.push(`  pgpool   127.0.0.1:${p.port}  PCP :${p.pcpPort}  watchdog :${p.wdPort} (PCPPASSFILE=${p.pcpPassFile})`);
  if (lab.sshd) lines.push(`  sshd     127.0.0.1:${lab.sshd.port}  key ${lab.sshd.clientKey}  known_hosts ${lab.sshd.knownHosts}`);
  if (lab.vip) lines.push(`  VIP      ${lab.vip.address} on ${lab.vip.iface} (label ${lab.vip.label})`);
  if (lab.barman) lines.push(`  barman   barman -c ${lab.barman.configFile} (as OS user barman)`);
  const config = writeLabConfig(lab);
  console.log(`lab up: ${lab.dir}/lab.json\n${lines.join('\n')}`);
  console.log(`\nconsole on the lab:\n  ${lab.pgpool ? `PCPPASSFILE=${lab.pgpool.pcpPassFile} ` : ''}npx pgtop-ha -c ${config}`);
} catch (e) {
  console.error(e instanceof LabStepError ? e.message : e);
  console.error("(whatever did start is still running: `npm run lab:down` stops it)");
  process.exit(1);
}
