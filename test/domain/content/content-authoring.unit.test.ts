import { describe, expect, it } from 'vitest';
import type { ContentCommand, ContentUserCommand } from '../../../src/domain/content/content-commands.ts';
import { contentDecider } from '../../../src/domain/content/content-decider.ts';
import type { ContentEvent } from '../../../src/domain/content/content-events.ts';
import { fold } from '../../../src/domain/shared/decider.ts';
import { anIntegration, anonymous, by } from '../support/actors.ts';
import { deciderSpec } from '../support/decider-spec.ts';
import {
  ADMIN_ID,
  APPROVER_ID,
  AUTHOR_ID,
  access,
  approvedContent,
  approver,
  archivedContent,
  author,
  BRAND_ID,
  brandAdmin,
  brandFacts,
  CONTENT_ID,
  created,
  draft,
  fieldsOf,
  inReview,
  metadata,
  now,
  OTHER_EDITOR_ID,
  otherEditor,
  publishedContent,
  publishing,
  saga,
  scheduled,
  updated,
  v1,
  v2,
  viewer,
} from './content-fixtures.ts';

const spec = deciderSpec(contentDecider);

type CreateContent = Extract<ContentCommand, { type: 'CreateContent' }>;
const create = (overrides: Partial<CreateContent> = {}): CreateContent => ({
  type: 'CreateContent',
  contentId: CONTENT_ID,
  brandId: BRAND_ID,
  contentType: 'article',
  ...v1,
  access: access('editor'),
  brand: brandFacts(),
  ...overrides,
});

const update = (
  changes: Partial<Extract<ContentCommand, { type: 'UpdateContent' }>> = {},
): ContentCommand => ({
  type: 'UpdateContent',
  ...v2,
  access: access('editor'),
  ...changes,
});

/** Every command a person issues on existing content, valid for content in the matching status. */
const USER_COMMANDS: { name: ContentUserCommand['type']; command: ContentUserCommand }[] = [
  { name: 'UpdateContent', command: { type: 'UpdateContent', title: 'New', access: access('admin') } },
  { name: 'RestoreVersion', command: { type: 'RestoreVersion', version: 1, access: access('admin') } },
  { name: 'SubmitContent', command: { type: 'SubmitContent', access: access('admin'), brand: brandFacts() } },
  { name: 'ApproveContent', command: { type: 'ApproveContent', access: access('admin') } },
  { name: 'RejectContent', command: { type: 'RejectContent', reason: 'No', access: access('admin') } },
  {
    name: 'RequestPublish',
    command: {
      type: 'RequestPublish',
      publicationId: CONTENT_ID,
      access: access('admin'),
      brand: brandFacts(),
    },
  },
  {
    name: 'CancelPublish',
    command: { type: 'CancelPublish', publicationId: CONTENT_ID, access: access('admin') },
  },
  { name: 'UnpublishContent', command: { type: 'UnpublishContent', access: access('admin') } },
  { name: 'ArchiveContent', command: { type: 'ArchiveContent', access: access('admin') } },
];

const withAccess = (
  command: ContentUserCommand,
  role: Parameters<typeof access>[0],
  brandArchived = false,
) => ({
  ...command,
  access: access(role, brandArchived),
});

