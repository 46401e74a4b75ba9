import { z } from 'zod';
import { validation } from '../../domain/shared/domain-error.ts';

/**
 * A "for you" cursor: the instant the scroll was scored at, then the (total, id) of the last video
 * sent. Every later page scores the same inputs as of that instant and continues strictly after
 * (total, id) in the feed's order, so scores moving meanwhile do not reshuffle the scroll. It
 * holds for a day: past that the inputs it names have mostly aged out of the velocity window,
 * and the client starts a fresh scroll.
 */
export interface ForYouCursor {
  asOf: Date;
  total: number;
  id: string;
}

export const FOR_YOU_CURSOR_TTL_MS = 24 * 3_600_000;

const parts = z.tuple([z.iso.datetime(), z.string().regex(/^-?\d+(\.\d+)?(e[-+]?\d+)?$/), z.uuid()]);

/** `after` has already passed `pageOf`'s shape check (three strings). */
export function forYouCursorOf(after: string[], now: Date): ForYouCursor {
  const parsed = parts.safeParse(after);
  if (!parsed.success) throw validation('INVALID_CURSOR', 'page.after is not a cursor this API handed out');
  const [asOf, total, id] = parsed.data;
  const at = new Date(asOf);
  const age = now.getTime() - at.getTime();
  // A minute of slack for clocks between API processes.
  if (age < -60_000) throw validation('INVALID_CURSOR', 'page.after is not a cursor this API handed out');
  if (age > FOR_YOU_CURSOR_TTL_MS) {
    throw validation('CURSOR_EXPIRED', 'This feed cursor is over a day old: start again from the first page');
  }
  return { asOf: at, total: Number(total), id };
}

/** `String` of a double gives back the same double through `Number`, so the cursor is exact. */
export const forYouCursorParts = (asOf: Date, total: number, id: string) => [
  asOf.toISOString(),
  String(total),
  id,
];
