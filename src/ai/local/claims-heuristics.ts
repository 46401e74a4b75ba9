import type { ClaimsIssue } from '../schemas.ts';
import { sentences, shorten, stopwordsFor, words } from '../text.ts';

/**
 * The local provider's claims review: plain heuristics, documented here so an editor knows what
 * they catch and what they do not (anything phrased around them).
 *
 * 1. Guardrails. A guardrail's text picks word lists by topic: one mentioning medical or health
 *    claims flags "cure", "heal", "treat", …; guarantees, comparisons with competitors,
 *    superlatives, prices, environmental claims, weight loss, children and alcohol have lists too.
 *    Quoted terms in a guardrail ('no "miracle"') are looked for literally, and a guardrail that
 *    matches no topic falls back to the content words after its negation ("avoid slang" → slang).
 *    Every sentence holding one of the words breaks that guardrail.
 * 2. Claims. A sentence is claim-like when it holds wording such as "clinically proven", a
 *    percentage, "best", "#1", "guaranteed", "dermatologist tested", "award-winning", "up to 3",
 *    "faster than", … It is covered by a master claim when the claim holds every number the
 *    sentence holds, every claim-like phrase of the sentence also occurs in the claim, and most of
 *    the claim's words (by a crude stem) occur in the sentence. Uncovered claim-like sentences are
 *    unapproved claims.
 */

interface TopicRule {
  topic: string;
  /** Matched against the guardrail's text. */
  guardrail: RegExp;
  terms: readonly string[];
}

const TOPICS: readonly TopicRule[] = [
  {
    topic: 'medical',
    guardrail: /medic|health|disease|therap|clinic|cure|drug|pharma/i,
    terms: [
      'cure',
      'cures',
      'cured',
      'heal',
      'heals',
      'healing',
      'treat',
      'treats',
      'treatment',
      'therapy',
      'therapeutic',
      'remedy',
      'disease',
      'illness',
      'diagnose',
      'medicine',
      'medical',
      'symptom',
      'symptoms',
      'relieve',
      'relieves',
      'pain relief',
      'infection',
      'anti-inflammatory',
      'prevent disease',
      'prevents disease',
    ],
  },
  {
    topic: 'guarantee',
    guardrail: /guarant|promis|warrant/i,
    terms: [
      'guaranteed',
      'guarantee',
      'guarantees',
      'promise',
      'promises',
      'risk-free',
      'never fails',
      '100%',
    ],
  },
  {
    topic: 'comparison',
    guardrail: /compar|competit|rival/i,
    terms: [
      'better than',
      'worse than',
      'unlike other',
      'unlike others',
      'beats',
      'outperforms',
      'compared to',
      'versus',
      'vs',
    ],
  },
  {
    topic: 'superlative',
    guardrail: /superlative|\bbest\b|number one|#1/i,
    terms: [
      'best',
      'greatest',
      'finest',
      'ultimate',
      'unbeatable',
      'number one',
      '#1',
      'perfect',
      'world-class',
    ],
  },
  {
    topic: 'price',
    guardrail: /pric|discount|\bfree\b|cost|cheap/i,
    terms: ['free', 'cheapest', 'cheap', 'discount', 'sale', '% off', 'lowest price', 'bargain'],
  },
  {
    topic: 'environmental',
    guardrail: /environment|\beco|green|sustainab|carbon|climate/i,
    terms: [
      'eco-friendly',
      'green',
      'sustainable',
      'carbon neutral',
      'carbon-neutral',
      'climate neutral',
      'biodegradable',
      'environmentally friendly',
      'zero waste',
    ],
  },
  {
    topic: 'weight loss',
    guardrail: /weight|slim|diet/i,
    terms: ['lose weight', 'weight loss', 'slimming', 'burn fat', 'fat burning', 'diet'],
  },
  {
    topic: 'children',
    guardrail: /child|\bkids?\b|minor/i,
    terms: ['kids', 'kid', 'children', 'child', 'toddler', 'toddlers', 'teens', 'teen'],
  },
  {
    topic: 'alcohol',
    guardrail: /alcohol/i,
    terms: ['alcohol', 'beer', 'wine', 'spirits', 'drunk', 'cocktail', 'cocktails'],
  },
];

/** Words of a guardrail that say how, not what ("avoid mentioning X"). */
const GUARDRAIL_FILLER = new Set(
  `no never avoid avoiding don't dont do not must mustn't should shouldn't without any mention mentions
   mentioning mentioned reference references referencing use using say saying claim claims statement
   statements language word words wording talk talking about refer referring make making include
   including content copy`.split(/\s+/),
);

interface GuardrailCheck {
  guardrail: string;
  terms: readonly string[];
}

function termsFor(guardrail: string): readonly string[] {
  const quoted = [...guardrail.matchAll(/["“”'‘’]([^"“”'‘’]{2,60})["“”'‘’]/g)]
    .map((match) => match[1]?.trim().toLowerCase() ?? '')
    .filter((term) => term.length > 0);
  const topical = TOPICS.filter((rule) => rule.guardrail.test(guardrail)).flatMap((rule) => rule.terms);
  if (quoted.length > 0 || topical.length > 0) return [...new Set([...quoted, ...topical])];
  const stop = stopwordsFor('en');
  return words(guardrail).filter(
    (word) => word.length >= 3 && !stop.has(word) && !GUARDRAIL_FILLER.has(word),
  );
}

