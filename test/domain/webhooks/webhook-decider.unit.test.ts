import { randomUUID } from 'node:crypto';
import { describe, it } from 'vitest';
import type { EventWebhookCommand } from '../../../src/domain/webhooks/webhook-commands.ts';
import { EVENT_WEBHOOKS_PROCESS, eventWebhookDecider } from '../../../src/domain/webhooks/webhook-decider.ts';
import type { EventWebhookEvent } from '../../../src/domain/webhooks/webhook-events.ts';
import { MAX_TYPES, MAX_URL_LENGTH } from '../../../src/domain/webhooks/webhook-values.ts';
import { anIntegration, asUser, by, theSystem } from '../support/actors.ts';
import { deciderSpec } from '../support/decider-spec.ts';

const spec = deciderSpec(eventWebhookDecider);
const now = new Date('2026-12-07T04:00:00Z');
const WEBHOOK_ID = randomUUID();
const OWNER_ID = randomUUID();
const owner = by(asUser(OWNER_ID), now);
const ownersKey = by(anIntegration(OWNER_ID, ['events:read', 'graphql:write']), now);
const stranger = by(asUser(randomUUID(), 'admin'), now);
const delivery = by(theSystem(EVENT_WEBHOOKS_PROCESS), now);
const URL = 'https://hooks.example.org/chronicle/t0k3n';

const create = (overrides: Partial<Extract<EventWebhookCommand, { type: 'CreateEventWebhook' }>> = {}) =>
  ({
    type: 'CreateEventWebhook',
    webhookId: WEBHOOK_ID,
    url: URL,
    types: ['UserRegistered', 'UserRoleChanged'],
    streamPrefix: null,
    startAfter: '0',
    ...overrides,
  }) satisfies EventWebhookCommand;

const created = (
  overrides: Partial<Extract<EventWebhookEvent, { type: 'EventWebhookCreated' }>['data']> = {},
): EventWebhookEvent => ({
  type: 'EventWebhookCreated',
  data: {
    webhookId: WEBHOOK_ID,
    ownerId: OWNER_ID,
    url: URL,
    types: ['UserRegistered', 'UserRoleChanged'],
    streamPrefix: null,
    startAfter: '0',
    ...overrides,
  },
});
const paused: EventWebhookEvent = {
  type: 'EventWebhookPaused',
  data: { webhookId: WEBHOOK_ID, by: OWNER_ID },
};
const suspended: EventWebhookEvent = {
  type: 'EventWebhookSuspended',
  data: { webhookId: WEBHOOK_ID, reason: 'ADMIN_ONLY' },
};
const deleted: EventWebhookEvent = {
  type: 'EventWebhookDeleted',
  data: { webhookId: WEBHOOK_ID, by: OWNER_ID },
};
const deadLetter = {
  type: 'DeadLetterDelivery',
  position: '42',
  eventId: randomUUID(),
  eventType: 'UserRegistered',
  streamName: `user-${randomUUID()}`,
  attempts: 3,
  failure: 'Webhook answered 503',
} satisfies EventWebhookCommand;

describe('creating a webhook', () => {
  it('belongs to the person who makes it', () => {
    spec.given([]).when(create(), owner).then([created()]);
  });

  it('belongs to the owner of the API key that makes it', () => {
    spec
      .given([])
      .when(create({ streamPrefix: 'user-', startAfter: '17' }), ownersKey)
      .then([created({ streamPrefix: 'user-', startAfter: '17' })]);
  });

  it('refuses a URL over the length limit, no types, too many types, repeated types and a bad position', () => {
    const long = `https://example.org/${'a'.repeat(MAX_URL_LENGTH)}`;
    spec
      .given([])
      .when(create({ url: long }), owner)
      .thenThrows('VALIDATION', 'INVALID_URL');
    spec
      .given([])
      .when(create({ types: [] }), owner)
      .thenThrows('VALIDATION', 'INVALID_TYPES');
    const many = Array.from({ length: MAX_TYPES + 1 }, (_, i) => `Type${i}`);
    spec
      .given([])
      .when(create({ types: many }), owner)
      .thenThrows('VALIDATION', 'INVALID_TYPES');
    spec
      .given([])
      .when(create({ types: ['A', 'A'] }), owner)
      .thenThrows('VALIDATION', 'INVALID_TYPES');
    spec
      .given([])
      .when(create({ startAfter: '-1' }), owner)
      .thenThrows('VALIDATION', 'INVALID_POSITION');
  });

  it('is made once', () => {
    spec.given([created()]).when(create(), owner).thenThrows('CONFLICT', 'WEBHOOK_EXISTS');
  });

  it('is not made by the system', () => {
    spec.given([]).when(create(), delivery).thenThrows('FORBIDDEN', 'PEOPLE_ONLY');
  });
});

