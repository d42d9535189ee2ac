import { contentSecurityPolicy, inlineStyle } from '../pages/html.ts';

// The short pages the referral link answers with (an unknown code, too many links opened), built
// once at start: a person in a browser reads them, a script reads the status and headers.
const STYLE = inlineStyle(
  'body{font-family:system-ui,sans-serif;max-width:32rem;margin:4rem auto;padding:0 1rem;color:#222}',
);

const POLICY = contentSecurityPolicy(STYLE.source);

/** A fixed page and the headers it goes out with (its length, no caching, its CSP). */
export function plainPage(title: string, heading: string, text: string) {
  const body = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>${title}</title>
${STYLE.tag}
</head><body><h1>${heading}</h1>
<p>${text}</p>
</body></html>`;
  const headers = {
    'content-type': 'text/html; charset=utf-8',
    'content-length': String(Buffer.byteLength(body)),
    'cache-control': 'no-store',
    'content-security-policy': POLICY,
  };
  return { body, headers };
}
