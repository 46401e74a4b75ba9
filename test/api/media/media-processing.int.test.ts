import { readFile } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mediaFixtures } from '../../support/media-fixtures.ts';
import { connect, graphqlWsUrl, subscribe, type TestClient } from '../subscriptions/support/ws-client.ts';
import { registerAndSignIn, type TestUser } from '../support/identity-operations.ts';
import { type MediaApp, requestUpload, startMediaApp } from './support.ts';

const PROCESSING = `subscription ($id: ID!) {
  mediaProcessing(assetId: $id) { assetId status progress { step detail percent } failure { stage reason } media { id size } } }`;

interface Update {
  assetId: string;
  status: string;
  progress: { step: string; detail: string | null; percent: number | null } | null;
  failure: { stage: string; reason: string } | null;
  media: { id: string; size: number | null };
}

let api: MediaApp;
let owner: TestUser;
let url: string;
const clients: TestClient[] = [];
const client = (token: string) => {
  const created = connect(url, token);
  clients.push(created);
  return created;
};

beforeAll(async () => {
  api = await startMediaApp();
  owner = await registerAndSignIn(api, 'Owner');
  url = await graphqlWsUrl(api.app);
});
afterAll(async () => {
  await Promise.all(clients.map((each) => each.dispose()));
  await api?.close();
});

describe('mediaProcessing(assetId)', () => {
  it('reports the status now, then each status and progress change', async () => {
    const wav = await readFile((await mediaFixtures()).wav);
    const ticket = await requestUpload(api, owner.accessToken, {
      kind: 'AUDIO',
      fileName: 'voice.wav',
      contentType: 'audio/wav',
      size: wav.length,
    });
    const updates = subscribe<Update>(client(owner.accessToken), 'mediaProcessing', PROCESSING, {
      id: ticket.assetId,
    });
    expect((await updates.received(1))[0]).toMatchObject({
      assetId: ticket.assetId,
      status: 'REQUESTED',
      progress: null,
    });
    expect((await api.put(ticket.uploadUrl, wav)).statusCode).toBe(200);
    expect((await updates.received(2))[1]).toMatchObject({ status: 'UPLOADED', media: { size: wav.length } });
    // Each change is awaited before the next: a subscriber that lags is sent the latest state only.
    await api.asSaga(ticket.assetId, { type: 'StartProcessing' });
    await updates.received(3);
    await api.asSaga(ticket.assetId, { type: 'RecordProgress', step: 'audio', detail: 'aac', percent: 50 });
    await updates.received(4);
    await api.asSaga(ticket.assetId, {
      type: 'FailProcessing',
      stage: 'audio',
      reason: 'ffmpeg exited with 1',
    });
    const seen = await updates.received(5);
    expect(seen.slice(2).map((update) => [update.status, update.progress?.percent ?? null])).toEqual([
      ['PROCESSING', null],
      ['PROCESSING', 50],
      ['FAILED', 50],
    ]);
    expect(seen[4]?.failure).toEqual({ stage: 'audio', reason: 'ffmpeg exited with 1' });
    updates.unsubscribe();
  });

  it('is refused for someone else’s media', async () => {
    const ticket = await requestUpload(api, owner.accessToken, {
      kind: 'IMAGE',
      fileName: 'a.png',
      contentType: 'image/png',
      size: 100,
    });
    const stranger = await registerAndSignIn(api, 'Stranger');
    const refused = subscribe(client(stranger.accessToken), 'mediaProcessing', PROCESSING, {
      id: ticket.assetId,
    });
    const ending = await refused.ended;
    expect(ending).toMatchObject({
      kind: 'errors',
      errors: [{ extensions: { code: 'NOT_FOUND', reason: 'MEDIA_NOT_FOUND' } }],
    });
  });
});