describe('CreateContent', () => {
  it('creates version 1 as a draft, written by the editor', () => {
    spec.given([]).when(create(), author).then([created()]);
  });

  it('starts without fields, metadata or template when given none', () => {
    spec
      .given([])
      .when({ ...create({ templateId: 'tpl-recipe' }), fields: undefined, metadata: undefined }, author)
      .then([
        {
          type: 'ContentCreated',
          data: {
            contentId: CONTENT_ID,
            brandId: BRAND_ID,
            type: 'article',
            templateId: 'tpl-recipe',
            title: v1.title,
            fields: [],
            metadata: { seoTitle: null, seoDescription: null, keywords: [] },
            authorId: AUTHOR_ID,
            version: 1,
          },
        },
      ]);
  });

  it.each(['approver', 'admin'] as const)('is open to an %s', (role) => {
    const [event] = contentDecider.decide(
      create({ access: access(role) }),
      contentDecider.initialState,
      approver,
    );
    expect(event).toMatchObject({ type: 'ContentCreated', data: { authorId: APPROVER_ID } });
  });

  it("records an API key's owner as the author", () => {
    const [event] = contentDecider.decide(
      create(),
      contentDecider.initialState,
      by(anIntegration(OTHER_EDITOR_ID, ['graphql:write']), now),
    );
    expect(event).toMatchObject({ type: 'ContentCreated', data: { authorId: OTHER_EDITOR_ID } });
  });

  it('is refused to viewers, who only read', () => {
    spec
      .given([])
      .when(create({ access: access('viewer') }), viewer)
      .thenThrows('FORBIDDEN', 'INSUFFICIENT_ROLE');
  });

  it('is refused to non-members', () => {
    spec
      .given([])
      .when(create({ access: access(null) }), author)
      .thenThrows('FORBIDDEN', 'NOT_A_MEMBER');
  });

  it('is refused to anonymous callers even if the service mistook them for members', () => {
    spec.given([]).when(create(), by(anonymous, now)).thenThrows('FORBIDDEN', 'SIGN_IN_REQUIRED');
  });

  it('is refused on an archived brand', () => {
    spec
      .given([])
      .when(create({ access: access('editor', true) }), author)
      .thenThrows('CONFLICT', 'BRAND_ARCHIVED');
  });

  it('needs a content type the brand allows', () => {
    spec
      .given([])
      .when(create({ contentType: 'press-release' }), author)
      .thenThrows('VALIDATION', 'CONTENT_TYPE_NOT_ALLOWED');
    spec
      .given([])
      .when(create({ brand: brandFacts({ allowedContentTypes: [] }) }), author)
      .thenThrows('VALIDATION', 'CONTENT_TYPE_NOT_ALLOWED');
  });

  it('refuses a content id already taken', () => {
    spec.given(draft()).when(create(), author).thenThrows('CONFLICT', 'CONTENT_EXISTS');
  });

  it.each<[string, Partial<CreateContent>, string]>([
    ['an empty title', { title: '  ' }, 'INVALID_TITLE'],
    ['a title over 200 characters', { title: 'x'.repeat(201) }, 'INVALID_TITLE'],
    ['a title with markup', { title: 'Crunch <b>time</b>' }, 'INVALID_TITLE'],
    ['a title with a stray >', { title: 'Oats > bran' }, 'INVALID_TITLE'],
    [
      'more than 50 fields',
      { fields: Array.from({ length: 51 }, (_, index) => ({ key: `field${index}`, value: 'x' })) },
      'TOO_MANY_FIELDS',
    ],
    ['a field name over 64 characters', { fields: fieldsOf({ ['k'.repeat(65)]: 'x' }) }, 'INVALID_FIELD_KEY'],
    ['an empty field name', { fields: fieldsOf({ '': 'x' }) }, 'INVALID_FIELD_KEY'],
    [
      'a field name given twice',
      { fields: [...fieldsOf({ body: 'x' }), { key: 'body', value: 'y' }] },
      'DUPLICATE_FIELD_KEY',
    ],
    [
      'a field over 100,000 characters',
      { fields: fieldsOf({ body: 'x'.repeat(100_001) }) },
      'FIELD_TOO_LONG',
    ],
    ['keywords that are empty', { metadata: metadata({ keywords: [''] }) }, 'INVALID_METADATA'],
    [
      'an SEO title over 200 characters',
      { metadata: metadata({ seoTitle: 'x'.repeat(201) }) },
      'INVALID_METADATA',
    ],
  ])('refuses %s', (_what, overrides, reason) => {
    spec.given([]).when(create(overrides), author).thenThrows('VALIDATION', reason);
  });

  it('accepts content at the limits: 50 fields, 64-character names, 100,000-character values, 200-character titles', () => {
    const fields = Array.from({ length: 50 }, (_, index) => ({
      key: `${index}`.padStart(64, 'k'),
      value: index === 0 ? 'x'.repeat(100_000) : 'x',
    }));
    const title = 't'.repeat(200);
    const [event] = contentDecider.decide(create({ title, fields }), contentDecider.initialState, author);
    expect(event).toMatchObject({ type: 'ContentCreated', data: { title, fields } });
  });

  it('trims the title', () => {
    const [event] = contentDecider.decide(
      create({ title: '  Crunch time ' }),
      contentDecider.initialState,
      author,
    );
    expect(event).toMatchObject({ data: { title: 'Crunch time' } });
  });
});

