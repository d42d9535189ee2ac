import { beforeAll, describe, expect, it } from 'vitest';
import type { ErrorCode } from '../../../src/lib/errors.ts';
import { expectRefused, send, t, useRewardFixtures } from '../../support/reward-fixtures.ts';

// Bad query strings to the payout, reward, tax-report and audit routes, and the OpenAPI document
// that describes those routes, their error responses and their parameters.

useRewardFixtures();

describe('query strings', () => {
  const tax = '/v1/programs/{program}/tax_report';
  it.each([
    [`${tax}?year=abc`, 'invalid_type', 'year'],
    [`${tax}?year=2030.5`, 'invalid_type', 'year'],
    [`${tax}?year=1999`, 'value_too_small', 'year'],
    [`${tax}?year=2101`, 'value_too_large', 'year'],
    [tax, 'missing_field', 'year'],
    [`${tax}?year=2030&currency=USD`, 'unknown_field', 'currency'],
    ['/v1/payouts?limit=0', 'value_too_small', 'limit'],
    ['/v1/payouts?limit=101', 'value_too_large', 'limit'],
    ['/v1/payouts?limit=ten', 'invalid_type', 'limit'],
    ['/v1/payouts?program_id=', 'invalid_length', 'program_id'],
    ['/v1/payouts?starting_after=', 'invalid_length', 'starting_after'],
    ['/v1/payouts?status=bogus', 'unknown_field', 'status'],
    ['/v1/audit_log?subject_id=', 'invalid_length', 'subject_id'],
    [`/v1/audit_log?subject_id=${'s'.repeat(65)}`, 'invalid_length', 'subject_id'],
    ['/v1/audit_log?limit=0', 'value_too_small', 'limit'],
    ['/v1/audit_log?limit=-3', 'value_too_small', 'limit'],
    ['/v1/audit_log?actor=system', 'unknown_field', 'actor'],
    ['/v1/rewards?status=bogus', 'invalid_value', 'status'],
    ['/v1/rewards?status=PENDING', 'invalid_value', 'status'],
    ['/v1/rewards?participant_id=', 'invalid_length', 'participant_id'],
    ['/v1/rewards?limit=0', 'value_too_small', 'limit'],
  ] as [string, ErrorCode, string][])('GET %s answers 400 %s naming %s', async (url, code, param) => {
    await expectRefused(() => send('GET', url), 400, code, param);
  });
});

describe('GET /openapi.json', () => {
  let doc: any;
  beforeAll(async () => {
    doc = (await t.app.inject({ method: 'GET', url: '/openapi.json' })).json();
  });

  // The generic check that every error response uses the Error schema is in openapi.test.ts.
  it.each([
    ['get', '/v1/rewards/{id}', ['200', '401', '404']],
    ['post', '/v1/rewards/{id}/approve', ['200', '401', '404', '409']],
    ['post', '/v1/rewards/{id}/reverse', ['200', '400', '401', '404', '409', '422']],
    ['post', '/v1/payouts', ['201', '400', '401', '404', '409', '422']],
    ['get', '/v1/payouts', ['200', '400', '401']],
    ['get', '/v1/payouts/{id}', ['200', '401', '404']],
    ['get', '/v1/payouts/{id}/items.csv', ['200', '401', '404']],
    ['post', '/v1/payouts/{id}/confirm', ['200', '401', '404', '409']],
    ['post', '/v1/payouts/{id}/cancel', ['200', '401', '404', '409']],
    ['get', '/v1/programs/{id}/tax_report', ['200', '400', '401', '404']],
    ['get', '/v1/audit_log', ['200', '400', '401']],
  ])('documents %s %s with its error responses', (method, path, statuses) => {
    const operation = doc.paths[path]?.[method];
    expect(operation, `${method} ${path}`).toBeDefined();
    expect(Object.keys(operation.responses)).toEqual(expect.arrayContaining(statuses));
    for (const status of statuses.filter((s) => Number(s) >= 400)) {
      expect(operation.responses[status].content['application/json'].schema.$ref).toBe(
        '#/components/schemas/Error',
      );
    }
  });

  it('documents the new program fields, the refund reference and the query parameters', () => {
    const bodyOf = (path: string, method: string) =>
      doc.paths[path][method].requestBody.content['application/json'].schema;
    for (const [path, method] of [
      ['/v1/programs', 'post'],
      ['/v1/programs/{id}', 'patch'],
    ] as const) {
      expect(Object.keys(bodyOf(path, method).properties)).toEqual(
        expect.arrayContaining([
          'reward_hold_days',
          'payout_minimums',
          'tax_reporting_thresholds',
          'qualification',
          'caps',
        ]),
      );
    }
    // Events are one schema per type (a oneOf on `type`): the refund's names the purchase it refunds.
    const refund = bodyOf('/v1/events', 'post').oneOf.find(
      (variant: { properties: { type: { enum: string[] } } }) => variant.properties.type.enum[0] === 'refund',
    );
    expect(refund.properties).toHaveProperty('purchase_external_id');
    expect(refund.required).toContain('purchase_external_id');
    expect(bodyOf('/v1/rewards/{id}/reverse', 'post').required).toEqual(['reason']);
    const parameters = (path: string) =>
      Object.fromEntries(
        doc.paths[path].get.parameters.map((p: { name: string; required?: boolean }) => [p.name, p]),
      );
    expect(parameters('/v1/programs/{id}/tax_report').year).toMatchObject({ in: 'query', required: true });
    expect(parameters('/v1/audit_log').subject_id).toMatchObject({ in: 'query' });
    expect(parameters('/v1/payouts').program_id).toMatchObject({ in: 'query' });
  });
});
