// The lab's VIP: one 127.x address on `lo` with its own label, held by the one lab "host" (the lab
// sshd), so the VIP probe sees exactly one holder; a test removes it to see `none-holds`.
//
// Why not keepalived: keepalived 2.2.7 refuses VRRP on a loopback interface ("cannot use a
// loopback interface (lo) for vrrp"); this kernel has no `dummy` driver for a stand-in interface;
// a veth pair may only join namespaces the lab creates, and an address inside such a namespace is
// invisible to the sshd the probes log in to. So the lab adds and removes the address itself, the
// way keepalived does (`ip addr add … label …`), and the probe reads it the same way.

import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { LabStepError, runRaw } from './lab.ts';
import type { LabSshd } from './lab-sshd.ts';

/** The address the lab adds first; the next free one up to .250 if another lab holds it. */
export const LAB_VIP_FIRST = 201;
const LAB_VIP_LAST = 250;

/**
 * "lo:pgtop" + 6 hex of the lab dir: labs run side by side (tests, `npm run lab:up`) and each must
 * remove only its own address, even one it added just before crashing. Labels are ≤ 15 bytes.
 */
export function labVipLabel(labDir: string): string {
  return `lo:pgtop${createHash('sha256').update(labDir).digest('hex').slice(0, 6)}`;
}

export interface LabVipHost {
  name: string;
  /** An SshTarget object (src/transport/ssh-config.ts) for the lab sshd. */
  ssh: { host: string; port: number; user: string; identity_file: string; known_hosts: string };
}

export interface LabVip {
  /** e.g. 127.0.0.201 (no prefix), as a VipConfig.address. */
  address: string;
  prefixLength: 32;
  iface: 'lo';
  label: string;
  /** How the address is held: by the lab itself (see the comment at the top for why). */
  method: 'ip-addr';
  /** VipConfig.hosts: the lab's one host, reached through the lab sshd as postgres. */
  hosts: LabVipHost[];
}

/** `ip -o addr show to ADDRESS` lines (empty when nobody has it). Sync: labHealthy is sync. */
function addrLines(address: string): string {
  const r = spawnSync('ip', ['-o', 'addr', 'show', 'to', address], { encoding: 'utf8', timeout: 10_000 });
  return r.status === 0 ? r.stdout.trim() : '';
}

export function vipPresent(vip: Pick<LabVip, 'address' | 'label'>): boolean {
  // the label is the last word before ip's "\" line break: `… scope host lo:pgtopvip\  valid_lft …`
  return addrLines(vip.address).split(/[\s\\]+/).includes(vip.label);
}

function freeAddress(from: number): string {
  for (let last = from; last <= LAB_VIP_LAST; last++) {
    const a = `127.0.0.${last}`;
    if (addrLines(a) === '') return a;
  }
  throw new LabStepError('vip', `no free address in 127.0.0.${from}-${LAB_VIP_LAST} on lo`);
}

/** Picks the address (another lab, or anyone, may already hold .201) and the lab's one VIP host. */
export function planVip(sshd: LabSshd, labDir: string): LabVip {
  return {
    address: freeAddress(LAB_VIP_FIRST),
    prefixLength: 32,
    iface: 'lo',
    label: labVipLabel(labDir),
    method: 'ip-addr',
    hosts: [
      {
        name: 'lab',
        ssh: { host: sshd.host, port: sshd.port, user: 'postgres', identity_file: sshd.clientKey, known_hosts: sshd.knownHosts },
      },
    ],
  };
}

export async function startVip(vip: LabVip, log: (m: string) => void): Promise<void> {
  // another lab starting at the same moment may take the address between planVip and here
  for (;;) {
    const r = await runRaw(['ip', 'addr', 'add', `${vip.address}/${vip.prefixLength}`, 'dev', vip.iface, 'label', vip.label]);
    if (r.code === 0) break;
    if (!/File exists/.test(r.stderr)) throw new LabStepError('vip add', `ip addr add ${vip.address}/${vip.prefixLength} dev ${vip.iface}: exit ${r.code} ${r.stderr.trim()}`);
    vip.address = freeAddress(Number(vip.address.split('.')[3]) + 1);
  }
  if (!vipPresent(vip)) throw new LabStepError('vip', `${vip.address} added to ${vip.iface} but \`ip -o addr show to ${vip.address}\` does not list it`);
  log(`vip ${vip.address}/${vip.prefixLength} on ${vip.label}`);
}

/** Removes the address only if it still carries the lab's label (never someone else's). */
export async function downVip(vip: LabVip, log: (m: string) => void): Promise<string | null> {
  if (!vipPresent(vip)) return null;
  log(`removing vip ${vip.address}`);
  const r = await runRaw(['ip', 'addr', 'del', `${vip.address}/${vip.prefixLength}`, 'dev', vip.iface, 'label', vip.label]);
  if (r.code !== 0 && vipPresent(vip)) return `could not remove vip ${vip.address} from ${vip.iface}: ${r.stderr.trim()}`;
  return null;
}
