/** The delivery saga of one source event: one per event, so a replayed event starts nothing new. */
export const deliveryWorkflowId = (sourceEventId: string) => `notify-${sourceEventId}`;

/** One person's daily e-mail digest. */
export const digestWorkflowId = (userId: string) => `notification-digest-${userId}`;

/** The reminders of one mentorship session. */
export const sessionRemindersWorkflowId = (sessionId: string) => `session-reminders-${sessionId}`;

/** Tells a digest workflow the person's preferences changed (digest on or off, another time zone). */
export const DIGEST_PREFERENCES_CHANGED_SIGNAL = 'digestPreferencesChanged';

/** Tells a session's reminder workflow the session was cancelled. */
export const SESSION_CANCELLED_SIGNAL = 'sessionCancelled';

/** The device revocation a person's ended access (a password reset, revoked sessions …) started. */
export const revokeDevicesWorkflowId = (eventId: string) => `revoke-devices-${eventId}`;