describe('pausing, resuming, replaying and deleting', () => {
  it('pauses and resumes for its owner; repeats decide nothing', () => {
    spec.given([created()]).when({ type: 'PauseEventWebhook' }, owner).then([paused]);
    spec.given([created(), paused]).when({ type: 'PauseEventWebhook' }, owner).thenNothing();
    spec
      .given([created(), paused])
      .when({ type: 'ResumeEventWebhook' }, ownersKey)
      .then([{ type: 'EventWebhookResumed', data: { webhookId: WEBHOOK_ID, by: OWNER_ID } }]);
    spec.given([created()]).when({ type: 'ResumeEventWebhook' }, owner).thenNothing();
  });

  it('resumes a suspended webhook (delivery checks access again), but does not pause one', () => {
    spec
      .given([created(), suspended])
      .when({ type: 'ResumeEventWebhook' }, owner)
      .then([{ type: 'EventWebhookResumed', data: { webhookId: WEBHOOK_ID, by: OWNER_ID } }]);
    spec
      .given([created(), suspended])
      .when({ type: 'PauseEventWebhook' }, owner)
      .thenThrows('CONFLICT', 'WEBHOOK_SUSPENDED');
  });

  it('replays from a position', () => {
    spec
      .given([created()])
      .when({ type: 'ReplayEventWebhook', after: '5' }, owner)
      .then([
        { type: 'EventWebhookReplayRequested', data: { webhookId: WEBHOOK_ID, after: '5', by: OWNER_ID } },
      ]);
    spec
      .given([created()])
      .when({ type: 'ReplayEventWebhook', after: 'x' }, owner)
      .thenThrows('VALIDATION', 'INVALID_POSITION');
  });

  it('deletes for its owner; afterwards the webhook does not exist', () => {
    spec.given([created()]).when({ type: 'DeleteEventWebhook' }, owner).then([deleted]);
    spec
      .given([created(), deleted])
      .when({ type: 'DeleteEventWebhook' }, owner)
      .thenThrows('NOT_FOUND', 'WEBHOOK_NOT_FOUND');
    spec
      .given([created(), deleted])
      .when({ type: 'ResumeEventWebhook' }, owner)
      .thenThrows('NOT_FOUND', 'WEBHOOK_NOT_FOUND');
  });

  it('tells anyone else, admins included, that there is no such webhook', () => {
    for (const command of [
      { type: 'PauseEventWebhook' },
      { type: 'ResumeEventWebhook' },
      { type: 'ReplayEventWebhook', after: '0' },
      { type: 'DeleteEventWebhook' },
    ] satisfies EventWebhookCommand[]) {
      spec.given([created()]).when(command, stranger).thenThrows('NOT_FOUND', 'WEBHOOK_NOT_FOUND');
    }
    spec.given([]).when({ type: 'PauseEventWebhook' }, owner).thenThrows('NOT_FOUND', 'WEBHOOK_NOT_FOUND');
  });
});

describe('delivery', () => {
  it('suspends an active webhook with a reason, and nothing else', () => {
    spec
      .given([created()])
      .when({ type: 'SuspendEventWebhook', reason: 'ADMIN_ONLY' }, delivery)
      .then([suspended]);
    spec
      .given([created(), paused])
      .when({ type: 'SuspendEventWebhook', reason: 'ADMIN_ONLY' }, delivery)
      .thenNothing();
    spec
      .given([created(), suspended])
      .when({ type: 'SuspendEventWebhook', reason: 'ADMIN_ONLY' }, delivery)
      .thenNothing();
  });

  it('records a dead letter, its failure cut to the limit', () => {
    const failure = 'x'.repeat(3_000);
    const { type: _, ...fields } = deadLetter;
    spec
      .given([created()])
      .when({ ...deadLetter, failure }, delivery)
      .then([
        {
          type: 'EventWebhookDeliveryDeadLettered',
          data: { webhookId: WEBHOOK_ID, ...fields, failure: `${'x'.repeat(1_999)}…` },
        },
      ]);
  });

  it('is the only one that suspends or dead-letters', () => {
    spec
      .given([created()])
      .when({ type: 'SuspendEventWebhook', reason: 'OWNER_INACTIVE' }, owner)
      .thenThrows('FORBIDDEN', 'DELIVERY_ONLY');
    spec
      .given([created()])
      .when(deadLetter, by(theSystem('publishing'), now))
      .thenThrows('FORBIDDEN', 'DELIVERY_ONLY');
  });
});
