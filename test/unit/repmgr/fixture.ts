// Reads a capture copied into test/fixtures/repmgr (see its README for origin and exit codes).
import { readFileSync } from 'node:fs';

export function fixture(name: string): string {
  return readFileSync(new URL(`../../fixtures/repmgr/${name}`, import.meta.url), 'utf8');
}
