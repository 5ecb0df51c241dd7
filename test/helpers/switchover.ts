// Shared by the switchover tests: a scenario's cluster with `ssh:` on every node (the captured
// scenarios have none, and a switchover runs repmgr on the target over SSH).
import type { ClusterConfig } from '../../src/config/schema.ts';
import type { Scenario } from './states.ts';

export function withSsh(s: Scenario): ClusterConfig {
  return { ...s.cluster, nodes: s.cluster.nodes.map((n) => ({ ...n, ssh: `postgres@${n.name}` })) };
}