describe('commands on existing content', () => {
  it.each(USER_COMMANDS)('$name needs the content to exist', ({ command }) => {
    spec.given([]).when(command, brandAdmin).thenThrows('NOT_FOUND', 'CONTENT_NOT_FOUND');
  });

  it.each(USER_COMMANDS)('$name is refused to non-members', ({ command }) => {
    spec.given(draft()).when(withAccess(command, null), brandAdmin).thenThrows('FORBIDDEN', 'NOT_A_MEMBER');
  });

  it.each(USER_COMMANDS)('$name is refused on an archived brand', ({ command }) => {
    spec
      .given(draft())
      .when(withAccess(command, 'admin', true), brandAdmin)
      .thenThrows('CONFLICT', 'BRAND_ARCHIVED');
  });

  it.each(USER_COMMANDS)('$name is refused to viewers', ({ command }) => {
    spec
      .given(draft())
      .when(withAccess(command, 'viewer'), viewer)
      .thenThrows('FORBIDDEN', 'INSUFFICIENT_ROLE');
  });

  it.each(USER_COMMANDS)(
    '$name is refused once the content is archived: archived is terminal',
    ({ command }) => {
      spec.given(archivedContent()).when(command, brandAdmin).thenThrows('CONFLICT', 'CONTENT_ARCHIVED');
    },
  );
});

describe('UpdateContent', () => {
  it('writes a new version: a full snapshot by whoever edited', () => {
    spec
      .given(draft())
      .when(update(), otherEditor)
      .then([updated(2, v2, OTHER_EDITOR_ID)]);
  });

  it('copies the parts it is not given from the current version', () => {
    spec
      .given(draft())
      .when({ type: 'UpdateContent', title: 'Crunch o’clock', access: access('editor') }, author)
      .then([updated(2, { ...v1, title: 'Crunch o’clock' })]);
  });

  it('numbers versions on from the last one', () => {
    spec
      .given([...draft(), updated(2), updated(3, v1)])
      .when(update({ title: 'Fourth' }), author)
      .then([updated(4, { ...v2, title: 'Fourth' })]);
  });

  it('with expectedVersion, writes only on top of that version (checked on every retry)', () => {
    spec
      .given([...draft(), updated(2)])
      .when(update({ title: 'Third', expectedVersion: 2 }), author)
      .then([updated(3, { ...v2, title: 'Third' })]);
    // Both writers read version 1; the second must not overwrite the first's version 2.
    spec
      .given([...draft(), updated(2)])
      .when(update({ title: 'Lost', expectedVersion: 1 }), author)
      .thenThrows('CONFLICT', 'VERSION_MISMATCH');
  });

  it('keeps the fields in the order the author gave them', () => {
    const fields = [
      { key: 'cta', value: 'Try them' },
      { key: 'body', value: 'Oats.' },
      { key: '1', value: 'An integer-like name stays where it was put' },
    ];
    spec
      .given([])
      .when(create({ fields }), author)
      .then([{ ...created(), data: { ...created().data, fields } }]);
  });

  it('makes a new version when only the order of the fields changes', () => {
    const reordered = fieldsOf({ cta: 'Try them', body: 'Oats, baked twice.' });
    spec
      .given(draft())
      .when(update({ ...v1, fields: reordered }), author)
      .then([updated(2, { ...v1, fields: reordered })]);
  });

  it('decides nothing when nothing changes', () => {
    spec.given(draft()).when(update(v1), author).thenNothing();
    spec
      .given(draft())
      .when({ type: 'UpdateContent', access: access('editor') }, author)
      .thenNothing();
  });

  it('edits approved content, which then needs reviewing again', () => {
    spec
      .given(approvedContent())
      .when(update(), author)
      .then([updated(2)]);
    const state = fold(contentDecider, [...approvedContent(), updated(2)]);
    expect(state).toMatchObject({ status: 'draft', version: 2, review: null });
  });

  it('refuses content under review: it must be rejected first', () => {
    spec.given(inReview()).when(update(), author).thenThrows('CONFLICT', 'IN_REVIEW');
  });

  it.each([
    ['scheduled', scheduled],
    ['publishing', publishing],
  ])('refuses %s content', (_status, history) => {
    spec.given(history()).when(update(), author).thenThrows('CONFLICT', 'PUBLICATION_IN_PROGRESS');
  });

  it('refuses published content', () => {
    spec.given(publishedContent()).when(update(), author).thenThrows('CONFLICT', 'CONTENT_PUBLISHED');
  });

  it('validates the new version', () => {
    spec
      .given(draft())
      .when(update({ title: '<script>' }), author)
      .thenThrows('VALIDATION', 'INVALID_TITLE');
    spec
      .given(draft())
      .when(update({ fields: fieldsOf({ body: 'x'.repeat(100_001) }) }), author)
      .thenThrows('VALIDATION', 'FIELD_TOO_LONG');
  });
});

