// The harness checks every answer a test receives against /openapi.json (test/support/app.ts).
// These cases show that it cannot be satisfied by an answer the document does not describe: each
// feeds the checker a made-up answer beside the app's real document.
import type { InjectOptions, LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../../support/app.ts';
import { validatingInject } from '../../support/response-validator.ts';

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(() => t.close());

/** A checker whose every answer but the document's is `answer`. */
function answering(answer: { status: number; contentType?: string; body: string }) {
  return validatingInject(async (options: InjectOptions | string) => {
    const url = typeof options === 'string' ? options : options.url;
    if (url === '/openapi.json') return t.app.inject({ method: 'GET', url });
    const headers = answer.contentType ? { 'content-type': answer.contentType } : {};
    return { statusCode: answer.status, headers, body: answer.body } as unknown as LightMyRequestResponse;
  });
}

const get = (url: string) => ({ method: 'GET' as const, url });
const emptyList = JSON.stringify({ object: 'list', data: [], has_more: false, next_cursor: null });

describe('the response check', () => {
  it('passes an answer the document describes', async () => {
    const res = await t.api('GET', '/v1/programs');

    expect(res.status).toBe(200);
  });

  it('fails a status the operation does not declare', async () => {
    const inject = answering({ status: 418, contentType: 'application/json', body: '{}' });

    await expect(inject(get('/v1/programs'))).rejects.toThrow(/status 418 is not documented/);
  });

  it('fails a body that does not match its schema', async () => {
    const inject = answering({ status: 200, contentType: 'application/json', body: '{"data": 5}' });

    await expect(inject(get('/v1/programs'))).rejects.toThrow(/body/);
  });

  it('fails a content type the status does not declare', async () => {
    const inject = answering({ status: 200, contentType: 'text/plain', body: emptyList });

    await expect(inject(get('/v1/programs'))).rejects.toThrow(/content type text\/plain is not documented/);
  });

  it('fails a path the document does not name, unless it is the one-shape 404', async () => {
    await expect(
      answering({ status: 200, contentType: 'application/json', body: '{}' })(get('/v1/nothing')),
    ).rejects.toThrow(/no operation in the document matches/);
    const notFound = JSON.stringify({
      error: { type: 'invalid_request', code: 'not_found', message: 'No route for GET /v1/nothing.' },
    });
    const res = await answering({ status: 404, contentType: 'application/json', body: notFound })(
      get('/v1/nothing'),
    );
    expect(res.statusCode).toBe(404);
  });
});
