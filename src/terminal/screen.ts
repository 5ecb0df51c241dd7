// Owns the terminal: alternate screen and cursor on the way in, and restored on every way out
// (q, Ctrl-C, SIGTERM, SIGHUP, a crash). Restoring twice is harmless; forgetting once leaves the
// DBA's tmux pane unusable.
const ENTER = '\x1b[?1049h\x1b[?25l\x1b[H\x1b[2J';
const LEAVE = '\x1b[?25h\x1b[?1049l';

export interface Screen {
  restore(): void;
}

export function enterScreen(out: NodeJS.WriteStream = process.stdout): Screen {
  let active = out.isTTY === true;
  if (active) out.write(ENTER);
  const restore = () => {
    if (!active) return;
    active = false;
    try {
      out.write(LEAVE);
    } catch {
      // the terminal may already be gone (SIGHUP)
    }
  };
  process.once('exit', restore);
  return { restore };
}
