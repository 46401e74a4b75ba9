/**
 * What auditors see instead of a credential: that one was set, never its value. Password and token
 * hashes can be attacked offline and a TOTP secret mints sign-in codes, so "full data" for an
 * auditor stops at them; the history itself keeps them (the hash chain covers them).
 */
export const REDACTED = '[credential]';

/** An event's data with its declared credential fields (top level) replaced. */
export function redactFields(data: unknown, fields: readonly string[]): unknown {
  if (fields.length === 0 || data === null || typeof data !== 'object' || Array.isArray(data)) return data;
  const redacted: Record<string, unknown> = { ...data };
  for (const field of fields) if (field in redacted) redacted[field] = REDACTED;
  return redacted;
}

/** A JSON-safe state with every member named in `keys`, at any depth, replaced. */
export function redactKeys(value: unknown, keys: ReadonlySet<string>): unknown {
  if (keys.size === 0 || value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) return value.map((member) => redactKeys(member, keys));
  return Object.fromEntries(
    Object.entries(value).map(([key, member]) => [key, keys.has(key) ? REDACTED : redactKeys(member, keys)]),
  );
}
