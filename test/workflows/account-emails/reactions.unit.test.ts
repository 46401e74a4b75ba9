import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { createEventCodec } from '../../../src/commands/event-codec.ts';
import type { RecordedEvent } from '../../../src/eventstore/port.ts';
import type { PersonalDataKeys } from '../../../src/privacy/personal-data-keys.ts';
import { accountEmailReactions } from '../../../src/workflows/account-emails/reactions.ts';
import { reactionsWith } from '../../../src/workflows/reactions.ts';
import { NOW } from '../fixtures/harness.ts';

/** The request events carry no encrypted field: the codec never asks for a key. */
const noKeys: PersonalDataKeys = {
  keyFor: () => Promise.reject(new Error('no personal data here')),
  find: () => Promise.resolve(null),
  destroy: () => Promise.reject(new Error('no personal data here')),
};
const codec = createEventCodec(noKeys);
const userId = randomUUID();

const recorded = (type: string, data: unknown): RecordedEvent => {
  const correlationId = randomUUID();
  return {
    streamName: `user-${userId}`,
    revision: 1n,
    position: 42n,
    id: randomUUID(),
    type,
    data,
    metadata: {
      commandId: correlationId,
      correlationId,
      causationId: correlationId,
      actor: 'system:account-recovery',
      occurredAt: NOW.toISOString(),
      schemaVersion: 1,
    },
    hash: '',
    createdAt: NOW,
  };
};

describe('account e-mail reactions', () => {
  const [reaction] = accountEmailReactions({ taskQueue: 'sagas-queue' });
  const request = () => ({
    userId,
    requestId: randomUUID(),
    expiresAt: new Date(NOW.getTime() + 1_800_000).toISOString(),
    at: NOW.toISOString(),
  });

  it.each([
    ['EmailVerificationRequested', 'email_verification'],
    ['PasswordResetRequested', 'password_reset'],
  ])('%s starts one sendAccountEmail named after the event', async (type, kind) => {
    const data = request();
    const event = recorded(type, data);
    expect(await reaction?.actionsFor(event, codec)).toEqual([
      {
        kind: 'start',
        workflowType: 'sendAccountEmail',
        workflowId: `account-email-${event.id}`,
        taskQueue: 'sagas-queue',
        args: [{ eventId: event.id, kind, userId, requestId: data.requestId, expiresAt: data.expiresAt }],
      },
    ]);
  });

  it('ignores the other user events', async () => {
    const verified = recorded('UserEmailVerified', {
      userId,
      requestId: randomUUID(),
      at: NOW.toISOString(),
    });
    expect(await reaction?.actionsFor(verified, codec)).toEqual([]);
  });

  it('is one of the process manager’s reactions', () => {
    expect(reactionsWith().map((each) => each.name)).toContain('account-emails');
  });
});
