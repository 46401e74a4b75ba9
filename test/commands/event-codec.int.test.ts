import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EventMetadata } from '../../src/commands/types.ts';
import type { RecordedEvent } from '../../src/eventstore/port.ts';
import { isEncryptedField } from '../../src/privacy/field-encryption.ts';
import { counterCatalogue } from './fixtures/counter.ts';
import { type Pipeline, startPipeline } from './fixtures/pipeline.ts';
import { profileCatalogue, profileCreatedV1Definition, profileSubject } from './fixtures/profile-events.ts';

const NOW = new Date('2024-11-23T10:00:00.000Z');

describe('event codec', () => {
  let pipeline: Pipeline;
  beforeAll(async () => {
    pipeline = await startPipeline('codec');
  });
  afterAll(async () => {
    await pipeline.close();
  });

  const metadata = (): Omit<EventMetadata, 'schemaVersion'> => {
    const commandId = randomUUID();
    return {
      commandId,
      correlationId: commandId,
      causationId: commandId,
      actor: 'system:test',
      occurredAt: NOW.toISOString(),
    };
  };

  /** Encodes with `definition`, appends, and returns the stored event as a reader sees it. */
  const store = async (
    definition: Parameters<Pipeline['codec']['encode']>[0],
    data: unknown,
    stream = `profile-${randomUUID()}`,
  ): Promise<RecordedEvent> => {
    const event = await pipeline.codec.encode(
      definition,
      { type: definition.type, data },
      metadata(),
      randomUUID(),
    );
    await pipeline.store.append(stream, [event]);
    const [recorded] = await pipeline.store.readStream(stream, {
      fromRevision: 'end',
      direction: 'backwards',
    });
    if (!recorded) throw new Error(`nothing stored in ${stream}`);
    return recorded;
  };

  const ada = (profileId: string) => ({
    profileId,
    displayName: 'Ada Lovelace',
    email: 'ada@example.org',
    plan: 'pro',
  });

  const field = (recorded: RecordedEvent, name: string) =>
    typeof recorded.data === 'object' && recorded.data !== null
      ? Reflect.get(recorded.data, name)
      : undefined;

  it('stores personal fields encrypted: their plaintext appears nowhere in the stored event', async () => {
    const profileId = randomUUID();
    const recorded = await store(profileCatalogue.ProfileCreated, ada(profileId));

    const stored = JSON.stringify({ data: recorded.data, metadata: recorded.metadata });
    expect(stored).not.toContain('Ada Lovelace');
    expect(stored).not.toContain('ada@example.org');
    expect(recorded.data).toMatchObject({ profileId, plan: 'pro' });
    expect(recorded.data).toHaveProperty('email', expect.objectContaining({ $pii: 1 }));
    expect(recorded.metadata).toMatchObject({ schemaVersion: 2, actor: 'system:test' });
  });

  it('decodes personal fields back to their plaintext', async () => {
    const profileId = randomUUID();
    const recorded = await store(profileCatalogue.ProfileCreated, ada(profileId));

    const decoded = await pipeline.codec.decode(profileCatalogue, recorded);

    expect(decoded?.event).toEqual({ type: 'ProfileCreated', data: ada(profileId) });
    expect(decoded?.metadata).toMatchObject({ actor: 'system:test', schemaVersion: 2 });
  });

  it('leaves null personal values as they are', async () => {
    const profileId = randomUUID();
    const recorded = await store(profileCatalogue.ProfileRenamed, { profileId, displayName: null });
    expect(recorded.data).toEqual({ profileId, displayName: null });
    const decoded = await pipeline.codec.decode(profileCatalogue, recorded);
    expect(decoded?.event.data).toEqual({ profileId, displayName: null });
  });

  it('reads personal fields as null once the subject is forgotten; other fields stay', async () => {
    const profileId = randomUUID();
    const recorded = await store(profileCatalogue.ProfileCreated, ada(profileId));

    await pipeline.keys.destroy(profileSubject(profileId));

    const decoded = await pipeline.codec.decode(profileCatalogue, recorded);
    expect(decoded?.event.data).toEqual({ profileId, displayName: null, email: null, plan: 'pro' });
  });

  it('refuses to store new personal data about a forgotten subject', async () => {
    const profileId = randomUUID();
    await pipeline.keys.destroy(profileSubject(profileId));
    await expect(
      store(profileCatalogue.ProfileRenamed, { profileId, displayName: 'Ada King' }),
    ).rejects.toMatchObject({ code: 'CONFLICT', reason: 'SUBJECT_FORGOTTEN' });
  });

  it('decrypts a version 1 event, then upcasts it to version 2', async () => {
    const profileId = randomUUID();
    const v1 = await store(profileCreatedV1Definition, { profileId, name: 'Ada Lovelace', email: null });
    expect(v1.metadata).toMatchObject({ schemaVersion: 1 });
    expect(isEncryptedField(field(v1, 'name'))).toBe(true);

    const decoded = await pipeline.codec.decode(profileCatalogue, v1);

    expect(decoded?.event.data).toEqual({
      profileId,
      displayName: 'Ada Lovelace',
      email: null,
      plan: 'free',
    });
  });

  it('ignores types the catalogue does not know', async () => {
    const recorded = await store(counterCatalogue.Incremented, { by: 1 });
    await expect(pipeline.codec.decode(profileCatalogue, recorded)).resolves.toBeUndefined();
  });

  it('rejects data that does not match the schema when encoding, naming the type', async () => {
    await expect(
      pipeline.codec.encode(
        profileCatalogue.ProfileRenamed,
        { type: 'ProfileRenamed', data: { profileId: 'not-a-uuid', displayName: 'x' } },
        metadata(),
        randomUUID(),
      ),
    ).rejects.toThrow(/ProfileRenamed does not match its schema[\s\S]*profileId/);
  });

  it('rejects stored data that does not match the schema, naming stream and revision', async () => {
    const stream = `profile-${randomUUID()}`;
    await pipeline.store.append(stream, [
      { id: randomUUID(), type: 'ProfileRenamed', data: { displayName: 'x' }, metadata: metadata() },
    ]);
    const [recorded] = await pipeline.store.readStream(stream);
    if (!recorded) throw new Error('nothing stored');
    await expect(pipeline.codec.decode(profileCatalogue, recorded)).rejects.toThrow(
      `ProfileRenamed at ${stream}@0 does not match its schema`,
    );
  });

  it('fails on a ciphertext copied into another event of the same subject', async () => {
    const profileId = randomUUID();
    const created = await store(profileCatalogue.ProfileCreated, ada(profileId));
    const renamed = await store(profileCatalogue.ProfileRenamed, { profileId, displayName: 'Ada King' });
    const copied = { ...renamed, data: { profileId, displayName: field(created, 'displayName') } };
    await expect(pipeline.codec.decode(profileCatalogue, copied)).rejects.toThrow();
  });

  it('never shows a ciphertext copied into another subject’s event as that subject’s data', async () => {
    const original = await store(profileCatalogue.ProfileCreated, ada(randomUUID()));
    const otherId = randomUUID();
    const other = await store(profileCatalogue.ProfileCreated, { ...ada(otherId), email: 'bob@example.org' });
    const copied = { ...other, data: { ...ada(otherId), email: field(original, 'email') } };
    const decoded = await pipeline.codec.decode(profileCatalogue, copied);
    expect(decoded?.event.data).toMatchObject({ email: null });
  });
});
