// The layers of src/ and the arrows between them, read from the import lines. `npm run layers`
// (layers-report.ts) prints how many imports run from each layer to each other one; layers.test.ts
// fails the test run when an import runs up the layers, or a domain file reaches for I/O or the clock.
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');

/** Each layer, top first, with the layers its files may import (besides its own). */
export const LAYERS: Record<string, readonly string[]> = {
  cli: ['http', 'worker', 'services', 'store', 'domain', 'lib'],
  http: ['services', 'store', 'domain', 'lib'],
  worker: ['services', 'store', 'domain', 'lib'],
  services: ['store', 'domain', 'lib'],
  store: ['domain', 'lib'],
  domain: ['lib'],
  lib: [],
};

/**
 * What a domain file may import from outside the project: pure libraries and pure parts of Node
 * (hashing, URL and address parsing). Nothing that reads files, the network, a database or a clock.
 */
export const DOMAIN_PACKAGES: Readonly<Record<string, readonly string[] | 'all'>> = {
  'ipaddr.js': 'all',
  'libphonenumber-js': 'all',
  typebox: 'all',
  'node:crypto': ['createHmac', 'createHash', 'timingSafeEqual'],
  'node:url': ['domainToASCII'],
  'node:net': ['isIP'],
};

export interface Import {
  from: string;
  specifier: string;
  names: string[];
}

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(path);
    return entry.name.endsWith('.ts') && !entry.name.endsWith('.test.ts') ? [path] : [];
  });
}

const IMPORT = /^(?:import|export)\s+(?:type\s+)?(?:([\s\S]*?)\s+from\s+)?'([^']+)';?$/gm;

/** The import (and re-export) lines of every non-test source file under src/. */
export function imports(root = ROOT): Import[] {
  return sourceFiles(join(root, 'src')).flatMap((file) =>
    [...readFileSync(file, 'utf8').matchAll(IMPORT)].map(([, clause = '', specifier = '']) => ({
      from: relative(root, file),
      specifier,
      names: [...clause.matchAll(/\b(?:type\s+)?([A-Za-z_$][\w$]*)\b(?=\s*(?:,|}|$|as\b))/g)]
        .map((match) => match[1] ?? '')
        .filter((name) => name !== 'type'),
    })),
  );
}

/** The layer of a path under src/ (`src/http/routes/x.ts` → `http`). */
export const layerOf = (path: string) => path.split('/')[1] ?? '';

/** Where a relative import lands, as a path from the root; null for a package. */
function target({ from, specifier }: Import): string | null {
  return specifier.startsWith('.') ? join(dirname(from), specifier) : null;
}

/** How many imports run from each layer to each other layer, `http → services` and so on. */
export function arrows(all = imports()): Map<string, number> {
  const counts = new Map<string, number>();
  for (const line of all) {
    const to = target(line);
    if (!to || layerOf(to) === layerOf(line.from)) continue;
    const arrow = `${layerOf(line.from)} → ${layerOf(to)}`;
    counts.set(arrow, (counts.get(arrow) ?? 0) + 1);
  }
  return new Map([...counts].sort(([a], [b]) => a.localeCompare(b)));
}

/** Every import that breaks the layer order, or a domain import of I/O, in words. */
export function violations(all = imports(), root = ROOT): string[] {
  const found: string[] = [];
  for (const line of all) {
    const layer = layerOf(line.from);
    const to = target(line);
    if (to) {
      const toLayer = layerOf(to);
      if (toLayer !== layer && !LAYERS[layer]?.includes(toLayer)) {
        found.push(`${line.from} imports ${line.specifier}: ${layer} may not import ${toLayer}`);
      }
    } else if (layer === 'domain') {
      const allowed = DOMAIN_PACKAGES[line.specifier];
      const names = allowed === 'all' ? [] : line.names.filter((name) => !allowed?.includes(name));
      if (!allowed || names.length > 0) {
        found.push(`${line.from} imports ${names.join(', ') || line.specifier} from ${line.specifier}`);
      }
    }
  }
  for (const file of sourceFiles(join(root, 'src', 'domain'))) {
    const text = readFileSync(file, 'utf8');
    for (const [pattern, what] of [
      [/\bprocess\.env\b/, 'reads process.env'],
      [/\bDate\.now\(\)|\bnew Date\(\)/, 'reads the clock'],
    ] as const) {
      if (pattern.test(text))
        found.push(`${relative(root, file)} ${what}: time and settings come in as arguments`);
    }
  }
  return found;
}
