// Attach a backend to pgpool-II again (what `pcp_attach_node -n N` does), or make one its primary
// (`pcp_promote_node -n N`), over the native PCP
// client, for the guided switchover and the pgpool pane. Never throws: the UI gets { ok, message }
// with one line for the footer and the audit log (pgpool's own words when pgpool refused).
//
// pgpool answers the request before it has done anything (the failback runs in its main process),
// so the answer alone proves nothing: after the request the node is read again until pgpool shows
// it `up` or `waiting`, or the wait runs out. What pgpool (4.3.5, on the lab) does that this
// works around:
//  - at the end of every failover, failback and detach pgpool restarts its PCP process, and its
//    main process waits until every open PCP connection has closed; a failback asked for in that
//    time is carried out only afterwards. So no connection is held between reads (the client
//    closes as soon as it is idle), a read may wait for that restart, and a read that times out
//    or is cut off is retried until the wait runs out;
//  - pgpool 4.3 answers "CommandComplete" to a failback of an id it has no backend for (it marks
//    that empty slot "waiting") and to one for a node already up (it only logs it as invalid), so
//    PcpClient.attachNode reads the node first: an unknown id gets pgpool's "invalid node ID", an
//    attached node is left alone.
// A promote is read back until pgpool shows the node with role primary (at once on the lab). pgpool
// answers "CommandComplete" to a promote of a backend it has down and does nothing, so that one is
// refused before anything is sent (attach it first); a node already primary is left alone (pgpool
// would answer FATAL). What the promote costs (PcpClient.promoteNode): pgpool restarts all its
// children, dropping every client session (watchdog peer included), and detaches every other
// backend until auto_failback re-attaches the standbys that stream (1–4 s on the lab).
import { parseConninfo, resolveService, type Conninfo } from '../config/conninfo.ts';
import type { PgpoolConfig } from '../config/schema.ts';
import type { BackendStatus } from '../probes/pgpool/node-state.ts';
import { PcpClient, PcpError, type PcpBackendInfo, type PcpClientOptions, type PcpNodeRequestResult } from '../probes/pgpool/pcp-client.ts';

export interface PgpoolAttachResult {
  ok: boolean;
  /** One line, never a password or a stack. */
  message: string;
}

export interface AttachPgpoolNodeOptions {
  /** Per PCP request (default 5000 ms). */
  timeoutMs?: number;
  /** How long to wait for pgpool to show the node up/waiting after the request (default 10 s). */
  waitMs?: number;
  pollMs?: number;
  /** For the .pcppass lookup ($PCPPASSFILE, ~/.pcppass): default process.env and $HOME. */
  env?: Record<string, string | undefined>;
  home?: string;
}

export interface PromotePgpoolNodeOptions extends AttachPgpoolNodeOptions {
  /**
   * pcp_promote_node -s (4.3+): pgpool detaches its current primary (running failover_command)
   * instead of only moving the role; see PcpClient.promoteNode. Default false, which is what a
   * switchover pgpool did not notice needs.
   */
  switchover?: boolean;
}

/**
 * Where the pgpool's PCP listens: `pcp.host`, else the host of its conninfo (as the watchdog probe
 * does), with the user from `pcp.user` and the password from .pcppass. Throws on a config without
 * `pcp:` or a conninfo that cannot be read.
 */
export function pcpClientOptions(cfg: PgpoolConfig, over: Partial<PcpClientOptions> = {}): PcpClientOptions {
  if (!cfg.pcp) throw new Error(`${cfg.name} has no pcp: in the configuration (attaching a node needs PCP: pcp: { port, user })`);
  let host = cfg.pcp.host;
  if (host === undefined) {
    let info: Conninfo = parseConninfo(cfg.conninfo);
    try {
      info = resolveService(info);
    } catch {
      // an unreadable service file: the conninfo's own keys still say where pgpool is, or not
    }
    host = info.hostaddr ?? info.host ?? 'localhost';
  }
  return { host, port: cfg.pcp.port, user: cfg.pcp.user, ...over };
}

