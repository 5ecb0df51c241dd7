// Who holds the VIP: every configured host is asked in parallel over SSH. The kernel is the
// ground truth (`ip -o addr show to VIP`); keepalived's state only explains it. No holder is an
// outage, several holders a split brain (probe reference §5). Never throws.

import type { VipConfig } from '../../config/schema.ts';
import { describeRunFailure, type RunResult, type SshRunner } from './ssh-runner.ts';

export const VIP_TIMEOUT_MS = 10_000;
/** Where a keepalived without systemd is looked for (Debian/Ubuntu/RHEL package path). */
export const KEEPALIVED_BIN = '/usr/sbin/keepalived';

export interface IpAddrEntry {
  ifindex: number;
  iface: string;
  family: 'inet' | 'inet6';
  address: string;
  prefixLength: number;
  /** keepalived's `label` (e.g. "eth0:vip"); null when it is just the interface (or inet6, which has none). */
  label: string | null;
  scope: string | null;
}

// "1: lo    inet 127.0.0.201/32 scope host lo:pgtopvip\       valid_lft forever preferred_lft forever"
// "4: eth0    inet6 fd00::2/64 scope global nodad \       valid_lft forever preferred_lft forever"
const LINE = /^(\d+):\s+(\S+?)(?:@\S+)?\s+(inet6?)\s+([0-9a-fA-F.:]+)\/(\d+)\s*(.*)$/;

/** `ip -o addr show …` output; lines of other shapes (e.g. link lines) are skipped. */
export function parseIpAddrShow(stdout: string): IpAddrEntry[] {
  const out: IpAddrEntry[] = [];
  for (const raw of stdout.split('\n')) {
    const m = LINE.exec(raw.trim());
    if (!m) continue;
    const [, ifindex, iface, family, address, prefix, rest] = m;
    // -o folds the entry's second line in after a backslash; only the part before it matters
    const words = rest.split('\\')[0].trim().split(/\s+/).filter(Boolean);
    const scopeAt = words.indexOf('scope');
    const last = words[words.length - 1];
    const label = family === 'inet' && last !== undefined && last.startsWith(`${iface}:`) ? last : null;
    out.push({
      ifindex: Number(ifindex),
      iface,
      family: family as 'inet' | 'inet6',
      address,
      prefixLength: Number(prefix),
      label,
      scope: scopeAt >= 0 ? words[scopeAt + 1] ?? null : null,
    });
  }
  return out;
}

/** Compares addresses as the kernel would print them, so "127.0.0.201" and "::1" forms match. */
export function sameAddress(a: string, b: string): boolean {
  return canonical(a) === canonical(b);
}

function canonical(a: string): string {
  if (!a.includes(':')) return a.trim();
  const [head, tail = ''] = a.toLowerCase().split('::');
  const h = head ? head.split(':') : [];
  const t = tail ? tail.split(':') : [];
  const groups = a.includes('::') ? [...h, ...Array(8 - h.length - t.length).fill('0'), ...t] : h;
  return groups.map((g) => g.replace(/^0+(?=.)/, '')).join(':');
}

export type KeepalivedState = 'active' | 'inactive' | 'failed' | 'absent' | 'unknown';

/**
 * `systemctl is-active keepalived`: the word on stdout, or 'no-systemd' when systemctl cannot
 * talk to systemd (containers, other inits) or is not there, so the caller falls back to pidof.
 * A unit that does not exist also prints "inactive", exit 3 (systemd issue #25680), so
 * 'inactive' is told from 'absent' by looking for the binary (keepalivedState).
 */
export function parseSystemctlIsActive(r: Pick<RunResult, 'code' | 'stdout' | 'stderr'>): KeepalivedState | 'no-systemd' {
  const word = r.stdout.trim().split('\n')[0]?.trim() ?? '';
  if (r.code === 127 || /not been booted with systemd|Failed to connect to bus|System has not been booted/i.test(r.stderr)) return 'no-systemd';
  if (word === 'active' || word === 'reloading' || word === 'refreshing') return 'active';
  if (word === 'failed') return 'failed';
  if (word === 'inactive' || word === 'deactivating') return 'inactive';
  // "activating" (restart loop) and anything new: not a state to call healthy or dead
  return 'unknown';
}

