import type { DeliverySettings, RetrySettings } from '../publishing/settings.ts';

/**
 * How webhook delivery runs. Travels in the workflow's input (so a run keeps the settings it
 * started with, and tests can make retries fast); anything left out takes the defaults below.
 * Pure data: imported by workflow code.
 */
export interface EventWebhookSettings {
  /** Reading the log, the cursor and the webhook; recording dead letters: retried until they work. */
  commands: RetrySettings;
  /** Each event's POST: 5xx, 408, 429, timeouts and refused connections are retried. */
  delivery: DeliverySettings;
  /**
   * Events read per batch. Large enough that each stream's lane carries several events when many
   * streams are busy (one activity per lane), bounded with `batchBytes` so history stays small.
   */
  batchSize: number;
  /** A batch's envelopes, in bytes of JSON: the read stops before the event that would pass it. */
  batchBytes: number;
  /** How long one read waits for a new event when there is none, heartbeating meanwhile. */
  longPollMs: number;
  /** Streams delivered at once within a batch; one stream's events always go one at a time. */
  parallelStreams: number;
  /** Batches per workflow run before it continues as new (with nothing to carry: the cursor is a table). */
  batchesPerRun: number;
}

export type EventWebhookSettingsInput = {
  [Part in keyof EventWebhookSettings]?: EventWebhookSettings[Part] extends object
    ? Partial<EventWebhookSettings[Part]>
    : EventWebhookSettings[Part];
};

export const DEFAULT_EVENT_WEBHOOK_SETTINGS: EventWebhookSettings = {
  commands: {
    maximumAttempts: 0,
    initialIntervalMs: 1_000,
    backoffCoefficient: 2,
    maximumIntervalMs: 60_000,
  },
  // 8 attempts: 1 s, 2 s, 4 s, … capped at 5 min, about 9 minutes before an event is dead-lettered.
  delivery: {
    maximumAttempts: 8,
    initialIntervalMs: 1_000,
    backoffCoefficient: 2,
    maximumIntervalMs: 300_000,
    requestTimeoutMs: 10_000,
    heartbeatTimeoutMs: 10_000,
  },
  batchSize: 200,
  batchBytes: 256 * 1024,
  longPollMs: 20_000,
  parallelStreams: 16,
  batchesPerRun: 50,
};

export function resolveEventWebhookSettings(input: EventWebhookSettingsInput = {}): EventWebhookSettings {
  const defaults = DEFAULT_EVENT_WEBHOOK_SETTINGS;
  return {
    commands: { ...defaults.commands, ...input.commands },
    delivery: { ...defaults.delivery, ...input.delivery },
    batchSize: input.batchSize ?? defaults.batchSize,
    batchBytes: input.batchBytes ?? defaults.batchBytes,
    longPollMs: input.longPollMs ?? defaults.longPollMs,
    parallelStreams: input.parallelStreams ?? defaults.parallelStreams,
    batchesPerRun: input.batchesPerRun ?? defaults.batchesPerRun,
  };
}
