import { describe, expect, it } from 'vitest';
import { sanitizeFields, sanitizeRichText } from '../../../src/services/content/rich-text.ts';

describe('sanitizeRichText', () => {
  it.each([
    ['a script, with its code', '<p>Hi <script>alert(1)</script>there</p>', '<p>Hi there</p>'],
    [
      'an event handler attribute',
      '<p onclick="steal()">Oats</p><img src=x onerror=alert(1)>',
      '<p>Oats</p>',
    ],
    ['a javascript: link', '<a href="javascript:alert(1)">x</a>', '<a rel="noopener">x</a>'],
    ['a javascript: link in mixed case', '<a href="JaVaScRiPt:alert(1)">x</a>', '<a rel="noopener">x</a>'],
    [
      'a javascript: link split by an entity',
      '<a href="java&#x09;script:alert(1)">x</a>',
      '<a rel="noopener">x</a>',
    ],
    ['a data: link', '<a href="data:text/html,<script>x</script>">x</a>', '<a rel="noopener">x</a>'],
    ['a protocol-relative link', '<a href="//evil.example">x</a>', '<a rel="noopener">x</a>'],
    ['an iframe, with its content', '<iframe src="https://evil.example">inside</iframe>after', 'after'],
    ['a style element and style attributes', '<style>p{color:red}</style><p style="x">t</p>', '<p>t</p>'],
    ['svg with a script inside', '<svg><script>alert(1)</script></svg>kept', 'kept'],
    ['a comment', 'a<!-- <script>x</script> -->b', 'ab'],
    ['a tag hidden in a tag', '<scr<script>ipt>alert(1)</script>', 'ipt&gt;alert(1)'],
    [
      'unclosed and misnested markup, closed in order',
      '<p><b>bold <i>both</b> after',
      '<p><b>bold <i>both</i></b> after</p>',
    ],
    [
      'tags outside the list, keeping their text',
      '<div><span>Oats</span> <h1>Title</h1></div>',
      'Oats Title',
    ],
  ])('removes %s', (_what, dirty, clean) => {
    expect(sanitizeRichText(dirty)).toBe(clean);
  });

  it('keeps the allowed markup, and sets rel="noopener" on every link', () => {
    const rich = [
      '<h2>Why oats</h2><p>They <strong>crunch</strong>, <em>stay</em> <b>crisp</b>, <i>taste</i> <u>good</u>.<br></p>',
      '<ul><li>one</li></ul><ol><li>two</li></ol><h3>a</h3><h4>b</h4>',
      '<blockquote>Said</blockquote><pre><code>x = 1</code></pre>',
    ].join('');
    expect(sanitizeRichText(rich)).toBe(rich.replace('<br>', '<br />'));
    expect(sanitizeRichText('<a href="https://oats.example/a?b=1" rel="opener" target="_blank">Go</a>')).toBe(
      '<a href="https://oats.example/a?b=1" rel="noopener">Go</a>',
    );
    expect(
      sanitizeRichText('<a href="http://oats.example">h</a> <a href="mailto:hi@oats.example">m</a>'),
    ).toBe(
      '<a href="http://oats.example" rel="noopener">h</a> <a href="mailto:hi@oats.example" rel="noopener">m</a>',
    );
  });

  it('leaves plain text as typed: entities neither decoded nor encoded', () => {
    for (const text of ['Fish & chips', 'a < b and c > d', '&lt;b&gt; is how you write <', '3 <4', '']) {
      expect(sanitizeRichText(text)).toBe(text);
    }
  });

  it('writes the text of a value with markup as HTML: & < > as entities', () => {
    expect(sanitizeRichText('<p>Fish & chips, 3 < 4</p>')).toBe('<p>Fish &amp; chips, 3 &lt; 4</p>');
  });

  it('cleans every field, keeping keys and their order', () => {
    expect(
      sanitizeFields([
        { key: 'body', value: '<p>Hi<script>x</script></p>' },
        { key: 'cta', value: 'Try it' },
      ]),
    ).toEqual([
      { key: 'body', value: '<p>Hi</p>' },
      { key: 'cta', value: 'Try it' },
    ]);
  });
});
