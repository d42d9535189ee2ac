import type { Config } from '../lib/config.ts';
import type { Metrics } from '../lib/metrics.ts';
import type { Screening } from '../services/fraud/screening.ts';
import type { Store } from '../store/database.ts';
import type { ClickRecorder } from './edge/click-recorder.ts';

/** What route modules are handed; they read nothing global. */
export interface RouteDeps {
  store: Store;
  config: Config;
  /** Signs cookies and salts IP hashes. */
  secret: string;
  clicks: ClickRecorder;
  /** Identity hashing and the disposable-domain list, for ingestion. */
  screening: Screening;
  now: () => Date;
  metrics: Metrics;
}
