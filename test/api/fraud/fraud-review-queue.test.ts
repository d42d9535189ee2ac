// The review queue as an admin reads it: GET /v1/reviews filtered by program, status and
// referral, newest first, in pages.
import { beforeEach, describe, expect, it } from 'vitest';
import { decide, fraudProgram, referredBy, reviewsOf, startClock } from '../../support/fraud-fixtures.ts';
import { t, useLedgerCheckedApp } from '../../support/ledger-checked-app.ts';

useLedgerCheckedApp();
beforeEach(() => {
  startClock();
});

describe('GET /v1/reviews', () => {
  /** A program whose referrer brought three friends at disposable addresses, each held for review. */
  async function queue() {
    const { program, referrer } = await fraudProgram();
    const referralIds: string[] = [];
    for (const name of ['anna', 'bruno', 'chiara']) {
      referralIds.push((await referredBy(referrer, { email: `${name}@mailinator.com` })).referralId);
    }
    const reviews = [];
    for (const id of referralIds) reviews.push(...((await reviewsOf(id)) as { id: string }[]));
    return { program, referralIds, reviewIds: reviews.map((r) => r.id) };
  }
  const ids = async (query: string) => {
    const res = await t.api('GET', `/v1/reviews?${query}`);
    expect(res.status).toBe(200);
    return { ids: res.body.data.map((r: { id: string }) => r.id), hasMore: res.body.has_more };
  };

  it('filters by program, status and referral, newest first', async () => {
    const { program, referralIds, reviewIds } = await queue();
    const other = await queue();
    const [first, second, third] = reviewIds as [string, string, string];
    await decide(second, 'approve');

    expect(await ids(`program_id=${program.id}`)).toEqual({ ids: [third, second, first], hasMore: false });
    expect(await ids(`program_id=${program.id}&status=open`)).toEqual({
      ids: [third, first],
      hasMore: false,
    });
    expect(await ids(`program_id=${program.id}&status=approved`)).toEqual({ ids: [second], hasMore: false });
    expect(await ids(`referral_id=${referralIds[2]}`)).toEqual({ ids: [third], hasMore: false });
    expect(await ids(`program_id=${other.program.id}&status=rejected`)).toEqual({ ids: [], hasMore: false });
    const open = (await ids('status=open&limit=100')).ids;
    expect(open).toEqual(expect.arrayContaining([third, first, ...other.reviewIds]));
    expect(open).not.toContain(second);
  });

  it('pages with limit and starting_after', async () => {
    const { program, reviewIds } = await queue();
    const [first, second, third] = reviewIds as [string, string, string];

    const page1 = await ids(`program_id=${program.id}&limit=2`);
    const page2 = await ids(`program_id=${program.id}&limit=2&starting_after=${page1.ids[1]}`);

    expect(page1).toEqual({ ids: [third, second], hasMore: true });
    expect(page2).toEqual({ ids: [first], hasMore: false });
  });

  it.each([
    ['status=pending', 'invalid_value', 'status'],
    ['limit=0', 'value_too_small', 'limit'],
    ['colour=red', 'unknown_field', 'colour'],
  ])('refuses ?%s with 400 %s', async (query, code, param) => {
    const res = await t.api('GET', `/v1/reviews?${query}`);

    expect(res.status).toBe(400);
    expect(res.body.error).toMatchObject({ code, param });
  });
});
