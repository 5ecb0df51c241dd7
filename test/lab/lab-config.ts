// The console's own config for the lab: what a new user points `pgtop-ha -c` at after
// `npm run lab:up`. Every layer the lab runs is in it — PostgreSQL nodes (with SSH to their
// host for repmgr's CLI), both pgpools with PCP for the watchdog, and the VIP.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { stringify } from 'yaml';
import type { LabInfo } from './lab.ts';

export function labConfigDocument(lab: LabInfo): Record<string, unknown> {
  const ssh = lab.sshd && { host: lab.sshd.host, port: lab.sshd.port, user: 'postgres', identity_file: lab.sshd.clientKey, known_hosts: lab.sshd.knownHosts };
  const pools = [lab.pgpool, lab.pgpoolPeer].filter((p) => p !== undefined);
  return {
    clusters: {
      lab: {
        interval: 1,
        nodes: lab.nodes.map((n) => ({ name: n.name, conninfo: n.conninfo, ...(ssh ? { ssh, repmgr_config: n.repmgrConf } : {}) })),
        ...(pools.length > 0
          ? {
              pgpool: pools.map((p, i) => ({
                name: `pgpool${i + 1}`,
                conninfo: `host=127.0.0.1 port=${p.port} user=repmgr dbname=repmgr connect_timeout=2`,
                pcp: { port: p.pcpPort, user: p.pcpUser },
              })),
            }
          : {}),
        ...(lab.vip ? { vip: { address: lab.vip.address, hosts: lab.vip.hosts } } : {}),
        // barman runs on the same host; its sshd login is the barman OS user.
        ...(lab.barman && ssh ? { barman: { server: lab.barman.server, ssh: { ...ssh, user: 'barman' }, config_file: lab.barman.configFile } } : {}),
      },
    },
  };
}

/** Writes <lab>/pgtop-ha.yaml and returns its path. */
export function writeLabConfig(lab: LabInfo): string {
  const file = join(lab.dir, 'pgtop-ha.yaml');
  writeFileSync(file, `# Written by \`npm run lab:up\`: the console's config for this lab.\n# PCP passwords: PCPPASSFILE=${lab.pgpool?.pcpPassFile ?? '(no pgpool)'}\n${stringify(labConfigDocument(lab), { aliasDuplicateObjects: false })}`);
  return file;
}
