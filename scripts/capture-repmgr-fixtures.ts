// Captures what buildProbeQuery(v, { repmgr: true }) really returns from the HA lab (PostgreSQL 15
// + repmgr 5.3 + repmgrd, test/lab) into test/fixtures/pg/15-repmgr-{primary,standby}.json.
//
//   node --import tsx scripts/capture-repmgr-fixtures.ts [--out DIR]
//
// Lab dir: $PGTOP_HA_LAB_REPMGR_CAPTURE_DIR, default /tmp/pgtop-ha-lab-repmgr-capture (brought up
// with the repmgr layer only, and down again at the end unless KEEP=1). Needs root, like the lab.
// Runs as `pgtop_probe` (pg_monitor + USAGE on schema repmgr + SELECT on repmgr.nodes, events and
// monitoring_history) in database repmgr, with the probe options the connect query (CONNECT_QUERY)
// allows that role: every repmgr section.

import { writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import pg from 'pg';
import { parseConnectInfo, CONNECT_QUERY, buildProbeQuery, probeOptionsFor } from '../src/probes/pg/probe-query.ts';
import { parseProbeResults } from '../src/probes/pg/parse-probe.ts';
import { labDown, labUp, type LabNode } from '../test/lab/lab.ts';

const USER = 'pgtop_probe';
const dir = process.env.PGTOP_HA_LAB_REPMGR_CAPTURE_DIR ?? '/tmp/pgtop-ha-lab-repmgr-capture';
const outArg = process.argv.indexOf('--out');
const outDir = outArg > 0 ? resolve(process.argv[outArg + 1]!) : resolve(import.meta.dirname ?? '.', '../test/fixtures/pg');
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function connect(n: LabNode, user: string, database = 'repmgr'): Promise<pg.Client> {
  const c = new pg.Client({ host: '127.0.0.1', port: n.port, user, database });
  await c.connect();
  return c;
}

async function capture(n: LabNode): Promise<void> {
  const client = await connect(n, USER);
  try {
    const info = parseConnectInfo((await client.query(CONNECT_QUERY)).rows[0]);
    if (!info.repmgr || info.repmgr.denied.length) throw new Error(`${n.name}: repmgr not readable: ${JSON.stringify(info.repmgr)}`);
    const probeOptions = probeOptionsFor(info);
    if (!probeOptions.repmgrEvents || !probeOptions.repmgrMonitoring) throw new Error(`${n.name}: optional repmgr reads refused: ${JSON.stringify(info.repmgr)}`);
    const q = buildProbeQuery(info.serverVersionNum, probeOptions);
    const t0 = performance.now();
    const res = (await client.query(q.text)) as unknown as pg.QueryResult[];
    const roundTripMs = Math.round((performance.now() - t0) * 100) / 100;
    const results = res.map((r) => ({ fields: r.fields.map((f) => ({ name: f.name, dataTypeID: f.dataTypeID })), rows: r.rows }));
    const sample = parseProbeResults(results, q.sections, { takenAt: Date.now(), roundTripMs });
    const role = sample.role;
    const fixture = {
      captured: {
        at: new Date().toISOString(),
        scenario: 'ha-lab repmgr',
        node: n.name,
        user: USER,
        note: `test/lab (repmgr layer): PG15 x3, repmgr ${info.repmgr.extVersion} + repmgrd; ${role}`,
      },
      serverVersionNum: info.serverVersionNum,
      serverVersion: sample.serverVersion,
      role,
      roundTripMs,
      probeOptions,
      sections: q.sections,
      results,
    };
    const file = join(outDir, `15-repmgr-${role}.json`);
    writeFileSync(file, JSON.stringify(fixture, null, 2) + '\n');
    console.log(`wrote ${file}: ${JSON.stringify(sample.repmgr)}`);
  } finally {
    await client.end();
  }
}

const lab = await labUp({ dir, layers: ['repmgr'], log: (m) => console.log(m) });
try {
  const [primary, standby] = lab.nodes;
  const su = await connect(primary!, 'postgres');
  try {
    await su.query(`DO $$ BEGIN
      IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '${USER}') THEN CREATE ROLE ${USER} LOGIN IN ROLE pg_monitor; END IF;
    END $$`);
    await su.query(`GRANT USAGE ON SCHEMA repmgr TO ${USER};
      GRANT SELECT ON repmgr.nodes, repmgr.events, repmgr.monitoring_history TO ${USER}`);
  } finally {
    await su.end();
  }
  // Let the role and its grants replicate, repmgrd on the standby check its upstream at least once
  // and its first monitoring_history row (monitoring_history=yes in the lab) come back replicated.
  for (let i = 0; i < 100; i++) {
    const c = await connect(standby!, 'postgres', 'repmgr');
    const r = await c.query(`SELECT EXISTS (SELECT FROM pg_roles WHERE rolname = '${USER}')
        AND has_table_privilege('${USER}', 'repmgr.monitoring_history', 'SELECT') AS ok,
        repmgr.get_upstream_last_seen() AS seen,
        EXISTS (SELECT FROM repmgr.monitoring_history WHERE standby_node_id = repmgr.get_local_node_id()) AS monitored`);
    await c.end();
    if (r.rows[0].ok && r.rows[0].seen >= 0 && r.rows[0].monitored) break;
    await sleep(200);
  }
  await capture(primary!);
  await capture(standby!);
} finally {
  if (!process.env.KEEP) await labDown({ dir, log: (m) => console.log(m) });
}
