import type { ModerationChecker } from './moderator.ts';

/**
 * What a text check says about words people post (comments now; chat messages and community posts
 * reuse it). Flagged text is not refused: the caller holds it for the moderators' queue, since a
 * checker's false positive should cost the author a wait, not their words.
 */
export interface TextVerdict {
  checker: ModerationChecker;
  flagged: boolean;
  /** The categories that flagged it (e.g. `harassment`, `spam`), sorted; empty when not flagged. */
  categories: string[];
}

/** A pluggable text check. Throws `ModerationUnavailable` when it cannot decide right now. */
export interface TextModerator {
  readonly checker: ModerationChecker;
  moderateText(text: string, signal?: AbortSignal): Promise<TextVerdict>;
}

export const allowedText = (checker: ModerationChecker): TextVerdict => ({
  checker,
  flagged: false,
  categories: [],
});

export const flaggedText = (checker: ModerationChecker, categories: Iterable<string>): TextVerdict => ({
  checker,
  flagged: true,
  categories: [...new Set(categories)].sort(),
});
