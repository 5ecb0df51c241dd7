import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { configCandidates, formatConfigError, loadConfig } from '../../../src/config/load.ts';
import { ConfigError } from '../../../src/config/schema.ts';

const dir = mkdtempSync(join(tmpdir(), 'pgtop-cfg-'));
function file(name: string, text: string): string {
  const p = join(dir, name);
  writeFileSync(p, text);
  return p;
}

const GOOD = `
interval: 3
clusters:
  prod:
    nodes:
      - name: pgsql001
        conninfo: "host=10.0.0.1 port=5432 dbname=repmgr user=repmgr"
        ssh: "postgres@10.0.0.1"
      - name: pgsql002
        conninfo: "postgres://repmgr@10.0.0.2/repmgr"
  staging:
    interval: 1
    thresholds: { lag_bytes_warn: 1024, backup_age_seconds: 7200, slot_retained_bytes: 0 }
    nodes:
      - { name: s1, conninfo: "service=s1" }
`;

describe('loadConfig', () => {
  test('the documented shape loads; the first cluster is the default', () => {
    const { cluster, config, source } = loadConfig({ configFile: file('good.yaml', GOOD), env: {} });
    assert.equal(source, join(dir, 'good.yaml'));
    assert.equal(cluster.name, 'prod');
    assert.equal(cluster.intervalSeconds, 3);
    assert.deepEqual(cluster.nodes.map((n) => n.name), ['pgsql001', 'pgsql002']);
    assert.equal(cluster.nodes[0]!.ssh, 'postgres@10.0.0.1');
    assert.equal(config.clusters.length, 2);
  });

  test('the HA layers: node ssh/repmgr_config/sudo_user, pgpool with PCP, VIP hosts', () => {
    const yaml = `
clusters:
  ha:
    nodes:
      - { name: n1, conninfo: "host=10.0.0.1", ssh: "postgres@10.0.0.1:2222", repmgr_config: /etc/repmgr/15/repmgr.conf, sudo_user: postgres }
      - { name: n2, conninfo: "host=10.0.0.2", ssh: { host: db2, port: 22, user: admin, identity_file: ~/.ssh/id_db, known_hosts: [/k1, /k2] } }
    pgpool:
      - { name: pool1, conninfo: "host=10.0.0.5 port=9999 user=pgtop dbname=postgres", pcp: { port: 9898, user: pcpadmin }, ssh: pool1 }
    vip:
      address: 10.0.0.100
      hosts: [ { name: pool1, ssh: "root@10.0.0.5" } ]
`;
    const { cluster } = loadConfig({ configFile: file('ha.yaml', yaml), env: {} });
    assert.deepEqual(cluster.nodes[0], { name: 'n1', conninfo: 'host=10.0.0.1', ssh: 'postgres@10.0.0.1:2222', repmgrConfig: '/etc/repmgr/15/repmgr.conf', sudoUser: 'postgres' });
    assert.deepEqual(cluster.nodes[1]!.ssh, { host: 'db2', port: 22, user: 'admin', identity_file: '~/.ssh/id_db', known_hosts: ['/k1', '/k2'] });
    assert.equal(cluster.nodes[1]!.repmgrConfig, undefined);
    assert.deepEqual(cluster.pgpool, [{ name: 'pool1', conninfo: 'host=10.0.0.5 port=9999 user=pgtop dbname=postgres', pcp: { port: 9898, user: 'pcpadmin' }, ssh: 'pool1' }]);
    assert.deepEqual(cluster.vip, { address: '10.0.0.100', hosts: [{ name: 'pool1', ssh: 'root@10.0.0.5' }] });
    assert.deepEqual(loadConfig({ configFile: file('good4.yaml', GOOD), env: {} }).cluster.pgpool, []);
    const withBackups = `
clusters:
  b:
    nodes: [ { name: n1, conninfo: "host=10.0.0.1" } ]
    barman: { server: main, ssh: "barman@backup1", config_file: /etc/barman.conf }
    backups:
      - { type: basebackup_dir, path: /srv/backups/pg17, ssh: "postgres@backup1", sudo_user: postgres }
`;
    const b = loadConfig({ configFile: file('b.yaml', withBackups), env: {} }).cluster;
    assert.deepEqual(b.barman, [{ server: 'main', ssh: 'barman@backup1', configFile: '/etc/barman.conf' }]);
    assert.deepEqual(b.backups, [{ type: 'basebackup_dir', path: '/srv/backups/pg17', ssh: 'postgres@backup1', sudoUser: 'postgres' }]);
  });

  test('--cluster picks one, its own interval and thresholds apply, --interval overrides', () => {
    const path = file('good2.yaml', GOOD);
    const staging = loadConfig({ configFile: path, cluster: 'staging', env: {} }).cluster;
    assert.equal(staging.intervalSeconds, 1);
    assert.equal(staging.thresholds.lagBytesWarn, 1024);
    assert.equal(staging.thresholds.lagSecondsWarn, 30);
    assert.equal(staging.thresholds.backupAgeSeconds, 7200);
    assert.equal(staging.thresholds.slotRetainedBytes, 0, 'zero is a threshold, not "unset"');
    assert.equal(staging.thresholds.archiveAgeSeconds, 3600, 'unset keys keep their default');
    assert.equal(loadConfig({ configFile: path, cluster: 'staging', interval: 5, env: {} }).cluster.intervalSeconds, 5);
  });

  test('--conninfo works without a file and names nodes host:port', () => {
    const { cluster } = loadConfig({ conninfo: ['host=10.0.0.1 port=5433', 'postgres://u@10.0.0.2/d', 'host=10.0.0.1 port=5433'], env: {} });
    assert.deepEqual(cluster.nodes.map((n) => n.name), ['10.0.0.1:5433', '10.0.0.2:5432', '10.0.0.1:5433#2']);
  });

  test('search order: $PGTOP_HA_CONFIG, ./pgtop-ha.yaml, XDG, ~/.config', () => {
    assert.deepEqual(configCandidates({ env: { PGTOP_HA_CONFIG: '/etc/x.yaml' }, cwd: '/w' }), [{ path: '/etc/x.yaml', explicit: true }]);
    assert.deepEqual(configCandidates({ env: { HOME: '/h', XDG_CONFIG_HOME: '/x' }, cwd: '/w' }).map((c) => c.path), [
      '/w/pgtop-ha.yaml', '/x/pgtop-ha/config.yaml', '/h/.config/pgtop-ha/config.yaml',
    ]);
    const cwd = mkdtempSync(join(tmpdir(), 'pgtop-cwd-'));
    writeFileSync(join(cwd, 'pgtop-ha.yaml'), GOOD);
    assert.equal(loadConfig({ env: { HOME: cwd }, cwd }).source, join(cwd, 'pgtop-ha.yaml'));
    const xdg = join(cwd, 'xdg');
    mkdirSync(join(xdg, 'pgtop-ha'), { recursive: true });
    writeFileSync(join(xdg, 'pgtop-ha', 'config.yaml'), GOOD);
    const empty = mkdtempSync(join(tmpdir(), 'pgtop-empty-'));
    assert.equal(loadConfig({ env: { HOME: empty, XDG_CONFIG_HOME: xdg }, cwd: empty }).source, join(xdg, 'pgtop-ha', 'config.yaml'));
  });
});

