/** Stream names, `<category>-<uuid>` so EventStoreDB's `$ce-<category>` projections work. */
export const profileStream = (userId: string) => `socialprofile-${userId}`;

/** Reservation scope for "one person per username" (values are stored normalised, so case-insensitive). */
export const USERNAME_SCOPE = 'username';
