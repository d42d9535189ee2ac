import { compileErrors, validate } from '@readme/openapi-parser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../../support/app.ts';

describe('GET /openapi.json', () => {
  let t: TestApp;
  let doc: any;
  beforeAll(async () => {
    t = await createTestApp();
    const res = await t.app.inject({ method: 'GET', url: '/openapi.json' });
    expect(res.statusCode).toBe(200);
    doc = res.json();
  });
  afterAll(() => t.close());

  it('is a valid OpenAPI 3.1 document', async () => {
    expect(doc.openapi).toBe('3.1.0');
    // validate() dereferences in place, so give it a copy.
    const result = await validate(structuredClone(doc));
    expect(result.valid, result.valid ? '' : compileErrors(result)).toBe(true);
  });

  it('is served without an API key', async () => {
    const res = await t.app.inject({ method: 'GET', url: '/openapi.json' });
    expect(res.statusCode).toBe(200);
  });

  it.each([
    ['post', '/v1/programs', ['201', '400', '401']],
    ['get', '/v1/programs', ['200', '401']],
    ['get', '/v1/programs/{id}', ['200', '401', '404']],
    ['patch', '/v1/programs/{id}', ['200', '400', '401', '404']],
    ['post', '/v1/participants', ['200', '201', '400', '401', '404']],
    ['get', '/v1/participants/{id}', ['200', '401', '404']],
    ['patch', '/v1/participants/{id}', ['200', '400', '401', '404', '409']],
    ['post', '/v1/events', ['200', '201', '400', '401', '404', '422']],
    ['get', '/v1/referrals', ['200', '400', '401']],
    ['get', '/v1/referrals/{id}', ['200', '401', '404']],
    ['get', '/v1/rewards', ['200', '400', '401']],
    ['get', '/r/{code}', ['302', '404']],
  ])('documents %s %s with its responses', (method, path, statuses) => {
    const operation = doc.paths[path]?.[method];
    expect(operation, `${method} ${path}`).toBeDefined();
    expect(Object.keys(operation.responses)).toEqual(expect.arrayContaining(statuses));
  });

  it('describes every error with the one error schema', () => {
    for (const [path, item] of Object.entries<any>(doc.paths)) {
      for (const [method, operation] of Object.entries<any>(item)) {
        for (const [status, response] of Object.entries<any>(operation.responses)) {
          // The referral link and the pages (share page, portal) answer a person in a browser, in HTML.
          if (Number(status) < 400 || path === '/r/{code}' || response.content?.['text/html']) continue;
          const schema = response.content?.['application/json']?.schema;
          expect(schema?.$ref, `${method} ${path} ${status}`).toBe('#/components/schemas/Error');
        }
      }
    }
  });

  it('marks the public link as needing no key', () => {
    expect(doc.paths['/r/{code}'].get.security).toEqual([]);
  });
});
