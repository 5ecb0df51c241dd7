// Command line: `pgtop-ha` (live console), `pgtop-ha demo`, `pgtop-ha snapshot`, `pgtop-ha check`,
// `pgtop-ha exporter`, `pgtop-ha record`, `pgtop-ha replay`.
// Bad input ends here as one paragraph and exit status 2, never as a stack trace.
import yargs from 'yargs';
import { hideBin } from 'yargs/helpers';
import { ConfigError } from '../config/schema.ts';
import { formatConfigError, loadConfig, type LoadOptions } from '../config/load.ts';
import { PANES, type PaneId } from '../views/layout.ts';
import { parseSize } from '../record/format.ts';

interface Common {
  config?: string;
  cluster?: string;
  conninfo?: string[];
  interval?: number;
  'read-only': boolean;
  color: 'auto' | 'always' | 'never';
  ascii: boolean;
  pane?: string;
  'ssh-accept-new': boolean;
  record?: string;
  'max-size': string;
}

/** Chalk decides colour when it is first loaded, so this runs before anything imports Ink. */
function applyColor(mode: Common['color']): void {
  if (mode === 'never' || (mode === 'auto' && process.env.NO_COLOR)) process.env.FORCE_COLOR = '0';
  else if (mode === 'always') process.env.FORCE_COLOR ??= '1';
}

function wantsAscii(flag: boolean): boolean {
  if (flag) return true;
  const locale = process.env.LC_ALL || process.env.LC_CTYPE || process.env.LANG || '';
  return locale !== '' && !/utf-?8/i.test(locale);
}

/** The console reads keys in raw mode; without a terminal say so instead of failing inside Ink. */
function requireTerminal(): void {
  if (!process.stdin.isTTY || !process.stdout.isTTY) {
    fail('pgtop-ha: the live console needs a terminal (stdin and stdout must be a TTY); for scripts use `pgtop-ha snapshot [--json]`');
  }
  // Ink draws nothing but the last frame when it believes it runs in CI (any CI* variable, as a
  // runner or some shells set): on a real terminal the console must draw live regardless.
  process.env.CI = '0';
}

function loadOpts(a: Common): LoadOptions {
  return { configFile: a.config, cluster: a.cluster, conninfo: a.conninfo, interval: a.interval };
}

function fail(message: string, code = 2): never {
  process.stderr.write(`${message}\n`);
  process.exit(code);
}

function load(a: Common) {
  try {
    return loadConfig(loadOpts(a));
  } catch (e) {
    if (e instanceof ConfigError) fail(formatConfigError(e));
    throw e;
  }
}

function maxBytes(a: Common): number {
  const n = parseSize(a['max-size']);
  if (n === null || n < 64 * 1024) fail(`pgtop-ha: --max-size must be a size of at least 64KB, like 64MB (got "${a['max-size']}")`);
  return n;
}

function recordOpt(a: Common): { file: string; maxBytes: number } | undefined {
  return a.record === undefined ? undefined : { file: a.record, maxBytes: maxBytes(a) };
}

function pane(a: Common): PaneId | undefined {
  if (a.pane === undefined) return undefined;
  if (a.pane === 'events') return 'timeline'; // the repmgr events pane grew into the timeline
  if (!(PANES as readonly string[]).includes(a.pane)) fail(`pgtop-ha: --pane must be one of ${PANES.join(', ')} (got "${a.pane}")`);
  return a.pane as PaneId;
}

