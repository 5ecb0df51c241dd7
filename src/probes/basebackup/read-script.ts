// The remote side of the basebackup probe: two fixed commands, and the parser of their output.
//
// Paths never become shell code. `find` gets the backup path as one argv element; the reader is a
// FIXED script run as `sh -c SCRIPT sh BASE NAME…`: the base path and the directory names arrive
// as the script's positional parameters ("$1", "$@"), which the shell expands as data and never
// parses, so a directory called `x$(reboot)` is just a string. (Every argv element is also
// single-quoted by buildCommand for the remote login shell.)
//
// Output is NUL-framed: a name can hold a newline, but neither a path, a backup_label nor a
// manifest (JSON escapes control characters) can hold a NUL byte.

/** Directory names under `path`, NUL-terminated. -H: the configured path may be a symlink. */
export function listArgv(path: string): string[] {
  return ['find', '-H', path, '-mindepth', '1', '-maxdepth', '1', '-type', 'd', '-printf', '%f\\0'];
}

// Records per directory, each a NUL-terminated key then a NUL-terminated value:
//   D name · L label · T tar file the label came from · X read error · M manifest ·
//   MT manifest mtime (epoch s) · P manifest being written · S du bytes · E (end of directory)
// backup_label is the first member pg_basebackup writes to base.tar, so --occurrence=1 lets GNU
// tar stop there instead of reading a terabyte archive to its end; a compressed base.tar.gz/.zst
// is recognised by GNU tar itself when reading a file.
export const READ_SCRIPT = `
base=$1; shift
for n in "$@"; do
  d=$base/$n
  printf 'D\\0%s\\0' "$n"
  if ! [ -d "$d" ]; then
    printf 'X\\0the directory disappeared while being read\\0'
  elif ! [ -r "$d" ] || ! [ -x "$d" ]; then
    printf 'X\\0permission denied reading the directory\\0'
  else
    if [ -f "$d/backup_label" ]; then
      if [ -r "$d/backup_label" ]; then printf 'L\\0'; cat -- "$d/backup_label"; printf '\\0'
      else printf 'X\\0permission denied reading backup_label\\0'; fi
    else
      for t in "$d"/base.tar "$d"/base.tar.gz "$d"/base.tar.zst "$d"/base.tar.lz4; do
        [ -f "$t" ] || continue
        printf 'T\\0%s\\0' "\${t##*/}"
        if ! [ -r "$t" ]; then printf 'X\\0permission denied reading %s\\0' "\${t##*/}"; break; fi
        printf 'L\\0'
        tar --occurrence=1 -xOf "$t" backup_label 2>/dev/null
        rc=$?
        printf '\\0'
        [ "$rc" = 0 ] || printf 'X\\0could not extract backup_label from %s (tar exit %s)\\0' "\${t##*/}" "$rc"
        break
      done
    fi
    if [ -f "$d/backup_manifest" ]; then
      if [ -r "$d/backup_manifest" ]; then
        printf 'M\\0'; cat -- "$d/backup_manifest"; printf '\\0'
        printf 'MT\\0%s\\0' "$(stat -c %Y -- "$d/backup_manifest")"
      else printf 'X\\0permission denied reading backup_manifest\\0'; fi
    elif [ -f "$d/backup_manifest.tmp" ]; then
      printf 'P\\0\\0'
    fi
    printf 'S\\0%s\\0' "$(du -sb -- "$d" 2>/dev/null | cut -f1)"
  fi
  printf 'E\\0\\0'
done
`;

export function readArgv(base: string, names: readonly string[]): string[] {
  return ['sh', '-c', READ_SCRIPT, 'sh', base, ...names];
}

export interface RawDirectory {
  name: string;
  label: string | null;
  tarFile: string | null;
  manifest: string | null;
  manifestMtime: number | null;
  manifestInProgress: boolean;
  sizeBytes: number | null;
  errors: string[];
  /** The E record arrived: everything for this directory was read (not cut by the output cap). */
  complete: boolean;
}

export function parseListOutput(stdout: string): string[] {
  return stdout.split('\0').filter((n) => n !== '' && n !== '.' && n !== '..');
}

export function parseReadOutput(stdout: string): RawDirectory[] {
  const tokens = stdout.split('\0');
  const out: RawDirectory[] = [];
  let cur: RawDirectory | null = null;
  // a trailing unterminated token is a record cut short: pairs stop before it
  for (let i = 0; i + 2 < tokens.length; i += 2) {
    const key = tokens[i];
    const value = tokens[i + 1];
    if (key === 'D') {
      cur = { name: value, label: null, tarFile: null, manifest: null, manifestMtime: null, manifestInProgress: false, sizeBytes: null, errors: [], complete: false };
      out.push(cur);
      continue;
    }
    if (!cur) continue;
    switch (key) {
      case 'L': cur.label = value; break;
      case 'T': cur.tarFile = value; break;
      case 'X': cur.errors.push(value); break;
      case 'M': cur.manifest = value; break;
      case 'MT': cur.manifestMtime = /^\d+$/.test(value) ? Number(value) : null; break;
      case 'P': cur.manifestInProgress = true; break;
      case 'S': cur.sizeBytes = /^\d+$/.test(value) ? Number(value) : null; break;
      case 'E': cur.complete = true; break;
      default: break;
    }
  }
  return out;
}
