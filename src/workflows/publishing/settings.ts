import type { RetryPolicy } from '@temporalio/workflow';

/**
 * How patient the publishing saga is, per kind of activity. Travels in the workflow's input (so a
 * run keeps the settings it started with, and tests can make retries fast); anything left out
 * takes the defaults below. Pure data: imported by workflow code.
 */
export interface RetrySettings {
  /** 0 = unlimited. */
  maximumAttempts: number;
  initialIntervalMs: number;
  backoffCoefficient: number;
  maximumIntervalMs: number;
}

export interface DeliverySettings extends RetrySettings {
  /** One HTTP request: connecting, sending and reading the status line. */
  requestTimeoutMs: number;
  /** A delivery that stops heartbeating (its worker died) is retried elsewhere after this. */
  heartbeatTimeoutMs: number;
}

export interface PublishingSettings {
  /** Commands and reads against the event store: retried until the store answers. */
  commands: RetrySettings;
  /** Claims review and metadata generation through the AI provider (which retries HTTP itself). */
  ai: RetrySettings;
  /** Webhook deliveries: 5xx, 408, 429, timeouts and refused connections are retried. */
  delivery: DeliverySettings;
}

export type PublishingSettingsInput = {
  [Part in keyof PublishingSettings]?: Partial<PublishingSettings[Part]>;
};

export const DEFAULT_PUBLISHING_SETTINGS: PublishingSettings = {
  commands: {
    maximumAttempts: 0,
    initialIntervalMs: 1_000,
    backoffCoefficient: 2,
    maximumIntervalMs: 60_000,
  },
  ai: { maximumAttempts: 5, initialIntervalMs: 2_000, backoffCoefficient: 2, maximumIntervalMs: 60_000 },
  // 10 attempts: 1 s, 2 s, 4 s, … capped at 2 min, about 6 minutes before a channel counts as failed.
  delivery: {
    maximumAttempts: 10,
    initialIntervalMs: 1_000,
    backoffCoefficient: 2,
    maximumIntervalMs: 120_000,
    requestTimeoutMs: 10_000,
    heartbeatTimeoutMs: 10_000,
  },
};

export function resolveSettings(input: PublishingSettingsInput = {}): PublishingSettings {
  return {
    commands: { ...DEFAULT_PUBLISHING_SETTINGS.commands, ...input.commands },
    ai: { ...DEFAULT_PUBLISHING_SETTINGS.ai, ...input.ai },
    delivery: { ...DEFAULT_PUBLISHING_SETTINGS.delivery, ...input.delivery },
  };
}

/** Temporal's retry policy; failures marked non-retryable (domain refusals, 4xx) are never retried. */
export function retryPolicy(settings: RetrySettings): RetryPolicy {
  return {
    // Temporal refuses 0: "unlimited" is the field left out.
    ...(settings.maximumAttempts > 0 ? { maximumAttempts: settings.maximumAttempts } : {}),
    initialInterval: settings.initialIntervalMs,
    backoffCoefficient: settings.backoffCoefficient,
    maximumInterval: settings.maximumIntervalMs,
  };
}