/** The pcp tool command this amounts to, for the audit log (no password: it comes from .pcppass). */
export function attachCommandLine(cfg: PgpoolConfig, nodeId: number): string {
  try {
    const o = pcpClientOptions(cfg);
    return `pcp_attach_node -h ${o.host} -p ${o.port} -U ${o.user} -w -n ${nodeId}`;
  } catch {
    return `pcp_attach_node -n ${nodeId}`;
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const oneLine = (s: string) => s.replace(/\s+/g, ' ').trim();
const describe = (e: unknown) => oneLine(e instanceof Error ? e.message : String(e));
const attached = (s: BackendStatus) => s === 'up' || s === 'waiting';
const where = (n: PcpBackendInfo) => `${n.hostname}:${n.port}`;
/** Connection trouble worth another try while pgpool restarts its PCP process. */
const transient = (e: unknown) => e instanceof PcpError && (e.kind === 'closed' || e.kind === 'refused' || e.kind === 'timeout');

interface NodeAction {
  /** "attach" / "promote", for the messages. */
  verb: string;
  past: string;
  send(client: PcpClient, nodeId: number): Promise<PcpNodeRequestResult>;
  /** pgpool shows the request carried out. */
  done(n: PcpBackendInfo): boolean;
  state(n: PcpBackendInfo): string;
  /** Appended to a success: what is still wrong behind pgpool's view. */
  warn(n: PcpBackendInfo): string;
}

const ATTACH: NodeAction = {
  verb: 'attach', past: 'attached', send: (c, id) => c.attachNode(id), done: (n) => attached(n.status), state: (n) => n.status,
  // pgpool's health check detaches it again if PostgreSQL there does not answer.
  warn: (n) => (n.pgStatus === 'down' ? '; but PostgreSQL there is down (pg_status), pgpool will detach it again' : ''),
};

// pgpool answers the promote at once and only then restarts its children, detaching the other
// backends (auto_failback brings standbys back): the role is read back until it is primary.
const promoteAction = (switchover: boolean): NodeAction => ({
  verb: 'promote', past: 'promoted', send: (c, id) => c.promoteNode(id, { switchover }), done: (n) => n.role === 'primary', state: (n) => `role ${n.role}`,
  // pgpool takes the role on trust: a standby as its primary makes every write fail read-only.
  warn: (n) => (n.pgRole === 'standby' ? '; but PostgreSQL there is a standby (pg_role): writes through pgpool will fail' : ''),
});

/** Asks pgpool `pgpoolCfg` to attach backend `nodeId` and waits until it shows it attached. Never throws. */
export function attachPgpoolNode(pgpoolCfg: PgpoolConfig, nodeId: number, opts: AttachPgpoolNodeOptions = {}): Promise<PgpoolAttachResult> {
  return nodeAction(ATTACH, pgpoolCfg, nodeId, opts);
}

/**
 * pcp_promote_node: makes backend `nodeId` pgpool's primary (where pgpool kept the old primary
 * after a switchover), and waits until pgpool shows it so. Never throws. Client sessions through
 * pgpool are dropped, and the other backends are detached until auto_failback brings them back.
 */
export function promotePgpoolNode(pgpoolCfg: PgpoolConfig, nodeId: number, opts: PromotePgpoolNodeOptions = {}): Promise<PgpoolAttachResult> {
  return nodeAction(promoteAction(opts.switchover ?? false), pgpoolCfg, nodeId, opts);
}

/** The pcp tool command a promote amounts to, for the audit log (no password: it comes from .pcppass). */
export function promoteCommandLine(cfg: PgpoolConfig, nodeId: number, { switchover = false }: { switchover?: boolean } = {}): string {
  const s = switchover ? ' -s' : '';
  try {
    const o = pcpClientOptions(cfg);
    return `pcp_promote_node -h ${o.host} -p ${o.port} -U ${o.user} -w -n ${nodeId}${s}`;
  } catch {
    return `pcp_promote_node -n ${nodeId}${s}`;
  }
}

async function nodeAction(action: NodeAction, pgpoolCfg: PgpoolConfig, nodeId: number, opts: AttachPgpoolNodeOptions): Promise<PgpoolAttachResult> {
  const name = pgpoolCfg?.name ?? 'pgpool';
  if (!Number.isInteger(nodeId) || nodeId < 0) return { ok: false, message: `${name}: node id must be a non-negative integer, got ${String(nodeId)}` };
  let client: PcpClient;
  try {
    client = new PcpClient(pcpClientOptions(pgpoolCfg, { timeoutMs: opts.timeoutMs, env: opts.env, home: opts.home, idleCloseMs: 0 }));
  } catch (e) {
    const why = describe(e);
    return { ok: false, message: why.startsWith(`${name} `) ? why : `${name}: ${why}` };
  }
  const started = Date.now();
  const seconds = () => `${((Date.now() - started) / 1000).toFixed(1)} s`;
  try {
    let req: PcpNodeRequestResult | null = null;
    try {
      req = await action.send(client, nodeId);
    } catch (e) {
      // Cut off, maybe after the request went out: the node's status decides.
      if (!(e instanceof PcpError && e.kind === 'closed')) return { ok: false, message: `${name}: ${describe(e)}` };
    }
    if (req && !req.sent) {
      return { ok: true, message: `${name}: node ${nodeId} (${where(req.before)}) is already ${action.past} (${action.state(req.before)}); nothing sent` };
    }
    const before = req?.before ?? null;
    const waitMs = opts.waitMs ?? 10_000;
    let now: PcpBackendInfo | null = null;
    let lastError: unknown = null;
    for (;;) {
      try {
        now = await client.nodeInfo(nodeId);
        lastError = null;
        if (action.done(now)) break;
      } catch (e) {
        if (!transient(e)) return { ok: false, message: `${name}: asked to ${action.verb} node ${nodeId}, then could not read it back: ${describe(e)}` };
        lastError = e;
      }
      if (Date.now() - started >= waitMs) break;
      await sleep(opts.pollMs ?? 200);
    }
    const target = now ?? before;
    const label = `node ${nodeId}${target ? ` (${where(target)})` : ''}`;
    if (now && action.done(now)) {
      const from = before ? `${action.state(before)} → ` : '';
      return { ok: true, message: `${name}: ${action.past} ${label}: ${from}${action.state(now)} in ${seconds()}${action.warn(now)}` };
    }
    const why = now ? `it is still ${action.state(now)}` : `could not read it back (${describe(lastError)})`;
    return { ok: false, message: `${name}: asked to ${action.verb} ${label}, but after ${seconds()} ${why}; see pgpool's log` };
  } catch (e) {
    return { ok: false, message: `${name}: ${describe(e)}` };
  } finally {
    await client.close().catch(() => undefined);
  }
}