describe('bad config: one paragraph naming the file, the key path and what was expected', () => {
  const cases: Array<[string, string, RegExp]> = [
    ['unknown key', 'clusters:\n  p:\n    nodes:\n      - name: a\n        conninfo: "host=x"\n        colour: red\n', /at clusters\.p\.nodes\[0\]\.colour: unknown key; allowed here: name, conninfo, ssh/],
    ['wrong type', 'clusters:\n  p:\n    nodes: "a,b"\n', /at clusters\.p\.nodes: expected a non-empty list of nodes, got string "a,b"/],
    ['bad conninfo', 'clusters:\n  p:\n    nodes:\n      - name: a\n        conninfo: "host=x prt=5"\n', /at clusters\.p\.nodes\[0\]\.conninfo: expected a libpq "key=value" string or postgres:\/\/ URI: unknown connection keyword "prt"/],
    ['missing name', 'clusters:\n  p:\n    nodes:\n      - conninfo: "host=x"\n', /at clusters\.p\.nodes\[0\]\.name: expected a non-empty string, got undefined/],
    ['duplicate node', 'clusters:\n  p:\n    nodes:\n      - {name: a, conninfo: "host=x"}\n      - {name: a, conninfo: "host=y"}\n', /nodes\[1\]\.name: node name "a" is used twice/],
    ['interval out of range', 'interval: 0\nclusters:\n  p:\n    nodes: [{name: a, conninfo: "host=x"}]\n', /at interval: expected a number from 0\.2 to 3600, got number 0/],
    ['no clusters', 'interval: 2\n', /at clusters: expected a mapping, got undefined/],
    ['invalid YAML', 'clusters: [\n', /at line \d+, column \d+: not valid YAML/],
    ['duplicate key', 'clusters:\n  p: {nodes: [{name: a, conninfo: "host=x"}]}\n  p: {}\n', /not valid YAML: Map keys must be unique/],
    ['top-level typo', 'cluster:\n  p: {}\n', /at \(top level\)\.cluster: unknown key/],
    ['ssh with a space', 'clusters:\n  p: {nodes: [{name: a, conninfo: "host=x", ssh: "a b"}]}\n', /clusters\.p\.nodes\[0\]\.ssh: expected "user@host\[:port\]"/],
    ['ssh port out of range', 'clusters:\n  p: {nodes: [{name: a, conninfo: "host=x", ssh: {host: h, port: 70000}}]}\n', /nodes\[0\]\.ssh\.port: expected a number from 1 to 65535/],
    ['sudo_user with shell', 'clusters:\n  p: {nodes: [{name: a, conninfo: "host=x", sudo_user: "x;id"}]}\n', /nodes\[0\]\.sudo_user: expected an OS user name/],
    ['pgpool not a list', 'clusters:\n  p: {nodes: [{name: a, conninfo: "host=x"}], pgpool: {name: x}}\n', /clusters\.p\.pgpool: expected a list of pgpool instances/],
    ['pgpool pcp without port', 'clusters:\n  p: {nodes: [{name: a, conninfo: "host=x"}], pgpool: [{name: p1, conninfo: "port=9999", pcp: {user: u}}]}\n', /pgpool\[0\]\.pcp\.port: expected a number/],
    ['pgpool name twice', 'clusters:\n  p: {nodes: [{name: a, conninfo: "host=x"}], pgpool: [{name: p1, conninfo: "port=1"}, {name: p1, conninfo: "port=2"}]}\n', /pgpool\[1\]\.name: pgpool name "p1" is used twice/],
    ['vip address not an IP', 'clusters:\n  p: {nodes: [{name: a, conninfo: "host=x"}], vip: {address: "$(id)", hosts: [{name: a, ssh: a}]}}\n', /vip\.address: expected an IPv4 or IPv6 address/],
    ['backups wrong type', 'clusters:\n  p: {nodes: [{name: a, conninfo: "host=x"}], backups: [{type: pgbackrest, path: /b, ssh: h}]}\n', /backups\[0\]\.type: expected "basebackup_dir"/],
    ['backups relative path', 'clusters:\n  p: {nodes: [{name: a, conninfo: "host=x"}], backups: [{type: basebackup_dir, path: b, ssh: h}]}\n', /backups\[0\]\.path: expected an absolute path/],
    ['barman without server', 'clusters:\n  p: {nodes: [{name: a, conninfo: "host=x"}], barman: {ssh: "barman@b"}}\n', /clusters\.p\.barman\.server: expected a non-empty string/],
    ['threshold typo', 'clusters:\n  p: {nodes: [{name: a, conninfo: "host=x"}], thresholds: {backup_age: 10}}\n', /thresholds\.backup_age: unknown key; allowed here: lag_bytes_warn, lag_seconds_warn, slot_retained_bytes, archive_age_seconds, backup_age_seconds, summarizer_behind_bytes/],
    ['negative threshold', 'clusters:\n  p: {nodes: [{name: a, conninfo: "host=x"}], thresholds: {archive_age_seconds: -1}}\n', /thresholds\.archive_age_seconds: expected a number from 0/],
    ['vip without hosts', 'clusters:\n  p: {nodes: [{name: a, conninfo: "host=x"}], vip: {address: 10.0.0.9}}\n', /vip\.hosts: expected a non-empty list of hosts/],
  ];
  for (const [name, text, expected] of cases) {
    test(name, () => {
      const path = file(`${name.replace(/\W/g, '_')}.yaml`, text);
      try {
        loadConfig({ configFile: path, env: {} });
        assert.fail('accepted a bad config');
      } catch (e) {
        assert.ok(e instanceof ConfigError, `a ConfigError, not ${(e as Error).constructor.name}`);
        const msg = formatConfigError(e);
        assert.ok(msg.startsWith(`pgtop-ha: configuration error in ${path} at `), msg);
        assert.match(msg, expected);
        assert.ok(!msg.includes('\n'), 'one paragraph');
      }
    });
  }

  test('a missing explicit file and an unknown --cluster say so', () => {
    assert.throws(() => loadConfig({ configFile: join(dir, 'nope.yaml'), env: {} }), /cannot read the file: no such file/);
    assert.throws(() => loadConfig({ configFile: file('g3.yaml', GOOD), cluster: 'qa', env: {} }), /no cluster named "qa"; this config has: prod, staging/);
  });

  test('no file anywhere points at --config, --conninfo and demo', () => {
    const empty = mkdtempSync(join(tmpdir(), 'pgtop-none-'));
    assert.throws(() => loadConfig({ env: { HOME: empty }, cwd: empty }), /no config file found .*--conninfo.*pgtop-ha demo/);
  });
});
