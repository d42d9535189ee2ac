import { readFileSync } from 'node:fs';
import mailchecker from 'mailchecker';
import { type Hasher, identityHasher } from '../identity/identity-keys.ts';

/** What ingestion needs to recognise people and screen them, built once per process. */
export interface Screening {
  hash: Hasher;
  /** Whether a domain, or a domain it is under, hands out throwaway addresses. */
  isDisposable: (domain: string) => boolean;
  /** Per program: its referrals and referrers around a minute of event time, counted at `at` (a cache). */
  norms: Map<string, { at: number; eventMinute: number; referrals: number; referrers: number }>;
}

/**
 * The disposable-domain list of the `mailchecker` package (updated with its releases), plus the
 * domains of an optional file, one per line, so an operator can add domains without a release.
 */
export function disposableDomains(extraFile: string | undefined): (domain: string) => boolean {
  const extra = new Set<string>();
  if (extraFile) {
    for (const line of readFileSync(extraFile, 'utf8').split('\n')) {
      const domain = line.trim().toLowerCase();
      if (domain !== '' && !domain.startsWith('#')) extra.add(domain);
    }
  }
  const listed = mailchecker.blacklist();
  return (domain) => {
    for (let d = domain; d.includes('.'); d = d.slice(d.indexOf('.') + 1)) {
      if (listed.has(d) || extra.has(d)) return true;
    }
    return false;
  };
}

export function createScreening(secret: string, disposableFile?: string): Screening {
  return { hash: identityHasher(secret), isDisposable: disposableDomains(disposableFile), norms: new Map() };
}
