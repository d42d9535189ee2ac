/**
 * The windows of the counting fraud rules, in event time. Events arrive late and out of order (a
 * backfill, a retried webhook), so a sign-up at `at` is judged against the others of its window
 * wherever they fall: the rule asks for the busiest span of `windowMs` that holds `at`, among the
 * referrals made before or after it. Loaded in order, that span is the one ending at `at`, which is
 * what a live stream sees. Pure: the caller fetches the times.
 */

export interface Timed {
  id: string;
  /** Event time, in ms since the epoch. */
  at: number;
}

export interface Peak {
  /** How many others fall in the busiest span. */
  count: number;
  /** The span, [from, to], `windowMs` wide and holding `at`. */
  from: number;
  to: number;
  /** The others in it, in time order. */
  members: string[];
}

/** The bounds to fetch candidates from: nothing outside them can share a span with `at`. */
export function windowAround(at: Date, hours: number): { from: string; to: string } {
  const ms = hours * 3_600_000;
  return {
    from: new Date(at.getTime() - ms).toISOString(),
    to: new Date(at.getTime() + ms).toISOString(),
  };
}

/** The busiest span of `windowMs` that contains `at`, over `others` (any order). */
export function peakAround(at: number, others: readonly Timed[], windowMs: number): Peak {
  const sorted = others.filter((o) => Math.abs(o.at - at) <= windowMs).sort((a, b) => a.at - b.at);
  // A busiest span can always start at one of the others at or before `at`, or at `at` itself.
  const starts = [...sorted.filter((o) => o.at <= at).map((o) => o.at), at];
  let best: Peak = { count: 0, from: at - windowMs, to: at, members: [] };
  for (const from of starts) {
    if (from < at - windowMs) continue;
    const to = from + windowMs;
    const inside = sorted.filter((o) => o.at >= from && o.at <= to);
    if (inside.length > best.count)
      best = { count: inside.length, from, to, members: inside.map((o) => o.id) };
  }
  return best;
}