/** `pidof keepalived`: pids on stdout and exit 0 when running, exit 1 and nothing when not. */
export function parsePidof(r: Pick<RunResult, 'code' | 'stdout'>): number[] | null {
  if (r.code !== 0 && r.code !== 1) return null;
  return r.stdout.trim().split(/\s+/).filter((w) => /^\d+$/.test(w)).map(Number);
}

export const ipAddrArgv = (address: string): string[] => ['ip', '-o', 'addr', 'show', 'to', address];
export const systemctlArgv = (): string[] => ['systemctl', 'is-active', 'keepalived'];
export const pidofArgv = (): string[] => ['pidof', 'keepalived'];
export const keepalivedInstalledArgv = (): string[] => ['test', '-e', KEEPALIVED_BIN];

export interface VipHostState {
  name: string;
  /** null when the host could not be asked. */
  holds: boolean | null;
  /** Interface (or keepalived label, e.g. "eth0:vip") carrying the address. */
  iface: string | null;
  keepalived: KeepalivedState | null;
  error: string | null;
}

export interface VipState {
  address: string;
  at: number;
  hosts: VipHostState[];
  holders: string[];
  /** 'none-holds' only when every host answered: an unreachable host may be the one holding it
   *  (its error says so). 'several-hold' as soon as two answered yes. */
  problem: 'none-holds' | 'several-hold' | null;
}

export interface VipProbeOptions {
  timeoutMs?: number;
  now?: () => number;
}

async function keepalivedState(runner: SshRunner, target: VipConfig['hosts'][number]['ssh'], timeoutMs: number): Promise<KeepalivedState> {
  const run = (argv: string[]) => runner.run(target, argv, { timeoutMs, maxOutputBytes: 64 * 1024 });
  const installed = async () => ((await run(keepalivedInstalledArgv())).code === 0 ? 'inactive' : 'absent');
  const sc = parseSystemctlIsActive(await run(systemctlArgv()));
  if (sc === 'inactive') return installed();
  if (sc !== 'no-systemd') return sc;
  const pids = parsePidof(await run(pidofArgv()));
  if (pids === null) return 'unknown';
  return pids.length > 0 ? 'active' : installed();
}

async function probeHost(runner: SshRunner, host: VipConfig['hosts'][number], address: string, timeoutMs: number): Promise<VipHostState> {
  const state: VipHostState = { name: host.name, holds: null, iface: null, keepalived: null, error: null };
  const [ip, ka] = await Promise.allSettled([
    runner.run(host.ssh, ipAddrArgv(address), { timeoutMs, maxOutputBytes: 64 * 1024 }),
    keepalivedState(runner, host.ssh, timeoutMs),
  ]);
  if (ip.status === 'rejected') {
    state.error = `${host.name}: ${describeRunFailure(ip.reason)}`;
    return state; // the same connection failed for keepalived too: say it once
  }
  const r = ip.value;
  if (r.code === 0) {
    const mine = parseIpAddrShow(r.stdout).find((e) => sameAddress(e.address, address));
    state.holds = mine !== undefined;
    state.iface = mine ? mine.label ?? mine.iface : null;
  } else if (r.code === 127) {
    state.error = `${host.name}: \`ip\` not found there (install iproute2)`;
  } else {
    state.error = `${host.name}: \`ip -o addr show to ${address}\` failed (exit ${r.code}): ${r.stderr.trim().split('\n')[0] ?? ''}`;
  }
  state.keepalived = ka.status === 'fulfilled' ? ka.value : 'unknown';
  return state;
}

export async function probeVip(runner: SshRunner, vip: VipConfig, opts: VipProbeOptions = {}): Promise<VipState> {
  const timeoutMs = opts.timeoutMs ?? VIP_TIMEOUT_MS;
  const hosts = await Promise.all(vip.hosts.map((h) => probeHost(runner, h, vip.address, timeoutMs)));
  const holders = hosts.filter((h) => h.holds === true).map((h) => h.name);
  const allAnswered = hosts.every((h) => h.holds !== null);
  const problem = holders.length > 1 ? 'several-hold' : holders.length === 0 && allAnswered ? 'none-holds' : null;
  return { address: vip.address, at: (opts.now ?? Date.now)(), hosts, holders, problem };
}
