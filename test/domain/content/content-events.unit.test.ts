import { describe, expect, it } from 'vitest';
import { createEventCodec } from '../../../src/commands/event-codec.ts';
import type { ContentCommand } from '../../../src/domain/content/content-commands.ts';
import { contentAggregate, contentDecider } from '../../../src/domain/content/content-decider.ts';
import { type ContentEvent, contentEventCatalogue } from '../../../src/domain/content/content-events.ts';
import { contentStream } from '../../../src/domain/content/streams.ts';
import { fold } from '../../../src/domain/shared/decider.ts';
import type { RecordedEvent } from '../../../src/eventstore/port.ts';
import type { PersonalDataKeys } from '../../../src/privacy/personal-data-keys.ts';
import {
  APPROVER_ID,
  AUTHOR_ID,
  access,
  approvedContent,
  approver,
  author,
  BRAND_ID,
  brandAdmin,
  brandFacts,
  CONTENT_ID,
  channelPublished,
  created,
  draft,
  FEED_CHANNEL_ID,
  feed,
  generatedMetadata,
  inReview,
  metadataGenerated,
  PUBLICATION_ID,
  publishedContent,
  publishing,
  saga,
  scheduled,
  stepApproved,
  updated,
  v1,
  WEBHOOK_CHANNEL_ID,
  webhook,
} from './content-fixtures.ts';

const publication = { publicationId: PUBLICATION_ID };

/** The events holding fields: schema version 2 made them a list in the author's order. */
const FIELD_LIST_EVENTS: string[] = ['ContentCreated', 'ContentUpdated'];

/** Content holds no personal data: the codec never asks for a key. */
const noKeys: PersonalDataKeys = {
  keyFor: () => Promise.reject(new Error('no personal data here')),
  find: () => Promise.resolve(null),
  destroy: () => Promise.reject(new Error('no personal data here')),
};
const codec = createEventCodec(noKeys);

/** An event as the store hands it back, written with `schemaVersion`. */
const stored = (event: ContentEvent, data: unknown, schemaVersion: number): RecordedEvent => ({
  streamName: contentStream(CONTENT_ID),
  revision: 0n,
  position: 1n,
  id: '0d6c3a4e-8f1b-4c2d-9e7a-5b3f1c0d2e4a',
  type: event.type,
  data,
  metadata: {
    commandId: 'c',
    correlationId: 'c',
    causationId: 'c',
    actor: `user:${AUTHOR_ID}`,
    occurredAt: '2025-06-02T09:30:00.000Z',
    schemaVersion,
  },
  hash: '',
  createdAt: new Date('2025-06-02T09:30:00.000Z'),
});

/** A history, a command and who issues it: together, every event type the decider decides. */
const DECISIONS: [ContentEvent[], ContentCommand, typeof author][] = [
  [
    [],
    {
      type: 'CreateContent',
      contentId: CONTENT_ID,
      brandId: BRAND_ID,
      contentType: 'article',
      templateId: 'tpl-recipe',
      ...v1,
      access: access('editor'),
      brand: brandFacts(),
    },
    author,
  ],
  [draft(), { type: 'UpdateContent', title: 'Crunch o’clock', access: access('editor') }, author],
  [[...draft(), updated(2)], { type: 'RestoreVersion', version: 1, access: access('editor') }, author],
  [
    draft(),
    { type: 'SubmitContent', access: access('editor'), brand: brandFacts({ workflow: { steps: [] } }) },
    author,
  ],
  [
    [...inReview(), stepApproved(0, APPROVER_ID)],
    { type: 'ApproveContent', comment: 'Good', access: access('admin') },
    brandAdmin,
  ],
  [inReview(), { type: 'RejectContent', reason: 'Source?', access: access('approver') }, approver],
  [
    approvedContent(),
    {
      type: 'RequestPublish',
      ...publication,
      publishAt: '2025-07-01T09:00:00Z',
      access: access('approver'),
      brand: brandFacts(),
    },
    approver,
  ],
  [scheduled(), { type: 'CancelPublish', ...publication, access: access('approver') }, approver],
  [scheduled(), { type: 'StartPublication', ...publication }, saga],
  [
    publishing(),
    { type: 'RecordPublishStep', ...publication, step: 'compliance', outcome: 'completed', detail: 'ok' },
    saga,
  ],
  [publishing(), { type: 'RecordMetadata', ...publication, metadata: generatedMetadata }, saga],
  [[...publishing(), metadataGenerated()], { type: 'RevertMetadata', ...publication }, saga],
  [
    publishing(),
    {
      type: 'RecordChannelPublished',
      ...publication,
      channelId: WEBHOOK_CHANNEL_ID,
      location: 'https://x.example/1',
    },
    saga,
  ],
  [
    [...publishing(), channelPublished(feed)],
    { type: 'RecordChannelUnpublished', ...publication, channelId: FEED_CHANNEL_ID },
    saga,
  ],
  [
    publishing(),
    {
      type: 'RecordDeliveryAttempt',
      ...publication,
      channelId: WEBHOOK_CHANNEL_ID,
      attempt: 1,
      outcome: 'failed',
      failure: { reason: 'http_status', status: 503 },
    },
    saga,
  ],
  [
    publishing(),
    {
      type: 'RecordChannelFailed',
      ...publication,
      channelId: WEBHOOK_CHANNEL_ID,
      failure: { reason: 'unreachable', status: null },
    },
    saga,
  ],
  [
    publishing(),
    { type: 'RecordStakeholdersNotified', ...publication, outcome: 'published', recipients: [CONTENT_ID] },
    saga,
  ],
  [
    [...publishing(), channelPublished(webhook), channelPublished(feed)],
    { type: 'CompletePublication', ...publication },
    saga,
  ],
  [
    publishing(),
    { type: 'FailPublication', ...publication, stage: 'compliance', reasons: ['Unapproved claim'] },
    saga,
  ],
  [publishedContent(), { type: 'UnpublishContent', reason: 'Recall', access: access('approver') }, approver],
  [draft(), { type: 'ArchiveContent', access: access('editor') }, author],
];

