import { type RetrySettings, retryPolicy } from '../publishing/settings.ts';

export { retryPolicy };

/**
 * How the matching saga behaves: how long a mentor has to answer, how many offers it makes before
 * giving up, and how patiently its commands are retried. Travels in the workflow's input (a run
 * keeps the settings it started with; tests make the timeout short); anything left out takes the
 * defaults. Pure data: imported by workflow code.
 */
export interface MatchingSettings {
  /** From the offer until it expires and the next candidate is offered (`MATCH_OFFER_TIMEOUT_MS`). */
  offerTimeoutMs: number;
  /** Offers made before the request fails with `offers_exhausted`. */
  maxOffers: number;
  /** Commands and reads against the event store and the read models: retried until they answer. */
  commands: RetrySettings;
}

export type MatchingSettingsInput = Partial<Omit<MatchingSettings, 'commands'>> & {
  commands?: Partial<RetrySettings>;
};

export const DEFAULT_MATCHING_SETTINGS: MatchingSettings = {
  offerTimeoutMs: 24 * 60 * 60 * 1_000,
  maxOffers: 5,
  commands: {
    maximumAttempts: 0,
    initialIntervalMs: 1_000,
    backoffCoefficient: 2,
    maximumIntervalMs: 60_000,
  },
};

export function resolveSettings(input: MatchingSettingsInput = {}): MatchingSettings {
  return {
    offerTimeoutMs: input.offerTimeoutMs ?? DEFAULT_MATCHING_SETTINGS.offerTimeoutMs,
    maxOffers: input.maxOffers ?? DEFAULT_MATCHING_SETTINGS.maxOffers,
    commands: { ...DEFAULT_MATCHING_SETTINGS.commands, ...input.commands },
  };
}
