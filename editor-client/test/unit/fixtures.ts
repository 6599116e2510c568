import type { Status } from '../../src/protocol';

/** The example from docs/protocol.md. */
export function sampleStatus(over: Partial<Status> = {}): Status {
  return {
    used: 7200.0,
    limit: 10000.0,
    fraction: 0.72,
    period: 'month',
    burnPerMin: 12.5,
    daysLeft: 3.1,
    tier: 'basic',
    state: 'warning',
    busy: false,
    message: 'AI quota 72% used — 3.1 days left at the current rate',
    platforms: [{ name: 'openai', used: 5000.0, limit: 8000.0, fraction: 0.625 }],
    tokensSaved: 48210,
    costPerAccepted: 212.5,
    accepted: 14,
    ...over,
  };
}
