/**
 * How the notification delivery saga paces itself. Production keeps the defaults; tests hand in
 * settings (through the reactions) so that backoff takes milliseconds rather than minutes.
 */
export interface NotificationDeliverySettings {
  /** Sends of one push or e-mail before a transient failure becomes permanent ('failed'). */
  maximumAttempts: number;
  /** The wait after the first transient failure; doubled after each further one, up to the maximum. */
  initialBackoffMs: number;
  maximumBackoffMs: number;
  /** Sends in flight at once within one delivery activity. */
  concurrency: number;
  /** Deliveries one activity handles before handing back to the workflow (bounds one attempt's time). */
  deliveriesPerActivity: number;
  /** How long planning waits for the notifications read model to reach the event before retrying. */
  projectionWaitMs: number;
  /**
   * A delivery activity that has not heartbeated for this long is taken for dead (its worker was
   * killed) and retried; the retry settles what it had in flight 'unknown'.
   */
  heartbeatTimeoutMs: number;
}

export type NotificationDeliverySettingsInput = Partial<NotificationDeliverySettings>;

export const DEFAULT_NOTIFICATION_DELIVERY_SETTINGS: NotificationDeliverySettings = {
  // 30 s, 1 min, 2 min … 30 min: eight attempts span about an hour and a half, long enough to ride
  // out a push service's or mail server's bad hour, short enough that a notification is still news.
  maximumAttempts: 8,
  initialBackoffMs: 30_000,
  maximumBackoffMs: 30 * 60_000,
  concurrency: 16,
  deliveriesPerActivity: 500,
  projectionWaitMs: 30_000,
  heartbeatTimeoutMs: 30_000,
};

export function resolveNotificationDeliverySettings(
  input: NotificationDeliverySettingsInput | undefined,
): NotificationDeliverySettings {
  return { ...DEFAULT_NOTIFICATION_DELIVERY_SETTINGS, ...input };
}

/**
 * The wait before the next attempt after `attempts` failed sends: the server's Retry-After when it
 * asked for longer (capped by the maximum), the exponential backoff otherwise.
 */
export function backoffMs(
  settings: Pick<NotificationDeliverySettings, 'initialBackoffMs' | 'maximumBackoffMs'>,
  attempts: number,
  retryAfterMs?: number,
): number {
  const exponential = settings.initialBackoffMs * 2 ** Math.max(0, attempts - 1);
  const wait = Math.max(exponential, retryAfterMs ?? 0);
  return Math.min(wait, settings.maximumBackoffMs);
}
