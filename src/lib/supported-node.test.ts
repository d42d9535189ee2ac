import { readFileSync } from 'node:fs';
import semver from 'semver';
import { describe, expect, it } from 'vitest';

// The README and package.json promise these lines of Node.js; the oldest release of each is checked.
const OLDEST_SUPPORTED = ['20.19.0', '22.13.0', '24.0.0'];

const read = (file: string) => JSON.parse(readFileSync(new URL(`../../${file}`, import.meta.url), 'utf8'));

describe('supported Node.js versions', () => {
  const pkg = read('package.json');
  const lock: { packages: Record<string, { engines?: { node?: string } }> } = read('package-lock.json');

  it('are the ones package.json declares', () => {
    for (const version of OLDEST_SUPPORTED) expect(semver.satisfies(version, pkg.engines.node)).toBe(true);
    expect(semver.satisfies('20.18.0', pkg.engines.node)).toBe(false);
  });

  it('are supported by every installed package, so npm ci warns of no engine on any of them', () => {
    const refusing = Object.entries(lock.packages).flatMap(([path, entry]) => {
      const range = entry.engines?.node;
      if (!path || !range) return [];
      const missed = OLDEST_SUPPORTED.filter((v) => !semver.satisfies(v, range));
      return missed.length ? [`${path.replace(/.*node_modules\//, '')} wants ${range}`] : [];
    });
    expect(refusing).toEqual([]);
  });
});
