import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ChatMessageEvent } from '../../../src/domain/chat/message-events.ts';
import { createLogger } from '../../../src/logger.ts';
import { CHAT_PROJECTION, chatProjection } from '../../../src/projections/read-models/chat.ts';
import { abandonRebuild, rebuildProjection } from '../../../src/projections/rebuild.ts';
import { waitForPosition } from '../../../src/projections/wait-for-position.ts';
import { destroyChatTextOf } from '../../../src/services/chat/erasure.ts';
import { fieldOf, type IdentityApp, startIdentityApp } from '../support/identity-app.ts';
import { registerAndSignIn, type TestUser } from '../support/identity-operations.ts';
import { conversationAs } from './conversation-support.ts';
import { directOf, EDIT, groupOf, historyOf, search, send, storedMessageEvents } from './message-support.ts';

/**
 * Forgetting a person (forgetUser) takes their words out of chat: the read model empties them at
 * once, the messages' text keys are destroyed so the stored events decode them as null, and a
 * rebuild from the history gives the same tables. Their memberships stay.
 */
const FORGET = 'mutation { forgetUser { userId position } }';

let api: IdentityApp;
let ada: TestUser;
let bob: TestUser;
let cy: TestUser;
beforeAll(async () => {
  api = await startIdentityApp();
  ada = await registerAndSignIn(api, 'Ada');
  bob = await registerAndSignIn(api, 'Bob');
  cy = await registerAndSignIn(api, 'Cy');
});
afterAll(async () => {
  await api.close();
});

const textsOf = (events: ChatMessageEvent[]) =>
  events.map((event) => ('text' in event.data ? event.data.text : undefined));

describe('forgetting a chat member', () => {
  it("empties every word they sent, in the read model and the history; others' words and the memberships stay", async () => {
    const groupId = await groupOf(api, ada, [bob, cy]);
    const directId = await directOf(api, ada, bob);
    const fromAda = await send(api, ada, groupId, 'hello pineapple crew');
    const inGroup = await send(api, bob, groupId, 'my pineapple secret');
    const inDirect = await send(api, bob, directId, 'mango whisper');
    expect(
      fieldOf<{ text: string }>(
        await api.gql(EDIT, { id: inDirect.id, text: 'mango whisper, edited' }, bob.accessToken),
        'editChatMessage',
      ).text,
    ).toBe('mango whisper, edited');
    expect((await search(api, ada, 'pineapple')).nodes.map((m) => m.id).sort()).toEqual(
      [fromAda.id, inGroup.id].sort(),
    );

    const receipt = fieldOf<{ userId: string; position: string }>(
      await api.gql(FORGET, {}, bob.accessToken),
      'forgetUser',
    );
    expect(receipt.userId).toBe(bob.id);
    const { pool, bus, store, codec } = api.runtime;
    expect(
      await waitForPosition(pool, bus, BigInt(receipt.position), {
        timeoutMs: 5_000,
        projections: [CHAT_PROJECTION],
      }),
    ).toBe(true);

    // Ada's history and search: Bob's messages are there, without words; hers keep theirs.
    const group = (await historyOf(api, ada, groupId)).nodes;
    expect(group.map((m) => [m.id, m.text])).toEqual([
      [fromAda.id, 'hello pineapple crew'],
      [inGroup.id, null],
    ]);
    expect((await historyOf(api, ada, directId)).nodes.map((m) => [m.id, m.text, m.deleted])).toEqual([
      [inDirect.id, null, false],
    ]);
    expect((await search(api, ada, 'pineapple')).nodes.map((m) => m.id)).toEqual([fromAda.id]);
    expect((await search(api, ada, 'mango')).nodes).toEqual([]);
    expect((await search(api, cy, 'secret')).nodes).toEqual([]);

    // The history keeps the events; their words decode as null (sent and edited alike).
    expect(textsOf(await storedMessageEvents(api, inGroup.id))).toEqual([null]);
    expect(textsOf(await storedMessageEvents(api, inDirect.id))).toEqual([null, null]);
    expect(textsOf(await storedMessageEvents(api, fromAda.id))).toEqual(['hello pineapple crew']);

    // A forgotten member stays a member: the conversation is unchanged but for the words.
    expect((await conversationAs(api, ada, groupId)).memberCount).toBe(3);

    // Rebuilt from the history, in one batch and one event per batch: the same tables.
    const projection = chatProjection(codec);
    for (const batchSize of [500, 1]) {
      const report = await rebuildProjection(
        { store, pool, bus, log: createLogger('silent') },
        { ...projection, version: projection.version + 1 },
        { compare: true, swap: false, batchSize },
      );
      expect(report.comparison?.length).toBe(Object.keys(projection.tables).length);
      for (const table of report.comparison ?? []) {
        expect(table, `${table.table} rebuilt with batches of ${batchSize}`).toMatchObject({ same: true });
      }
      expect(await abandonRebuild(pool, CHAT_PROJECTION)).toBe(true);
    }
  });

  it('finds the messages in the history itself when the read model cannot be asked', async () => {
    const groupId = await groupOf(api, ada, [cy]);
    const [first, second] = [await send(api, cy, groupId, 'one'), await send(api, cy, groupId, 'two')];
    const fromAda = await send(api, ada, groupId, 'three');
    const { store, keys } = api.runtime;
    // No pool: every ChatMessageSent is read, Cy's found by their (never encrypted) sender id.
    expect(await destroyChatTextOf({ store, keys }, cy.id.toUpperCase())).toBe(2);
    expect(textsOf(await storedMessageEvents(api, first.id))).toEqual([null]);
    expect(textsOf(await storedMessageEvents(api, second.id))).toEqual([null]);
    expect(textsOf(await storedMessageEvents(api, fromAda.id))).toEqual(['three']);
    // Again: nothing left to do, nothing fails.
    expect(await destroyChatTextOf({ store, keys }, cy.id)).toBe(2);
  });
});
