import type { z } from 'zod';
import { validation } from '../shared/domain-error.ts';

/**
 * Parses a command value with the schema its event stores it with; a mismatch is a VALIDATION
 * error with a stable reason and the schema's issues (path and message) as details.
 */
export function validOr<Output>(
  schema: z.ZodType<Output>,
  value: unknown,
  reason: string,
  what: string,
): Output {
  const parsed = schema.safeParse(value);
  if (parsed.success) return parsed.data;
  throw validation(reason, `Invalid ${what}`, {
    issues: parsed.error.issues.map((issue) => ({ path: issue.path.join('.'), message: issue.message })),
  });
}

/** Structural equality of plain data (what events carry): key order does not matter. */
export function deepEqual(a: unknown, b: unknown): boolean {
  if (Object.is(a, b)) return true;
  if (Array.isArray(a) || Array.isArray(b)) {
    return (
      Array.isArray(a) &&
      Array.isArray(b) &&
      a.length === b.length &&
      a.every((item, index) => deepEqual(item, b[index]))
    );
  }
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  const aKeys = Object.keys(a).filter((key) => Reflect.get(a, key) !== undefined);
  const bKeys = Object.keys(b).filter((key) => Reflect.get(b, key) !== undefined);
  return (
    aKeys.length === bKeys.length &&
    aKeys.every((key) => Object.hasOwn(b, key) && deepEqual(Reflect.get(a, key), Reflect.get(b, key)))
  );
}