function termPattern(term: string): RegExp {
  const escaped = term.replace(/[.*+?^${}()|[\]\\]/g, '\\$&').replace(/\s+/g, '\\s+');
  // A plain word also matches its simple inflections (competitor → competitors).
  const inflections = /\p{L}$/u.test(term) ? '(?:s|es|ed|d|ing)?' : '';
  return new RegExp(`(?<![\\p{L}\\p{N}])${escaped}${inflections}(?![\\p{L}\\p{N}])`, 'iu');
}

/** The first term of the guardrail found in the sentence, as written there. */
function breach(sentence: string, check: GuardrailCheck): string | undefined {
  for (const term of check.terms) {
    const match = termPattern(term).exec(sentence);
    if (match) return match[0];
  }
  return undefined;
}

/** Wording that makes a sentence a claim (English first; a few common German, French, Spanish forms). */
const CLAIM_PATTERNS: readonly RegExp[] = [
  /\b(?:clinically|scientifically|dermatologically)\s+(?:proven|tested|shown|approved)\b/i,
  /\bproven\b/i,
  /\d+(?:[.,]\d+)?\s?%/,
  /\bbest\b/i,
  /#\s?1\b|\bnumber\s+one\b|\bno\.?\s?1\b/i,
  /\bguarantee[sd]?\b/i,
  /\bdermatologists?\s+(?:tested|approved|recommended)\b/i,
  /\b(?:doctors?|experts?|dentists?)\s+recommended\b|\brecommended\s+by\b/i,
  /\baward[-\s]winning\b/i,
  /\b\d+\s?(?:x|times)\b/i,
  /\b(?:faster|stronger|longer|better|more\s+effective|healthier|safer)\s+than\b/i,
  /\bup\s+to\s+\d+/i,
  /\b(?:world'?s|europe'?s|america'?s)\s+(?:first|only|leading|best|favou?rite)\b/i,
  /\b(?:unbeatable|unrivall?ed|unmatched|leading)\b/i,
  /\b(?:klinisch\s+(?:getestet|bewiesen|erwiesen)|garantiert|beste[nrs]?)\b/i,
  /\b(?:cliniquement\s+prouvé|garanti[es]?|meilleur[es]?)\b/i,
  /\b(?:clínicamente\s+probado|garantizad[oa]s?|mejor(?:es)?)\b/i,
];

function claimWording(text: string): string[] {
  return CLAIM_PATTERNS.flatMap((pattern) => {
    const match = pattern.exec(text);
    return match ? [match[0].toLowerCase()] : [];
  });
}

const numbersIn = (text: string) =>
  new Set(text.match(/\d+(?:[.,]\d+)?/g)?.map((n) => n.replace(',', '.')) ?? []);

/** A crude stem: plural "s" dropped, then the first six letters (reduces/reduce, hydrating/hydration). */
const stem = (word: string) => word.replace(/s$/, '').slice(0, 6);

function contentStems(text: string): Set<string> {
  const stop = stopwordsFor('en');
  return new Set(
    words(text)
      .filter((word) => word.length >= 3 && !stop.has(word) && !/^\p{N}/u.test(word))
      .map(stem),
  );
}

/** Share of the claim's words the sentence must hold for the claim to cover it. */
const COVERAGE = 0.6;

function covers(claim: string, sentence: string): boolean {
  const claimNumbers = numbersIn(claim);
  for (const number of numbersIn(sentence)) if (!claimNumbers.has(number)) return false;
  for (const pattern of CLAIM_PATTERNS) {
    if (pattern.test(sentence) && !pattern.test(claim)) return false;
  }
  const claimStems = contentStems(claim);
  if (claimStems.size === 0) return false;
  const sentenceStems = contentStems(sentence);
  let shared = 0;
  for (const claimStem of claimStems) if (sentenceStems.has(claimStem)) shared += 1;
  return shared / claimStems.size >= COVERAGE;
}

export interface ClaimsReviewRequest {
  text: string;
  country: string;
  guardrails: readonly string[];
  masterClaims: ReadonlyArray<{ claimId: string; text: string }>;
}

export function reviewClaimsLocally(request: ClaimsReviewRequest): {
  compliant: boolean;
  issues: ClaimsIssue[];
} {
  const checks = request.guardrails.map((guardrail) => ({ guardrail, terms: termsFor(guardrail) }));
  const issues: ClaimsIssue[] = [];
  for (const sentence of sentences(request.text)) {
    const excerpt = shorten(sentence, 300, { ellipsis: true });
    for (const check of checks) {
      const term = breach(sentence, check);
      if (term) {
        issues.push({
          kind: 'guardrail',
          excerpt,
          explanation: `Breaks the guardrail "${shorten(check.guardrail, 200, { ellipsis: true })}" ("${term}").`,
        });
      }
    }
    const wording = claimWording(sentence);
    if (wording.length > 0 && !request.masterClaims.some((claim) => covers(claim.text, sentence))) {
      issues.push({
        kind: 'unapproved_claim',
        excerpt,
        explanation: `Claim-like wording (${wording.map((w) => `"${w}"`).join(', ')}) not covered by a master claim approved for ${request.country}.`,
      });
    }
  }
  return { compliant: issues.length === 0, issues };
}

/** Sentences of `text` that break none of the guardrails, for the local writer to build on. */
export function sentencesWithinGuardrails(text: string, guardrails: readonly string[]): string[] {
  const checks = guardrails.map((guardrail) => ({ guardrail, terms: termsFor(guardrail) }));
  return sentences(text).filter((sentence) => checks.every((check) => breach(sentence, check) === undefined));
}
