import { readFileSync } from 'node:fs';
import { expect, it } from 'vitest';
import { GENERATED_FILES, generateSdk } from './generate.ts';

it('has its checked-in API document and types generated from the current routes (npm run sdk)', async () => {
  const fresh = await generateSdk();
  // toBe rather than toEqual on parsed JSON: a stale file fails here with a diff of the lines that moved.
  expect(readFileSync(GENERATED_FILES.openapi, 'utf8')).toBe(fresh.openapi);
  expect(readFileSync(GENERATED_FILES.schema, 'utf8')).toBe(fresh.schema);
}, 60_000);

it('shows in the README the example the type checker compiles (sdk/example.ts)', () => {
  const example = readFileSync(new URL('./example.ts', import.meta.url), 'utf8');
  const code = example.slice(example.indexOf('\n') + 1).replace("'./client.ts'", "'./sdk/client.ts'");
  expect(readFileSync(new URL('../README.md', import.meta.url), 'utf8')).toContain(`\`\`\`ts\n${code}\`\`\``);
});
