/** Small, deterministic text utilities shared by the local provider and the fitting of model replies. */

export function collapseSpace(text: string): string {
  return text.replace(/\s+/g, ' ').trim();
}

/**
 * Sentences, split after `.`, `!`, `?` or `…` followed by whitespace, and at line breaks. Good enough
 * for marketing copy; abbreviations like "e.g. this" split too, which only makes excerpts shorter.
 */
export function sentences(text: string): string[] {
  return text
    .split(/\n+/)
    .flatMap((line) => line.split(/(?<=[.!?…])\s+/))
    .map(collapseSpace)
    .filter((sentence) => sentence.length > 0);
}

/** Lower-cased word tokens (letters, digits, inner apostrophes and hyphens). */
export function words(text: string): string[] {
  return text.toLowerCase().match(/[\p{L}\p{N}]+(?:['’-][\p{L}\p{N}]+)*/gu) ?? [];
}

/**
 * `text` cut to at most `max` characters at a word boundary, trailing punctuation dropped; with
 * `ellipsis`, a cut text ends in "…" (within `max`). Text that fits is returned unchanged.
 */
export function shorten(text: string, max: number, options: { ellipsis?: boolean } = {}): string {
  const clean = collapseSpace(text);
  if (clean.length <= max) return clean;
  const room = options.ellipsis ? max - 1 : max;
  const cut = clean.slice(0, room + 1);
  const boundary = cut.lastIndexOf(' ');
  const head = (boundary > room / 2 ? cut.slice(0, boundary) : clean.slice(0, room))
    .replace(/[\s,;:–—-]+$/u, '')
    .trim();
  return options.ellipsis ? `${head}…` : head;
}

export function capitalize(text: string): string {
  return text.charAt(0).toLocaleUpperCase() + text.slice(1);
}

/** `de-CH` → `de`. */
export function primaryLanguage(tag: string): string {
  return tag.trim().toLowerCase().split(/[-_]/)[0] ?? 'en';
}

const wordSet = (list: string): ReadonlySet<string> => new Set(list.trim().split(/\s+/));

/** Common words that never make a keyword, per language (unknown languages use English). */
const STOPWORDS: Record<string, ReadonlySet<string>> = {
  en: wordSet(
    `a about above after again against all also am an and any are as at be because been before being
     below between both but by can could did do does doing down during each even every few for from
     further get gets had has have having he her here hers him his how i if in into is it its itself
     just let like made make makes many may me more most much must my new no nor not now of off on once
     one only or other our ours out over own per same she should so some such than that the their them
     then there these they this those through to too under until up upon us use used very was we well
     were what when where which while who whom why will with within without would you your yours
     yet even still already really quite almost always never ever often here's it's we're you're
     we'll you'll don't can't won't meet introducing discover find see take go come know want need
     available today way ways lot lots thing things`,
  ),
  de: wordSet(
    `aber alle allem allen aller alles als also am an auch auf aus bei bin bis bist da damit dann das
     dass dein deine dem den der des dich die dir doch dort du durch ein eine einem einen einer eines
     er es euch euer für hat hatte hier ich ihr ihre im in ist ja jede jedem jeden jeder kann kein
     keine man mehr mein meine mit muss nach nicht noch nun nur ob oder ohne sehr sein seine sich sie
     sind so über um und uns unser unsere unter vom von vor war was weil wenn wer wie wir wird wo zu
     zum zur`,
  ),
  fr: wordSet(
    `à au aux avec ce ces cet cette comme dans de des du elle elles en est et eux il ils je la le les
     leur leurs lui ma mais me même mes moi mon ne nos notre nous on ou où par pas pour plus qu que
     qui sa se ses si son sont sur ta te tes toi ton tous tout très tu un une vos votre vous y être
     avoir été`,
  ),
  es: wordSet(
    `a al algo como con cual de del donde el ella ellas ellos en entre era es esa ese eso esta este
     esto estos fue ha han hay la las le les lo los más me mi mis muy no nos nuestra nuestro o para
     pero por que se sin sobre su sus también te tu tus un una uno unos y ya`,
  ),
};

const ENGLISH = STOPWORDS.en ?? new Set<string>();

/** The language's stopwords and English ones (copy often mixes in English, and unknown languages get English). */
export function stopwordsFor(language: string): ReadonlySet<string> {
  const own = STOPWORDS[primaryLanguage(language)];
  return own && own !== ENGLISH ? new Set([...own, ...ENGLISH]) : ENGLISH;
}

/** `word` as first written in `text` ("trailwise" → "Trailwise"), or as given when not found. */
export function asWritten(word: string, text: string): string {
  const escaped = word.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  return new RegExp(`(?<![\\p{L}\\p{N}])${escaped}(?![\\p{L}\\p{N}])`, 'iu').exec(text)?.[0] ?? word;
}

/**
 * Keywords by a simple score: how often a word (not a stopword, at least 3 letters, not a bare
 * number) occurs, title words counting three times; ties go to the word seen first.
 */
export function extractKeywords(title: string, body: string, language: string, max: number): string[] {
  const stop = stopwordsFor(language);
  const scores = new Map<string, { score: number; first: number }>();
  const add = (tokens: string[], weight: number, offset: number) => {
    tokens.forEach((token, index) => {
      if (token.length < 3 || stop.has(token) || /^\p{N}+$/u.test(token)) return;
      const entry = scores.get(token);
      if (entry) entry.score += weight;
      else scores.set(token, { score: weight, first: offset + index });
    });
  };
  const titleWords = words(title);
  add(titleWords, 3, 0);
  add(words(body), 1, titleWords.length);
  return [...scores.entries()]
    .sort(([, a], [, b]) => b.score - a.score || a.first - b.first)
    .slice(0, max)
    .map(([word]) => word);
}
