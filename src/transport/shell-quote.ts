// Remote commands travel as ONE string that the remote login shell parses. Every argument is
// therefore single-quoted: inside '…' POSIX shells interpret nothing, so a node name, server name
// or path taken from a config or from a remote reply can never become shell syntax.

/** Single-quotes `s` for a POSIX shell; an embedded ' becomes '\'' (close, escaped quote, reopen). */
export function quoteArg(s: string): string {
  if (typeof s !== 'string') throw new TypeError(`shell argument must be a string, got ${typeof s}`);
  // NUL cannot be carried in a C argv at all; refusing it beats silently truncating the argument.
  if (s.includes('\0')) throw new Error('shell argument contains a NUL byte');
  return `'${s.replace(/'/g, `'\\''`)}'`;
}

export interface BuildCommandOptions {
  /** Run as this user via `sudo -n` (non-interactive: fail instead of hanging on a password prompt). */
  sudoUser?: string;
}

/** Joins quoted arguments into the command line for an SSH exec request. */
export function buildCommand(argv: readonly string[], opts: BuildCommandOptions = {}): string {
  if (argv.length === 0) throw new Error('buildCommand: empty argv');
  const quoted = argv.map(quoteArg);
  if (opts.sudoUser !== undefined) {
    if (opts.sudoUser === '') throw new Error('buildCommand: empty sudoUser');
    // `--` ends sudo's options, so a command starting with '-' is still the command.
    return ['sudo', '-n', '-u', quoteArg(opts.sudoUser), '--', ...quoted].join(' ');
  }
  return quoted.join(' ');
}
