// Reading test/fixtures/barman/* (see its README for where each file comes from).
import { readdirSync, readFileSync } from 'node:fs';

const DIR = new URL('../../fixtures/barman/', import.meta.url);

export function barmanFixture(name: string): string {
  return readFileSync(new URL(name, DIR), 'utf8');
}

export function barmanFixtures(re: RegExp): string[] {
  return readdirSync(DIR).filter((f) => re.test(f)).sort();
}