describe('RestoreVersion', () => {
  it('writes a new version copying the old one, naming it', () => {
    spec
      .given([...draft(), updated(2)])
      .when({ type: 'RestoreVersion', version: 1, access: access('editor') }, otherEditor)
      .then([updated(3, v1, OTHER_EDITOR_ID, 1)]);
  });

  it('copies the fields the service cleaned, when it hands them in, naming the old version all the same', () => {
    const stored = { ...v1, fields: fieldsOf({ body: '<p>Oats<script>x</script></p>', cta: 'Try them' }) };
    const cleaned = fieldsOf({ body: '<p>Oats</p>', cta: 'Try them' });
    spec
      .given([...draft(), updated(2, stored), updated(3)])
      .when({ type: 'RestoreVersion', version: 2, fields: cleaned, access: access('editor') }, otherEditor)
      .then([updated(4, { ...stored, fields: cleaned }, OTHER_EDITOR_ID, 2)]);
  });

  it('keeps every version, so restoring and comparing work from the state', () => {
    const state = fold(contentDecider, [...draft(), updated(2), updated(3, v1, OTHER_EDITOR_ID, 1)]);
    expect(state).toMatchObject({
      version: 3,
      versions: [
        { version: 1, ...v1, authorId: AUTHOR_ID, restoredFrom: null },
        { version: 2, ...v2, authorId: AUTHOR_ID, restoredFrom: null },
        { version: 3, ...v1, authorId: OTHER_EDITOR_ID, restoredFrom: 1 },
      ],
      metadata: v1.metadata,
      createdBy: AUTHOR_ID,
    });
  });

  it('decides nothing when the version is what the content already says', () => {
    spec
      .given([...draft(), updated(2)])
      .when({ type: 'RestoreVersion', version: 2, access: access('editor') }, author)
      .thenNothing();
  });

  it('refuses a version that does not exist', () => {
    spec
      .given([...draft(), updated(2)])
      .when({ type: 'RestoreVersion', version: 3, access: access('editor') }, author)
      .thenThrows('NOT_FOUND', 'VERSION_NOT_FOUND');
  });

  it('refuses content under review or published', () => {
    const restore: ContentCommand = { type: 'RestoreVersion', version: 1, access: access('editor') };
    spec
      .given([...inReview()])
      .when(restore, author)
      .thenThrows('CONFLICT', 'IN_REVIEW');
    spec.given(publishedContent()).when(restore, author).thenThrows('CONFLICT', 'CONTENT_PUBLISHED');
  });
});

describe('ArchiveContent', () => {
  const archive: ContentCommand = { type: 'ArchiveContent', access: access('editor') };

  it.each([
    ['a draft', draft],
    ['content under review', inReview],
    ['approved content', approvedContent],
  ])('archives %s', (_what, history) => {
    spec
      .given(history())
      .when(archive, otherEditor)
      .then([{ type: 'ContentArchived', data: { contentId: CONTENT_ID, archivedBy: OTHER_EDITOR_ID } }]);
  });

  it('refuses live content: unpublish it first', () => {
    spec.given(publishedContent()).when(archive, author).thenThrows('CONFLICT', 'CONTENT_PUBLISHED');
  });

  it('refuses content being published: cancel first', () => {
    spec.given(scheduled()).when(archive, author).thenThrows('CONFLICT', 'PUBLICATION_IN_PROGRESS');
    spec.given(publishing()).when(archive, author).thenThrows('CONFLICT', 'PUBLICATION_IN_PROGRESS');
  });

  it('leaves archived content to nobody, not even the publishing saga', () => {
    const history: ContentEvent[] = [...approvedContent(), ...archivedContent().slice(1)];
    spec
      .given(history)
      .when(
        { type: 'RecordPublishStep', publicationId: CONTENT_ID, step: 'validate', outcome: 'started' },
        saga,
      )
      .thenThrows('CONFLICT', 'CONTENT_ARCHIVED');
    expect(fold(contentDecider, history)).toMatchObject({ status: 'archived' });
  });

  it('is open to brand admins', () => {
    spec
      .given(draft())
      .when({ ...archive, access: access('admin') }, brandAdmin)
      .then([{ type: 'ContentArchived', data: { contentId: CONTENT_ID, archivedBy: ADMIN_ID } }]);
  });
});
