import sanitizeHtml from 'sanitize-html';
import type { ContentFields } from '../../domain/content/content-values.ts';

/**
 * Content fields may hold rich text (HTML) that feeds, webhooks and brand sites render. Every value
 * is cleaned on the way in, before the command, so no stored event holds active markup: an
 * allow-list parser (sanitize-html over htmlparser2), never a pattern, because markup that a
 * pattern misses (nested, malformed, encoded) is exactly what attacks are made of.
 *
 * Kept: p, br, strong, em, b, i, u, ul, ol, li, h2–h4, blockquote, code, pre, and links with an
 * http, https or mailto `href` (and `rel="noopener"` set on every link). Everything else goes: a
 * tag not allowed is dropped and its text kept, except tags whose content is code or embedded
 * documents (script, style, iframe, svg, …), which go with their content; every attribute other
 * than a link's `href` goes (`onerror=`, `style=`, …); comments go.
 */
const RICH_TEXT: sanitizeHtml.IOptions = {
  allowedTags: [
    'p',
    'br',
    'strong',
    'em',
    'b',
    'i',
    'u',
    'a',
    'ul',
    'ol',
    'li',
    'h2',
    'h3',
    'h4',
    'blockquote',
    'code',
    'pre',
  ],
  // `rel` only so that the value set below survives; whatever the author wrote is replaced.
  allowedAttributes: { a: ['href', 'rel'] },
  allowedSchemes: ['http', 'https', 'mailto'],
  allowedSchemesAppliedToAttributes: ['href'],
  // `//host/path` takes the page's scheme, whatever page shows it: only explicit schemes.
  allowProtocolRelative: false,
  nonTextTags: [
    'script',
    'style',
    'textarea',
    'option',
    'noscript',
    'iframe',
    'object',
    'embed',
    'template',
    'svg',
    'math',
    'title',
  ],
  transformTags: { a: sanitizeHtml.simpleTransform('a', { rel: 'noopener' }) },
};

/**
 * Where the HTML tokenizer would start a tag, an end tag, a comment or a processing instruction:
 * `<` followed by a letter, `/`, `!` or `?`. Text without one holds no markup at all.
 */
const MARKUP = /<[a-zA-Z/!?]/;

/**
 * A value with markup, cleaned; plain text (no markup) as the author typed it. The cleaned value is
 * HTML, so its text characters `&`, `<` and `>` come out as entities (`&amp;`, …); plain text is
 * left alone (entities neither decoded nor encoded), so "Fish & chips" or "a < b" stay as written.
 */
export function sanitizeRichText(value: string): string {
  return MARKUP.test(value) ? sanitizeHtml(value, RICH_TEXT) : value;
}

/** Every field's value cleaned; keys and their order as given. */
export const sanitizeFields = (fields: ContentFields): ContentFields =>
  fields.map(({ key, value }) => ({ key, value: sanitizeRichText(value) }));
