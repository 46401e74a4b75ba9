import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  claimUnique,
  ownerOf,
  releaseUnique,
  reservationStream,
  withReservation,
} from '../../src/commands/reservations.ts';
import type { Actor } from '../../src/domain/shared/decider.ts';
import { type Pipeline, startPipeline } from './fixtures/pipeline.ts';

const NOW = new Date('2024-11-23T10:00:00.000Z');
const REGISTRATION: Actor = { kind: 'system', process: 'registration' };
const SCOPE = 'email';

describe('reservations', () => {
  let pipeline: Pipeline;
  beforeAll(async () => {
    pipeline = await startPipeline('reservations');
  });
  afterAll(async () => {
    await pipeline.close();
  });

  const newEmail = () => `ada-${randomUUID()}@example.org`;
  const origin = () => ({ commandId: randomUUID(), actor: REGISTRATION, now: NOW });
  const claim = (value: string, ownerId: string) =>
    claimUnique(pipeline, { scope: SCOPE, value, ownerId, reason: 'EMAIL_TAKEN' }, origin());
  const release = (value: string, ownerId: string) =>
    releaseUnique(pipeline, { scope: SCOPE, value, ownerId }, origin());
  const eventsOf = (value: string) => pipeline.store.readStream(reservationStream(SCOPE, value));

  it('gives a value to exactly one of two owners claiming it at the same time', async () => {
    for (let race = 0; race < 20; race++) {
      const email = newEmail();
      const [ada, bob] = [randomUUID(), randomUUID()];

      const outcomes = await Promise.allSettled([claim(email, ada), claim(email, bob)]);

      const winners = outcomes.filter((outcome) => outcome.status === 'fulfilled');
      const losers = outcomes.flatMap((outcome) => (outcome.status === 'rejected' ? [outcome.reason] : []));
      expect(winners).toHaveLength(1);
      expect(losers).toEqual([expect.objectContaining({ code: 'CONFLICT', reason: 'EMAIL_TAKEN' })]);
      expect(await ownerOf(pipeline.store, SCOPE, email)).toBe(
        outcomes[0]?.status === 'fulfilled' ? ada : bob,
      );
      expect(await eventsOf(email)).toHaveLength(1);
    }
  });

  it('lets the owner claim again without appending anything', async () => {
    const email = newEmail();
    const ada = randomUUID();
    await expect(claim(email, ada)).resolves.toMatchObject({ changed: true });
    await expect(claim(email, ada)).resolves.toEqual({
      stream: reservationStream(SCOPE, email),
      changed: false,
      position: null,
    });
    expect(await eventsOf(email)).toHaveLength(1);
  });

  it('records who claimed, when and why, like every command', async () => {
    const email = newEmail();
    const ada = randomUUID();
    const command = { ...origin(), correlationId: randomUUID() };
    await claimUnique(pipeline, { scope: SCOPE, value: email, ownerId: ada, reason: 'EMAIL_TAKEN' }, command);
    const [event] = await eventsOf(email);
    expect(event).toMatchObject({
      type: 'UniqueValueClaimed',
      data: { scope: SCOPE, ownerId: ada },
      metadata: {
        commandId: command.commandId,
        correlationId: command.correlationId,
        causationId: command.commandId,
        actor: 'system:registration',
        occurredAt: NOW.toISOString(),
        schemaVersion: 1,
      },
    });
  });

  it('hands a released value to the next owner', async () => {
    const email = newEmail();
    const [ada, bob] = [randomUUID(), randomUUID()];
    await claim(email, ada);

    await expect(release(email, ada)).resolves.toMatchObject({ changed: true });

    expect(await ownerOf(pipeline.store, SCOPE, email)).toBeNull();
    await expect(claim(email, bob)).resolves.toMatchObject({ changed: true });
    expect(await ownerOf(pipeline.store, SCOPE, email)).toBe(bob);
  });

  it('ignores a release by someone who does not hold the value', async () => {
    const email = newEmail();
    const [ada, bob] = [randomUUID(), randomUUID()];
    await expect(release(email, ada)).resolves.toMatchObject({ changed: false });
    await claim(email, ada);
    await expect(release(email, bob)).resolves.toMatchObject({ changed: false });
    expect(await ownerOf(pipeline.store, SCOPE, email)).toBe(ada);
  });

  it('lets one command claim, release and claim a value again', async () => {
    const email = newEmail();
    const ada = randomUUID();
    const command = origin();
    const target = { scope: SCOPE, value: email, ownerId: ada };
    await claimUnique(pipeline, { ...target, reason: 'EMAIL_TAKEN' }, command);
    await releaseUnique(pipeline, target, command);
    await claimUnique(pipeline, { ...target, reason: 'EMAIL_TAKEN' }, command);
    expect(await ownerOf(pipeline.store, SCOPE, email)).toBe(ada);
    expect(new Set((await eventsOf(email)).map((event) => event.id)).size).toBe(3);
  });

  it('keeps the value for the owner when the guarded work succeeds', async () => {
    const email = newEmail();
    const ada = randomUUID();
    const result = await withReservation(
      pipeline,
      { scope: SCOPE, value: email, ownerId: ada, reason: 'EMAIL_TAKEN' },
      origin(),
      async () => 'registered',
    );
    expect(result).toBe('registered');
    expect(await ownerOf(pipeline.store, SCOPE, email)).toBe(ada);
  });

  it('releases the value when the guarded work fails, and passes the failure on', async () => {
    const email = newEmail();
    const [ada, bob] = [randomUUID(), randomUUID()];
    const failure = new Error('the user stream could not be written');

    const attempt = withReservation(
      pipeline,
      { scope: SCOPE, value: email, ownerId: ada, reason: 'EMAIL_TAKEN' },
      origin(),
      async () => {
        throw failure;
      },
    );

    await expect(attempt).rejects.toBe(failure);
    expect(await ownerOf(pipeline.store, SCOPE, email)).toBeNull();
    await expect(claim(email, bob)).resolves.toMatchObject({ changed: true });
  });

  it('does not release a value the owner already held when a retried command fails', async () => {
    const email = newEmail();
    const ada = randomUUID();
    await claim(email, ada);

    const attempt = withReservation(
      pipeline,
      { scope: SCOPE, value: email, ownerId: ada, reason: 'EMAIL_TAKEN' },
      origin(),
      async () => {
        throw new Error('transient');
      },
    );

    await expect(attempt).rejects.toThrow('transient');
    expect(await ownerOf(pipeline.store, SCOPE, email)).toBe(ada);
  });

  it('does not run the work when the value belongs to someone else', async () => {
    const email = newEmail();
    await claim(email, randomUUID());
    let ran = false;
    const attempt = withReservation(
      pipeline,
      { scope: SCOPE, value: email, ownerId: randomUUID(), reason: 'EMAIL_TAKEN' },
      origin(),
      async () => {
        ran = true;
      },
    );
    await expect(attempt).rejects.toMatchObject({ code: 'CONFLICT', reason: 'EMAIL_TAKEN' });
    expect(ran).toBe(false);
  });

  it('never writes the value itself: not in the stream name, the data or the metadata', async () => {
    const email = newEmail();
    const [ada, bob] = [randomUUID(), randomUUID()];
    await claim(email, ada);
    await release(email, ada);
    await claim(email, bob);

    const stream = reservationStream(SCOPE, email);
    expect(stream).toMatch(/^reservation-[0-9a-f-]{36}$/);
    const written = await pipeline.store.readAll({ filter: { streamNamePrefixes: [stream] } });
    expect(written).toHaveLength(3);
    const serialised = JSON.stringify(
      written.map(({ streamName, type, data, metadata }) => ({ streamName, type, data, metadata })),
    );
    expect(serialised).not.toContain(email);
    expect(serialised).not.toContain(email.split('@')[0]);
  });
});
