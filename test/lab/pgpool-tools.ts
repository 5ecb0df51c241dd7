// pgpool-II's own tools against the lab, shared by the tests that change pgpool's view on purpose.
import { appendFileSync, readFileSync, writeFileSync } from 'node:fs';
import { PG_BIN, runRaw, type LabInfo, type LabPgpool, type RunResult } from './lab.ts';

export async function waitUntil(what: string, check: () => Promise<boolean>, timeoutMs = 20_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

/** A pcp_* tool against `pp`, password from the lab's .pcppass; never throws. */
export const pcpTool = (pp: LabPgpool, tool: string, args: string[], timeoutMs = 10_000): Promise<RunResult> =>
  runRaw([tool, '-h', '127.0.0.1', '-p', String(pp.pcpPort), '-U', pp.pcpUser, '-w', ...args], { env: { PCPPASSFILE: pp.pcpPassFile }, timeoutMs });

// The lab runs with auto_failback = on: pgpool re-attaches a detached, streaming standby at its
// next health check (~1 s here), before a test (or a DBA's console) can see it down.
const AUTO_FAILBACK_OFF = '\n# set by a test (test/lab/pgpool-tools.ts)\nauto_failback = off\n';

export async function setAutoFailback(lab: LabInfo, on: boolean): Promise<void> {
  for (const pp of [lab.pgpool!, lab.pgpoolPeer!]) {
    if (on) writeFileSync(pp.configFile, readFileSync(pp.configFile, 'utf8').replace(AUTO_FAILBACK_OFF, ''));
    else appendFileSync(pp.configFile, AUTO_FAILBACK_OFF);
  }
  // every pgpool of the watchdog cluster reloads; on a loaded host that takes seconds
  const r = await pcpTool(lab.pgpool!, 'pcp_reload_config', ['-s', 'cluster'], 30_000);
  if (!/Command Successful/.test(r.stdout)) throw new Error(`pcp_reload_config: ${r.stdout}${r.stderr}`);
  for (const pp of [lab.pgpool!, lab.pgpoolPeer!]) {
    await waitUntil(`auto_failback ${on ? 'on' : 'off'} on ${pp.port}`, async () => {
      const s = await runRaw([`${PG_BIN}/psql`, '-X', '-A', '-t', '-h', '127.0.0.1', '-p', String(pp.port), '-U', 'postgres', '-d', 'postgres', '-c', 'PGPOOL SHOW auto_failback'], { user: 'postgres', timeoutMs: 10_000 });
      return s.stdout.trim() === (on ? 'on' : 'off');
    });
  }
}
