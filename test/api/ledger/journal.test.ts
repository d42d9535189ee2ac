import { describe, expect, it } from 'vitest';
import { JOURNAL_COLUMNS } from '../../../src/http/journal-csv.ts';
import { event, makeParticipant, makeProgram, unique } from '../../support/factories.ts';
import { t, useLedgerCheckedApp } from '../../support/ledger-checked-app.ts';

useLedgerCheckedApp();

const T = new Date('2032-03-01T12:00:00.000Z');

/** A program paying its referrer credit and its referee cash; one referral qualified at T. */
async function qualifiedProgram() {
  t.setNow(T);
  const program = await makeProgram(t, {
    rewards: {
      referrer: { amount: 1000, currency: 'USD', kind: 'credit' },
      referee: { amount: 500, currency: 'USD', accounting_class: 'customer_acquisition_cost' },
    },
    reward_hold_days: 0,
  });
  const referrer = await makeParticipant(t, program.id);
  const friend = unique('friend');
  await t.api('POST', '/v1/events', event('signup', friend, { referral: { code: referrer.referral_code } }));
  const res = await t.api(
    'POST',
    '/v1/events',
    event('purchase', friend, { amount: 10_000, currency: 'USD' }),
  );
  for (const id of res.body.result.reward_ids) await t.api('POST', `/v1/rewards/${id}/approve`);
  return program;
}

// No cell here holds a comma or a quote (ids, times, accounts, numbers), so a split reads it.
function rowsOf(text: string): Record<string, string>[] {
  const [header, ...lines] = text.trim().split('\n');
  const columns = (header as string).split(',');
  return lines.map((line) => Object.fromEntries(line.split(',').map((cell, i) => [columns[i], cell])));
}

describe('journal export', () => {
  it('lists every entry with its reward kind and accounting class, each posting summing to zero', async () => {
    const program = await qualifiedProgram();
    const res = await t.api('GET', `/v1/programs/${program.id}/journal.csv`);
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBe('text/csv; charset=utf-8');
    expect((res.body as string).split('\n')[0]).toBe(JOURNAL_COLUMNS.join(','));
    const rows = rowsOf(res.body as string);
    // credit: created, approved, issued; cash: created, approved. Two entries each.
    expect(rows).toHaveLength(10);
    const sums = new Map<string, number>();
    for (const row of rows)
      sums.set(
        row.posting_id as string,
        (sums.get(row.posting_id as string) ?? 0) + Number(row.amount_minor),
      );
    expect(
      [...sums.values()].every((sum) => sum === 0),
      JSON.stringify(rows),
    ).toBe(true);
    const classes = new Set(rows.map((r) => `${r.reward_kind}:${r.accounting_class}`));
    expect([...classes].sort()).toEqual(['cash:customer_acquisition_cost', 'credit:contra_revenue']);
    expect(rows.find((r) => r.account === 'in_kind_issued')).toMatchObject({
      amount_minor: '1000',
      amount: '10.00',
    });
    expect(rows.some((r) => r.reward_kind === 'credit' && (r.account ?? '').startsWith('participant_'))).toBe(
      false,
    );
  });

  it('keeps to the time range asked for', async () => {
    const program = await qualifiedProgram();
    const after = await t.api('GET', `/v1/programs/${program.id}/journal.csv?since=2032-03-01T12:00:00.001Z`);
    expect(rowsOf(after.body as string)).toEqual([]);
    const before = await t.api(
      'GET',
      `/v1/programs/${program.id}/journal.csv?until=2032-03-01T12:00:00.000Z`,
    );
    expect(rowsOf(before.body as string)).toEqual([]);
    const within = await t.api(
      'GET',
      `/v1/programs/${program.id}/journal.csv?since=2032-03-01T12:00:00.000Z`,
    );
    expect(rowsOf(within.body as string)).toHaveLength(10);
  });

  it('answers an unknown program with 404 and a bad range with 400', async () => {
    expect((await t.api('GET', '/v1/programs/prg_nope/journal.csv')).status).toBe(404);
    const bad = await t.api('GET', '/v1/programs/prg_nope/journal.csv?since=yesterday');
    expect(bad.status).toBe(400);
    expect(bad.body.error.param).toBe('since');
  });
});