describe('content events', () => {
  it('cover every type in the catalogue, and each decided event parses against its schema unchanged', () => {
    const decided = new Set<string>();
    for (const [history, command, context] of DECISIONS) {
      const events = contentDecider.decide(command, fold(contentDecider, history), context);
      expect(events.length, command.type).toBeGreaterThan(0);
      for (const event of events) {
        decided.add(event.type);
        const definition = contentEventCatalogue[event.type];
        expect(definition.type).toBe(event.type);
        expect(definition.schemaVersion).toBe(FIELD_LIST_EVENTS.includes(event.type) ? 2 : 1);
        expect(definition.schema.parse(event.data)).toEqual(event.data);
      }
    }
    expect([...decided].sort()).toEqual(Object.keys(contentEventCatalogue).sort());
  });

  it('keep the fields in the order the author gave them, through encoding and decoding', async () => {
    const fields = [
      { key: 'body', value: 'Oats, baked twice.' },
      { key: 'cta', value: 'Try them' },
      { key: '2', value: 'An integer-like key, which a JavaScript object would put first' },
    ];
    const event = { ...created(), data: { ...created().data, fields } };
    const encoded = await codec.encode(contentEventCatalogue.ContentCreated, event, metadataOf(), 'id');
    expect(encoded.metadata?.schemaVersion).toBe(2);
    // As jsonb would return it: a round trip through JSON text, keys and all.
    const data = JSON.parse(JSON.stringify(encoded.data));
    const decoded = await codec.decode(contentEventCatalogue, stored(event, data, 2));
    expect(decoded?.event.data).toMatchObject({ fields });
  });

  it('read fields stored as a record (schema version 1) as a list, in the order storage kept', async () => {
    for (const event of [created(), updated(2)]) {
      const legacy = { ...event.data, fields: { cta: 'Try them', body: 'Oats, baked twice.' } };
      const decoded = await codec.decode(contentEventCatalogue, stored(event, legacy, 1));
      expect(decoded?.event).toEqual({
        type: event.type,
        data: {
          ...event.data,
          fields: [
            { key: 'cta', value: 'Try them' },
            { key: 'body', value: 'Oats, baked twice.' },
          ],
        },
      });
      expect(decoded?.metadata.schemaVersion).toBe(1);
    }
  });

  it('refuse a field name given twice on the way into the store', () => {
    const data = created().data;
    const twice = [...data.fields, { key: 'body', value: 'again' }];
    expect(contentEventCatalogue.ContentCreated.schema.safeParse({ ...data, fields: twice }).success).toBe(
      false,
    );
  });

  it('show integrators every field: content holds no personal data', () => {
    for (const definition of Object.values(contentEventCatalogue)) {
      expect(definition.personalFields).toBeUndefined();
      expect(definition.publicFields?.length).toBeGreaterThan(0);
    }
    expect(contentEventCatalogue.ContentCreated.publicFields).toEqual([
      'contentId',
      'brandId',
      'type',
      'templateId',
      'title',
      'fields',
      'metadata',
      'authorId',
      'version',
    ]);
  });

  it('refuses data that breaks the content rules on the way into the store', () => {
    const schema = contentEventCatalogue.ContentCreated.schema;
    const data = { ...publishedContent()[0]?.data };
    expect(schema.safeParse(data).success).toBe(true);
    expect(schema.safeParse({ ...data, title: 'a <b>' }).success).toBe(false);
    expect(schema.safeParse({ ...data, version: 2 }).success).toBe(false);
  });

  it('live in content-<id> streams, and the aggregate pairs decider and catalogue', () => {
    expect(contentStream(CONTENT_ID)).toBe(`content-${CONTENT_ID}`);
    expect(contentAggregate.decider).toBe(contentDecider);
    expect(contentAggregate.catalogue).toBe(contentEventCatalogue);
  });
});

function metadataOf() {
  return {
    commandId: 'c',
    correlationId: 'c',
    causationId: 'c',
    actor: `user:${AUTHOR_ID}`,
    occurredAt: '2025-06-02T09:30:00.000Z',
  };
}
