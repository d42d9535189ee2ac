import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../../support/app.ts';
import { makeProgram, programBody } from '../../support/factories.ts';

// A program's embed_origins: the pages that may embed its share widget, origins and nothing more.

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(() => t.close());

describe('embed_origins', () => {
  it('is none by default, and kept canonical when set', async () => {
    const plain = await makeProgram(t);
    expect((await t.api('GET', `/v1/programs/${plain.id}`)).body.embed_origins).toEqual([]);
    const res = await t.api('PATCH', `/v1/programs/${plain.id}`, {
      embed_origins: ['https://Shop.Example.com:443', 'http://localhost:3000'],
    });
    expect(res.status).toBe(200);
    expect(res.body.embed_origins).toEqual(['https://shop.example.com', 'http://localhost:3000']);
  });

  it.each([
    ['a path', ['https://shop.example.com/account'], 'invalid_value', 'embed_origins.0'],
    [
      'a trailing slash',
      ['https://ok.example', 'https://shop.example.com/'],
      'invalid_value',
      'embed_origins.1',
    ],
    ['a wildcard', ['*'], 'invalid_value', 'embed_origins.0'],
    ['another scheme', ['chrome-extension://abc'], 'invalid_value', 'embed_origins.0'],
    ['not a list', 'https://shop.example.com', 'invalid_type', 'embed_origins'],
    [
      'more than 20',
      Array.from({ length: 21 }, (_, i) => `https://shop${i}.example.com`),
      'invalid_value',
      'embed_origins',
    ],
  ])('refuses %s with a 400 naming the field, on create and on update', async (_case, value, code, param) => {
    const created = await t.api('POST', '/v1/programs', programBody({ embed_origins: value }));
    expect(created.status).toBe(400);
    expect(created.body.error).toMatchObject({ code, param });
    const program = await makeProgram(t);
    const updated = await t.api('PATCH', `/v1/programs/${program.id}`, { embed_origins: value });
    expect(updated.status).toBe(400);
    expect(updated.body.error).toMatchObject({ code, param });
  });
});
