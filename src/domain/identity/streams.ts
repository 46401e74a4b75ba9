/** Stream names, `<category>-<uuid>` so EventStoreDB's `$ce-<category>` projections work. */
export const userStream = (userId: string) => `user-${userId}`;
export const sessionStream = (sessionId: string) => `session-${sessionId}`;
export const apiKeyStream = (keyId: string) => `apikey-${keyId}`;

/** Reservation scope for "one account per e-mail address". */
export const EMAIL_SCOPE = 'email';

/** Lower-cased and trimmed: `Ada@Example.org` and `ada@example.org ` are the same account. */
export function normalizeEmail(email: string): string {
  return email.trim().toLowerCase();
}
