import { Ajv2020, type ValidateFunction } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import type { InjectOptions, LightMyRequestResponse } from 'fastify';

/**
 * Checks a response against the app's own API document (what `GET /openapi.json` serves): the
 * status is declared for the operation, the content type is one that status declares, and the
 * body matches its schema. Every request the test harness injects goes through this, so a route
 * that answers what it does not document fails its own test.
 */

/** Requests the document leaves out on purpose; anything else it does not name fails. */
const UNDOCUMENTED: ReadonlyArray<{ method: string; path: string; reason: string }> = [
  { method: 'GET', path: '/openapi.json', reason: 'the document itself' },
  { method: 'GET', path: '/health', reason: "a load balancer's liveness probe, not part of the API" },
  { method: 'GET', path: '/health/live', reason: "a load balancer's liveness probe, not part of the API" },
  { method: 'GET', path: '/health/ready', reason: "a load balancer's readiness probe, not part of the API" },
  { method: 'GET', path: '/metrics', reason: "Prometheus's scrape (text format), not part of the API" },
];

interface Operation {
  method: string;
  template: string;
  pattern: RegExp;
  responses: Record<string, { content?: Record<string, unknown> }>;
}

const DOCUMENT_ID = 'urn:vouch:openapi';

class DocumentValidator {
  private readonly ajv = new Ajv2020({ strict: false, allErrors: true });
  private readonly operations: Operation[] = [];
  private readonly compiled = new Map<string, ValidateFunction>();

  constructor(document: { paths: Record<string, Record<string, Operation['responses'] | any>> }) {
    addFormats.default(this.ajv);
    // Added once: each response schema is then compiled by a reference into it, on first use.
    this.ajv.addSchema({ $id: DOCUMENT_ID, paths: document.paths, components: (document as any).components });
    for (const [template, item] of Object.entries(document.paths)) {
      for (const [method, operation] of Object.entries<any>(item)) {
        // A parameter may be empty, as in Fastify's router: `/v1/rewards/` reaches `{id}` as ''.
        const pattern = new RegExp(
          `^${template.replace(/[.*+?^$()|[\]\\]/g, '\\$&').replace(/\\?\{[^}]+\\?\}/g, '[^/]*')}$`,
        );
        this.operations.push({
          method: method.toUpperCase(),
          template,
          pattern,
          responses: operation.responses,
        });
      }
    }
    // A literal segment wins over a parameter, as in Fastify's router.
    this.operations.sort((a, b) => paramCount(a.template) - paramCount(b.template));
  }

  /** What is wrong with this answer to `method url`, or null when the document says it. */
  problems(method: string, url: string, res: LightMyRequestResponse): string | null {
    const path = url.split('?')[0] ?? url;
    const asMethod = method === 'HEAD' ? 'GET' : method;
    if (UNDOCUMENTED.some((u) => u.method === asMethod && u.path === path)) return null;
    const operation = this.operations.find((o) => o.method === asMethod && o.pattern.test(path));
    if (!operation) return this.notFoundProblems(res);
    const pointer = `/paths/${escapePointer(operation.template)}/${asMethod.toLowerCase()}/responses`;
    const status = String(res.statusCode);
    const response = operation.responses[status];
    if (!response) {
      return `status ${status} is not documented (documented: ${Object.keys(operation.responses).join(', ')})`;
    }
    const mediaType = String(res.headers['content-type'] ?? '')
      .split(';')[0]
      ?.trim()
      .toLowerCase();
    const content = response.content ?? {};
    if (Object.keys(content).length === 0) {
      return res.body === '' ? null : `status ${status} documents no body, but one was sent`;
    }
    if (!mediaType || !(mediaType in content)) {
      return `content type ${mediaType || '(none)'} is not documented for ${status} (documented: ${Object.keys(content).join(', ')})`;
    }
    if (method === 'HEAD') return null;
    const validate = this.validator(`${pointer}/${status}/content/${escapePointer(mediaType)}/schema`);
    return this.bodyProblems(validate, mediaType, res.body);
  }

  // No operation matches: only the not-found handler may answer, in the one error shape.
  private notFoundProblems(res: LightMyRequestResponse): string | null {
    if (res.statusCode !== 404) return `no operation in the document matches (answered ${res.statusCode})`;
    return this.bodyProblems(this.validator('/components/schemas/Error'), 'application/json', res.body);
  }

  private bodyProblems(validate: ValidateFunction, mediaType: string, text: string): string | null {
    let body: unknown = text;
    if (isJson(mediaType)) {
      try {
        body = JSON.parse(text);
      } catch {
        return `the body is not JSON: ${text.slice(0, 200)}`;
      }
    }
    if (validate(body)) return null;
    const errors = (validate.errors ?? [])
      .slice(0, 5)
      .map((e) => `body${e.instancePath} ${e.message}${e.params ? ` ${JSON.stringify(e.params)}` : ''}`);
    return `${errors.join('; ')}\n  body: ${text.slice(0, 500)}`;
  }

  private validator(pointer: string): ValidateFunction {
    let validate = this.compiled.get(pointer);
    if (!validate) {
      validate = this.ajv.compile({ $ref: `${DOCUMENT_ID}#${pointer}` });
      this.compiled.set(pointer, validate);
    }
    return validate;
  }
}

const paramCount = (template: string) => template.split('{').length - 1;
const escapePointer = (segment: string) => segment.replaceAll('~', '~0').replaceAll('/', '~1');
const isJson = (mediaType: string) => mediaType === 'application/json' || mediaType.endsWith('+json');

// Compiled once per test process and document: apps built with the same routes share it.
const validators = new Map<string, DocumentValidator>();

function validatorFor(documentText: string): DocumentValidator {
  let validator = validators.get(documentText);
  if (!validator) {
    validator = new DocumentValidator(JSON.parse(documentText));
    validators.set(documentText, validator);
  }
  return validator;
}

type Inject = (options: InjectOptions | string) => Promise<LightMyRequestResponse>;

/**
 * Wraps an app's `inject` so that every answer is checked against the document the app serves,
 * and a request it does not document throws with what differs.
 */
export function validatingInject(inject: Inject): Inject {
  let document: Promise<DocumentValidator> | undefined;
  return async (options) => {
    const res = await inject(options);
    const { method = 'GET', url = '/' } =
      typeof options === 'string' ? { url: options } : (options as { method?: string; url?: string });
    document ??= inject({ method: 'GET', url: '/openapi.json' }).then((r) => validatorFor(r.body));
    const problems = (await document).problems(method.toUpperCase(), String(url), res);
    if (problems) {
      throw new Error(
        `${method.toUpperCase()} ${url} answered what the API document does not say: ${problems}`,
      );
    }
    return res;
  };
}
