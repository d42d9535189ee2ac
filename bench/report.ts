// The human-readable table. Targets are reported as PASS/MISS and never fail the run; checks on
// data (lost clicks, failed events) are PASS/FAIL and do.
export type Row = [name: string, value: string, verdict?: string];

export const target = (ok: boolean, goal: string) => `${ok ? 'PASS' : 'MISS'} (${goal})`;
export const check = (ok: boolean) => (ok ? 'PASS' : 'FAIL');
export const speed = (rate: number, unit: string, p50: number, p99: number) =>
  `${Math.round(rate)} ${unit}, p50 ${p50} ms, p99 ${p99} ms`;

export function printTable(title: string, rows: Row[]): void {
  const width = Math.max(...rows.map((row) => row[1].length));
  console.log(`\n${title}\n`);
  for (const [name, value, verdict = ''] of rows) {
    console.log(`${name.padEnd(28)} ${value.padEnd(width)}  ${verdict}`.trimEnd());
  }
}
