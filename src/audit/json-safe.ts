/**
 * A value as JSON can carry it to an auditor: bigints as decimal strings, dates as ISO strings,
 * maps as objects (keys as strings), sets as arrays; undefined members are left out.
 */
export function toJsonSafe(value: unknown): unknown {
  if (typeof value === 'bigint') return value.toString();
  if (value === null || typeof value !== 'object') return typeof value === 'function' ? undefined : value;
  if (value instanceof Date) return value.toISOString();
  if (value instanceof Map) {
    return Object.fromEntries([...value].map(([key, member]) => [String(key), toJsonSafe(member)]));
  }
  if (value instanceof Set) return [...value].map(toJsonSafe);
  if (Array.isArray(value)) return value.map((member) => toJsonSafe(member) ?? null);
  const entries = Object.entries(value).flatMap(([key, member]) => {
    const safe = toJsonSafe(member);
    return safe === undefined ? [] : [[key, safe] as const];
  });
  return Object.fromEntries(entries);
}