export async function main(argv: string[]): Promise<void> {
  await yargs(argv)
    .scriptName('pgtop-ha')
    .usage('$0 [command] [options]\n\nLive console for PostgreSQL high-availability clusters.')
    .option('config', { alias: 'c', type: 'string', describe: 'config file (default: $PGTOP_HA_CONFIG, ./pgtop-ha.yaml, $XDG_CONFIG_HOME/pgtop-ha/config.yaml)' })
    .option('cluster', { type: 'string', describe: 'cluster name from the config (default: the first)' })
    .option('conninfo', { type: 'string', array: true, describe: 'libpq conninfo or postgres:// URI of a node; repeat for each node (no config file needed)' })
    .option('interval', { alias: 'i', type: 'number', describe: 'seconds between polls (default 2)' })
    .option('read-only', { type: 'boolean', default: false, describe: 'hide and refuse every action' })
    .option('color', { choices: ['auto', 'always', 'never'] as const, default: 'auto' as const, describe: 'colours (NO_COLOR is honoured with auto)' })
    .option('ascii', { type: 'boolean', default: false, describe: 'ASCII borders and graphs (automatic on a non-UTF-8 locale)' })
    .option('ssh-accept-new', { type: 'boolean', default: false, describe: 'trust and record the host key of an SSH host not yet in known_hosts (a changed key is still refused)' })
    .option('pane', { type: 'string', describe: `start zoomed on one pane: ${PANES.join(', ')} (one tmux tile per pane)` })
    .option('record', { type: 'string', describe: 'also append every sample to this recording (see `record`, `replay`)' })
    .option('max-size', { type: 'string', default: '64MB', describe: 'a recording past this size moves to FILE.1 and starts again' })
    .check((a) => {
      if (a.interval !== undefined && (!(a.interval >= 0.2) || a.interval > 3600)) throw new Error('--interval must be between 0.2 and 3600 seconds');
      return true;
    })
    .command(
      '$0',
      'open the live console on the configured cluster',
      () => undefined,
      async (a) => {
        const args = a as unknown as Common;
        applyColor(args.color);
        const loaded = load(args);
        requireTerminal();
        const { runTui } = await import('./tui.tsx');
        await runTui(loaded, { readOnly: args['read-only'], ascii: wantsAscii(args.ascii), pane: pane(args), sshAcceptNew: args['ssh-accept-new'], record: recordOpt(args) });
      },
    )
    .command(
      'demo',
      'start a three-node PostgreSQL 17 cluster on loopback and open the console on it',
      (y) =>
        y
          .option('keep', { type: 'boolean', default: false, describe: 'leave the cluster running on exit and print how to reconnect' })
          .option('apply-delay', { type: 'string', default: '3s', describe: 'recovery_min_apply_delay of the second standby, so lag is visible' })
          .option('load', { type: 'boolean', default: true, describe: 'run a small bounded write load on the primary (--no-load to disable)' }),
      async (a) => {
        const args = a as unknown as Common & { keep: boolean; 'apply-delay': string; load: boolean };
        applyColor(args.color);
        requireTerminal();
        const { runDemo } = await import('./demo.ts');
        await runDemo({ keep: args.keep, applyDelay: args['apply-delay'], load: args.load, readOnly: args['read-only'], ascii: wantsAscii(args.ascii), pane: pane(args), interval: args.interval, record: recordOpt(args) });
      },
    )
    .command(
      'snapshot',
      'poll every node once and print the state: text, a Markdown report (--format md) or JSON',
      (y) =>
        y
          .option('format', { choices: ['text', 'md', 'json'] as const, describe: 'text (default), md: the daily check report for a ticket, json: schema in the README' })
          .option('json', { type: 'boolean', default: false, describe: 'same as --format json' }),
      async (a) => {
        const args = a as unknown as Common & { json: boolean; format?: 'text' | 'md' | 'json' };
        applyColor(args.color);
        const loaded = load(args);
        const { runSnapshot } = await import('./snapshot.ts');
        process.stdout.write(await runSnapshot(loaded, { format: args.json ? 'json' : (args.format ?? 'text'), sshAcceptNew: args['ssh-accept-new'] }));
      },
    )
    .command(
      'record <file>',
      'poll without a screen and append every sample to FILE (gzip NDJSON) until Ctrl-C; `replay FILE` opens it',
      (y) => y.positional('file', { type: 'string', demandOption: true }),
      async (a) => {
        const args = a as unknown as Common & { file: string };
        const loaded = load(args);
        const { runRecord } = await import('./record.ts');
        await runRecord(loaded, { file: args.file, maxBytes: maxBytes(args), sshAcceptNew: args['ssh-accept-new'] });
      },
    )
    .command(
      'replay <file>',
      'open the console on a recording with a time cursor (←/→ step, [/] alert changes, space plays)',
      (y) => y.positional('file', { type: 'string', demandOption: true }),
      async (a) => {
        const args = a as unknown as Common & { file: string };
        applyColor(args.color);
        requireTerminal();
        const { RecordingError } = await import('../record/reader.ts');
        const { runReplay } = await import('./replay.tsx');
        // the recording is read and checked before the screen is taken: a bad file is one line
        await runReplay(args.file, { ascii: wantsAscii(args.ascii), pane: pane(args) }).catch((e: unknown) => {
          if (e instanceof RecordingError) fail(`pgtop-ha: ${e.message}`);
          throw e;
        });
      },
    )
    .command(
      'exporter',
      'poll continuously and serve the state as OpenMetrics on /metrics for Prometheus',
      (y) => y.option('listen', { type: 'string', default: '127.0.0.1:9780', describe: 'HOST:PORT to serve on ([::1]:PORT for IPv6); loopback unless you say otherwise' }),
      async (a) => {
        const args = a as unknown as Common & { listen: string };
        const loaded = load(args);
        const { parseListen } = await import('../metrics/http-server.ts');
        const listen = parseListen(args.listen);
        if (typeof listen === 'string') fail(`pgtop-ha: ${listen}`);
        const { runExporter } = await import('./exporter.ts');
        await runExporter(loaded, { listen, sshAcceptNew: args['ssh-accept-new'] });
      },
    )
    .command(
      'check',
      'poll once and judge it like a Nagios/Icinga plugin: status line with perfdata, exit 0 OK, 1 WARNING, 2 CRITICAL, 3 UNKNOWN',
      (y) => y.option('json', { type: 'boolean', default: false, describe: 'the verdict, alerts and perfdata as JSON (same exit code)' }),
      async (a) => {
        const args = a as unknown as Common & { json: boolean };
        applyColor('never');
        let loaded;
        try {
          loaded = loadConfig(loadOpts(args));
        } catch (e) {
          // exit 2 would read as CRITICAL to the monitoring system: a broken check is UNKNOWN
          if (e instanceof ConfigError) fail(`PGTOP-HA UNKNOWN - ${formatConfigError(e).replace(/\s*\n\s*/g, ' ')}`, 3);
          throw e;
        }
        const { runCheck } = await import('./check.ts');
        const r = await runCheck(loaded, { json: args.json, sshAcceptNew: args['ssh-accept-new'] });
        process.stdout.write(r.output);
        process.exitCode = r.exitCode;
      },
    )
    .strict()
    .help()
    .alias('h', 'help')
    .version()
    .fail((msg, err) => {
      if (err && !(err instanceof Error && /must be|Unknown|Missing|Invalid/.test(err.message))) throw err;
      if (argv[0] === 'check') fail(`PGTOP-HA UNKNOWN - ${msg ?? err?.message}`, 3);
      fail(`pgtop-ha: ${msg ?? err?.message}\nRun "pgtop-ha --help" for usage.`);
    })
    .parseAsync();
}

main(hideBin(process.argv)).catch((e: unknown) => {
  const err = e as Error;
  const debug = process.env.PGTOP_HA_DEBUG ? `\n${err?.stack}` : '';
  if (hideBin(process.argv)[0] === 'check') fail(`PGTOP-HA UNKNOWN - ${err?.message ?? String(e)}${debug}`, 3);
  fail(`pgtop-ha: ${err?.message ?? String(e)}${debug}`, 1);
});
