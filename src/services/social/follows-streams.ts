import { uuidv5 } from '../../commands/event-ids.ts';

/** Namespace for the ids of follow ties (a random v4 UUID, fixed forever). */
const FOLLOW_TIE_NAMESPACE = '9d4b2c71-3e5a-4f86-b0c9-7a1e2d3f4b5c';

/**
 * The stream of the tie between two people: one per unordered pair, so "a follows b" and "b
 * blocked a" are decided together. The pair is sorted, so either side names the same stream.
 */
export function followTieStream(a: string, b: string): string {
  const [first, second] = [a.toLowerCase(), b.toLowerCase()].sort();
  return `followtie-${uuidv5(`${first}:${second}`, FOLLOW_TIE_NAMESPACE)}`;
}
