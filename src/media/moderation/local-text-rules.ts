import { allowedText, flaggedText, type TextModerator } from './text-moderator.ts';

/**
 * The text check that needs no outside service: patterns per category, and a cap on links (the
 * usual shape of comment spam). Deliberately narrow: it catches the unambiguous cases and leaves
 * the rest to reports, because every false positive holds an innocent comment.
 */
export interface LocalTextRules {
  /** Category → patterns; a match flags the text in that category. */
  patterns: Readonly<Record<string, readonly RegExp[]>>;
  /** More links than this in one text flags it as `spam`. */
  maxLinks: number;
}

export const DEFAULT_TEXT_RULES: LocalTextRules = {
  patterns: {
    harassment: [/\bkill\s+your\s*self\b/iu, /\bkys\b/iu, /\bgo\s+die\b/iu],
    'self-harm': [/\bhow\s+to\s+(?:kill|hurt)\s+my\s*self\b/iu],
    spam: [/\b(?:free|cheap)\s+(?:followers|likes|views)\b/iu, /\bcrypto\s+giveaway\b/iu],
  },
  maxLinks: 3,
};

const LINK = /\bhttps?:\/\/|\bwww\./giu;

export function localTextModerator(rules: Partial<LocalTextRules> = {}): TextModerator {
  const { patterns, maxLinks } = { ...DEFAULT_TEXT_RULES, ...rules };
  return {
    checker: 'local-rules',
    async moderateText(text) {
      const categories = Object.entries(patterns)
        .filter(([, list]) => list.some((pattern) => pattern.test(text)))
        .map(([category]) => category);
      if ((text.match(LINK)?.length ?? 0) > maxLinks) categories.push('spam');
      return categories.length === 0 ? allowedText('local-rules') : flaggedText('local-rules', categories);
    },
  };
}
