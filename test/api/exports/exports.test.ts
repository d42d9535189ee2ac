import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../../support/app.ts';
import { event, makeParticipant, makeProgram, unique } from '../../support/factories.ts';

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(() => t.close());

/** The export reads rows a minute old: look from two minutes ahead to see the ones just made. */
const later = () => t.setNow(new Date(Date.now() + 120_000));

describe('warehouse exports', () => {
  it('pages through a table oldest first, resuming exactly after its cursor', async () => {
    const program = await makeProgram(t);
    const referrer = await makeParticipant(t, program.id);
    for (let i = 0; i < 5; i++) {
      await t.api(
        'POST',
        '/v1/events',
        event('signup', unique('friend'), { referral: { code: referrer.referral_code } }),
      );
    }
    later();
    const all = (await t.api('GET', '/v1/exports/events?limit=10000')).body;
    const ids: string[] = [];
    let after = '';
    for (;;) {
      const page = await t.api('GET', `/v1/exports/events?limit=2${after ? `&after=${after}` : ''}`);
      expect(page.status, JSON.stringify(page.body)).toBe(200);
      ids.push(...page.body.data.map((r: { id: string }) => r.id));
      if (!page.body.has_more) break;
      after = page.body.next_cursor;
    }
    expect(ids).toEqual(all.data.map((r: { id: string }) => r.id));
    expect([...ids].sort()).toEqual(ids);
    expect(all.columns).toContain('customer_external_id');
    expect(Object.keys(all.data[0])).toEqual(all.columns);
    t.setNow(null);
  });

  it('shows nothing younger than a minute, so a late commit is never passed', async () => {
    const program = await makeProgram(t);
    const participant = await makeParticipant(t, program.id);
    const now = (await t.api('GET', '/v1/exports/participants?limit=10000')).body.data;
    expect(now.map((r: { id: string }) => r.id)).not.toContain(participant.id);
    later();
    const after = (await t.api('GET', '/v1/exports/participants?limit=10000')).body.data;
    expect(after.map((r: { id: string }) => r.id)).toContain(participant.id);
    t.setNow(null);
  });

  it('starts at a time with since', async () => {
    const program = await makeProgram(t);
    const before = new Date(Date.now() - 1000).toISOString();
    const participant = await makeParticipant(t, program.id);
    later();
    const res = await t.api('GET', `/v1/exports/participants?since=${before}`);
    expect(res.body.data.map((r: { id: string }) => r.id)).toContain(participant.id);
    const future = await t.api(
      'GET',
      `/v1/exports/participants?since=${new Date(Date.now() + 10_000).toISOString()}`,
    );
    expect(future.body.data).toEqual([]);
    t.setNow(null);
  });

  it.each([
    ['/v1/exports/api_keys', 'invalid_value', 'table'],
    ['/v1/exports/events?after=par_01', 'invalid_cursor', 'after'],
    ['/v1/exports/events?limit=0', 'value_too_small', 'limit'],
    ['/v1/exports/events?since=yesterday', 'invalid_format', 'since'],
  ])('refuses %s', async (url, code, param) => {
    const res = await t.api('GET', url);
    expect(res.status).toBe(400);
    expect(res.body.error).toMatchObject({ code, param });
  });
});
