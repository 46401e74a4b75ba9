import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { toIntegratorEvent } from '../../../src/api/events/integrator-events.ts';
import { verifySignature } from '../../../src/channels/webhook-signature.ts';
import { userStream } from '../../../src/domain/identity/streams.ts';
import { deactivateUser, setRole } from '../../../src/services/identity/account.ts';
import type { WebhookDeliveryBody } from '../../../src/workflows/webhooks/activities.ts';
import { eventWebhookWorkflowId } from '../../../src/workflows/webhooks/ids.ts';
import { headPosition } from '../../api/events/support.ts';
import {
  createWebhook,
  DELETE_WEBHOOK,
  PAUSE_WEBHOOK,
  REPLAY_WEBHOOK,
  RESUME_WEBHOOK,
  WEBHOOK,
} from '../../api/events/webhook-support.ts';
import { fieldOf } from '../../api/support/identity-app.ts';
import {
  freshEmail,
  identityDeps,
  makeAdmin,
  registerUser,
  type TestUser,
} from '../../api/support/identity-operations.ts';
import { type ReceivedDelivery, replies, type WebhookRoute } from '../../support/webhook-receiver.ts';
import { ACCESS_RECHECK_MS, startWebhookHarness, type WebhookHarness } from './support/harness.ts';

const USER_TYPES = ['UserRegistered', 'UserRoleChanged'];
const body = (delivery: ReceivedDelivery) => delivery.json as WebhookDeliveryBody;
const userOf = (delivery: ReceivedDelivery) => String(body(delivery).event.data.userId);

describe('integrator webhook delivery on Temporal', () => {
  let h: WebhookHarness;
  let admin: TestUser;
  const asOperator = () => ({
    actor: { kind: 'system' as const, process: 'test' },
    correlationId: randomUUID(),
  });
  /** A user registered and then made a creator: two events on one stream, in this order. */
  const userWithTwoEvents = async () => {
    const { id } = await registerUser(h.api);
    await setRole(identityDeps(h.api), asOperator(), { userId: id, role: 'creator' });
    return id;
  };
  /**
   * The [type, revision] of each event of these types on the user's stream, as stored: registration
   * appends other events to the stream too (EmailVerificationRequested), so the revisions are read,
   * not assumed.
   */
  const storedRevisions = async (userId: string, types: readonly string[]) =>
    (await h.api.runtime.store.readStream(userStream(userId)))
      .filter((event) => types.includes(event.type))
      .map((event) => [event.type, String(event.revision)]);
  /** The deliveries about these users that arrived on the route (other tests register users too). */
  const about = (route: WebhookRoute, users: readonly string[]) =>
    route.deliveries.filter((delivery) => delivery.outcome === 201 && users.includes(userOf(delivery)));
  const until = async (check: () => boolean | Promise<boolean>, what: string, timeoutMs = 20_000) => {
    const deadline = Date.now() + timeoutMs;
    while (!(await check())) {
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  };
  const webhook = async (token: string, id: string) =>
    fieldOf<{
      status: string;
      suspendedFor: string | null;
      lastHandledPosition: string | null;
      deadLetterCount: number;
      lag: { events: number };
      deadLetters: {
        nodes: { position: string; eventId: string; eventType: string; attempts: number; failure: string }[];
      };
    }>(await h.api.gql(WEBHOOK, { id }, token), 'eventWebhook');

  beforeAll(async () => {
    h = await startWebhookHarness();
    admin = await makeAdmin(h.api);
  }, 120_000);
  afterAll(async () => {
    await h?.close();
  });

  it('delivers each stream’s events in order, signed, with the integrator envelope, and keeps the cursor', async () => {
    const route = h.receiver.route();
    const created = await createWebhook(h.api, admin.accessToken, {
      url: route.url,
      types: USER_TYPES,
      streamPrefix: 'user-',
    });
    const users = await Promise.all([userWithTwoEvents(), userWithTwoEvents(), userWithTwoEvents()]);
    await until(() => about(route, users).length >= 6, 'six deliveries');

    for (const delivery of about(route, users)) {
      expect(verifySignature(created.signingSecret, delivery.signature, delivery.body, new Date())).toBe(
        true,
      );
      const sent = body(delivery);
      expect(sent.webhookId).toBe(created.id);
      expect(delivery.idempotencyKey).toBe(sent.deliveryId);
      expect(delivery.event).toBe(sent.event.type);
      const [stored] = await h.api.runtime.store.readAll({
        fromPosition: BigInt(sent.event.position),
        maxCount: 1,
      });
      if (!stored) throw new Error('the delivered event is not in the store');
      expect(sent.event).toEqual(await toIntegratorEvent(h.api.runtime.codec, stored));
    }
    for (const user of users) {
      const types = about(route, users)
        .filter((delivery) => userOf(delivery) === user)
        .map((delivery) => [body(delivery).event.type, body(delivery).event.revision]);
      expect(types.map(([type]) => type)).toEqual(['UserRegistered', 'UserRoleChanged']);
      expect(types).toEqual(await storedRevisions(user, USER_TYPES));
    }
    await until(async () => (await webhook(admin.accessToken, created.id)).lag.events === 0, 'no lag');
    const read = await webhook(admin.accessToken, created.id);
    expect(BigInt(read.lastHandledPosition ?? '0')).toBeGreaterThanOrEqual(
      BigInt(body(about(route, users).at(-1) as ReceivedDelivery).event.position),
    );
  });

  it('retries a receiver that fails and recovers, with the same delivery id and the attempt in the body', async () => {
    const route = h.receiver.route(replies.sequence(503, 500, 201));
    await createWebhook(h.api, admin.accessToken, { url: route.url, types: ['UserRegistered'] });
    const { id } = await registerUser(h.api);
    await until(() => about(route, [id]).length === 1, 'the delivery after two failures');
    const attempts = route.deliveries.filter((delivery) => userOf(delivery) === id);
    expect(attempts.map((delivery) => [delivery.outcome, body(delivery).attempt])).toEqual([
      [503, 1],
      [500, 2],
      [201, 3],
    ]);
    expect(new Set(attempts.map((delivery) => body(delivery).deliveryId)).size).toBe(1);
  });

  it('counts attempts per event within one stream’s batch and resumes at the failing event', async () => {
    // Per event revision: the statuses its attempts get in turn (the last repeats); 201 for the rest.
    // Filled in once the events are stored (the webhook is paused until then).
    const scripts = new Map<string, number[]>();
    const tries = new Map<string, number>();
    const route = h.receiver.route((delivery) => {
      const { id, type, revision } = body(delivery).event;
      const script = scripts.get(`${type}:${revision}`);
      const count = tries.get(id) ?? 0;
      tries.set(id, count + 1);
      return script ? (script[Math.min(count, script.length - 1)] ?? 201) : 201;
    });
    const created = await createWebhook(h.api, admin.accessToken, { url: route.url, types: USER_TYPES });
    // Paused while the user's three events are stored, so one batch holds them all: one stream.
    await h.api.gql(PAUSE_WEBHOOK, { id: created.id }, admin.accessToken);
    const user = await userWithTwoEvents();
    await setRole(identityDeps(h.api), asOperator(), { userId: user, role: 'user' });
    const [registered, firstChange, secondChange] = (await storedRevisions(user, USER_TYPES)).map(
      ([, revision]) => revision as string,
    );
    if (!registered || !firstChange || !secondChange) throw new Error('expected three user events stored');
    scripts.set(`UserRoleChanged:${firstChange}`, [503, 500, 201]);
    scripts.set(`UserRoleChanged:${secondChange}`, [503, 201]);
    await h.api.gql(RESUME_WEBHOOK, { id: created.id }, admin.accessToken);
    await until(() => about(route, [user]).length === 3, 'the three events delivered');

    const seen = route.deliveries
      .filter((delivery) => userOf(delivery) === user)
      .map((delivery) => [body(delivery).event.revision, delivery.outcome, body(delivery).attempt]);
    expect(seen).toEqual([
      [registered, 201, 1],
      [firstChange, 503, 1],
      [firstChange, 500, 2],
      [firstChange, 201, 3],
      [secondChange, 503, 1],
      [secondChange, 201, 2],
    ]);
    expect((await webhook(admin.accessToken, created.id)).deadLetterCount).toBe(0);
  });

  it('dead-letters an event that keeps failing (or is refused) and goes on; a replay sends it again', async () => {
    // Names known before the events exist, so the receiver fails them from the first attempt.
    const victimName = `Victim ${randomUUID()}`;
    const rejectedName = `Rejected ${randomUUID()}`;
    let failing = true;
    const route = h.receiver.route((delivery) => {
      const { type, data } = body(delivery).event;
      if (!failing || type !== 'UserRegistered') return 201;
      if (data.displayName === victimName) return 503;
      return data.displayName === rejectedName ? 410 : 201;
    });
    const created = await createWebhook(h.api, admin.accessToken, { url: route.url, types: USER_TYPES });
    const start = await headPosition(h.api);
    const { id: victimId } = await registerUser(h.api, freshEmail(), victimName);
    const { id: rejectedId } = await registerUser(h.api, freshEmail(), rejectedName);
    await setRole(identityDeps(h.api), asOperator(), { userId: victimId, role: 'creator' });
    await setRole(identityDeps(h.api), asOperator(), { userId: rejectedId, role: 'creator' });
    const { id: bystanderId } = await registerUser(h.api);

    // The victim's later event and the bystander's arrive though the victim's registration failed.
    await until(
      () =>
        about(route, [victimId]).some((d) => body(d).event.type === 'UserRoleChanged') &&
        about(route, [rejectedId]).some((d) => body(d).event.type === 'UserRoleChanged') &&
        about(route, [bystanderId]).length === 1,
      'the deliveries after the failing ones',
    );
    await until(
      async () => (await webhook(admin.accessToken, created.id)).deadLetterCount === 2,
      'two dead letters',
    );
    const dead = (await webhook(admin.accessToken, created.id)).deadLetters.nodes;
    const victimAttempts = route.deliveries.filter((d) => userOf(d) === victimId && d.outcome === 503);
    expect(victimAttempts).toHaveLength(3);
    expect(dead.map((letter) => [letter.eventType, letter.attempts])).toEqual([
      ['UserRegistered', 3],
      ['UserRegistered', 1],
    ]);
    expect(dead[0]?.failure).toMatch(/answered 503/);
    expect(dead[1]?.failure).toMatch(/refused the delivery with 410/);

    // Replay from before the victim's registration, once the receiver is fixed: it comes again.
    failing = false;
    const deliveredBefore = about(route, [victimId, rejectedId, bystanderId]).length;
    const replayFrom = (BigInt(dead[0]?.position ?? '0') - 1n).toString();
    expect(BigInt(replayFrom)).toBeGreaterThanOrEqual(start);
    await h.api.gql(REPLAY_WEBHOOK, { id: created.id, after: replayFrom }, admin.accessToken);
    await until(
      () => about(route, [victimId]).filter((d) => body(d).event.type === 'UserRegistered').length === 1,
      'the replayed registration',
    );
    await until(
      () => about(route, [victimId, rejectedId, bystanderId]).length >= deliveredBefore + 5,
      'the replay',
    );
    const replayed = about(route, [victimId]).find((d) => body(d).event.type === 'UserRegistered');
    expect(body(replayed as ReceivedDelivery).event.id).toBe(dead[0]?.eventId);
  });

  it('pauses and resumes within about a second, and ends the workflow on delete', async () => {
    const route = h.receiver.route();
    const created = await createWebhook(h.api, admin.accessToken, {
      url: route.url,
      types: ['UserRegistered'],
    });
    await h.api.gql(PAUSE_WEBHOOK, { id: created.id }, admin.accessToken);
    const { id: quiet } = await registerUser(h.api);
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    expect(about(route, [quiet])).toHaveLength(0);
    const resumedAt = Date.now();
    await h.api.gql(RESUME_WEBHOOK, { id: created.id }, admin.accessToken);
    await until(() => about(route, [quiet]).length === 1, 'the delivery after resuming');
    expect(Date.now() - resumedAt).toBeLessThan(1_500);

    await h.api.gql(DELETE_WEBHOOK, { id: created.id }, admin.accessToken);
    await h.client.workflow.getHandle(eventWebhookWorkflowId(created.id)).result();
  });

  it('redelivers what was in flight when its worker stopped, and loses nothing', async () => {
    const heldName = `Held ${randomUUID()}`;
    // The held POST stays open until its worker stops and hangs up.
    const route = h.receiver.route((delivery) =>
      body(delivery).event.data.displayName === heldName ? 'hold' : 201,
    );
    const created = await createWebhook(h.api, admin.accessToken, {
      url: route.url,
      types: ['UserRegistered'],
    });
    const { id: held } = await registerUser(h.api, freshEmail(), heldName);
    await until(
      () => route.deliveries.some((d) => userOf(d) === held && d.outcome === 'held'),
      'the held delivery',
    );
    await h.worker.close();
    route.respondWith(() => 201);
    const { id: later } = await registerUser(h.api);
    h.worker = await h.startWorker();
    await until(() => about(route, [held, later]).length === 2, 'the redelivery and the later event');
    const attempts = route.deliveries.filter((d) => userOf(d) === held);
    expect(attempts.at(-1)?.outcome).toBe(201);
    expect(new Set(attempts.map((d) => body(d).deliveryId)).size).toBe(1);
    // Interrupted, not failed: nothing was dead-lettered.
    expect((await webhook(admin.accessToken, created.id)).deadLetterCount).toBe(0);
  });

  it('resumes a stream’s lane after its worker stopped at the event in flight, not at the lane’s start', async () => {
    // The user's second event is held open until its worker stops; the first was delivered before.
    let held = '';
    const route = h.receiver.route((delivery) =>
      body(delivery).event.type === 'UserRoleChanged' && userOf(delivery) === held ? 'hold' : 201,
    );
    const created = await createWebhook(h.api, admin.accessToken, { url: route.url, types: USER_TYPES });
    // Paused while both events are stored, so they travel in one lane.
    await h.api.gql(PAUSE_WEBHOOK, { id: created.id }, admin.accessToken);
    held = await userWithTwoEvents();
    await h.api.gql(RESUME_WEBHOOK, { id: created.id }, admin.accessToken);
    await until(
      () => route.deliveries.some((d) => userOf(d) === held && d.outcome === 'held'),
      'the held delivery',
    );
    // Longer than the heartbeat throttle (0.8 of the 1 s heartbeat timeout): the progress is recorded.
    await new Promise((resolve) => setTimeout(resolve, 1_200));
    await h.worker.close();
    route.respondWith(() => 201);
    h.worker = await h.startWorker();
    await until(() => about(route, [held]).length === 2, 'the held event delivered');

    const seen = route.deliveries
      .filter((delivery) => userOf(delivery) === held)
      .map((delivery) => [body(delivery).event.type, delivery.outcome, body(delivery).attempt]);
    expect(seen[0]).toEqual(['UserRegistered', 201, 1]);
    expect(seen.slice(1).map(([type]) => type)).not.toContain('UserRegistered');
    expect(seen.at(-1)).toEqual(['UserRoleChanged', 201, 1]);
    expect((await webhook(admin.accessToken, created.id)).deadLetterCount).toBe(0);
  });

  it('suspends the webhook of an owner who stopped being an admin, and of a deactivated one, even mid-batch', async () => {
    const demoted = await makeAdmin(h.api);
    const route = h.receiver.route();
    const created = await createWebhook(h.api, demoted.accessToken, {
      url: route.url,
      types: ['UserRegistered', 'BrandCreated'],
    });
    const { id: before } = await registerUser(h.api);
    await until(() => about(route, [before]).length === 1, 'a delivery while the owner is an admin');
    await setRole(identityDeps(h.api), asOperator(), { userId: demoted.id, role: 'user' });
    await until(
      async () => (await webhook(demoted.accessToken, created.id)).status === 'suspended',
      'the suspension',
    );
    expect((await webhook(demoted.accessToken, created.id)).suspendedFor).toBe('ADMIN_ONLY');
    const { id: after } = await registerUser(h.api);
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    expect(about(route, [after])).toHaveLength(0);

    const leaving = await makeAdmin(h.api);
    const other = h.receiver.route();
    const second = await createWebhook(h.api, leaving.accessToken, {
      url: other.url,
      types: ['UserRegistered'],
    });
    await deactivateUser(identityDeps(h.api), asOperator(), { userId: leaving.id });
    await registerUser(h.api);
    await until(async () => {
      const { rows } = await h.api.runtime.pool.query(
        'select status, suspended_for from event_webhooks where webhook_id = $1',
        [second.id],
      );
      return rows[0]?.status === 'suspended' && rows[0]?.suspended_for === 'OWNER_INACTIVE';
    }, 'the deactivated owner’s suspension');

    // Deactivation writes no webhook event, so nothing interrupts a batch in flight: the lane's
    // check before each POST must stop it. One stream's role changes make one long lane, and a
    // receiver answering 503 makes every event take its attempts and backoff.
    const midway = await makeAdmin(h.api);
    const arrivals: number[] = [];
    const failing = h.receiver.route(() => {
      arrivals.push(Date.now());
      return 503;
    });
    const third = await createWebhook(h.api, midway.accessToken, {
      url: failing.url,
      types: ['UserRoleChanged'],
    });
    await h.api.gql(PAUSE_WEBHOOK, { id: third.id }, midway.accessToken);
    const { id: subject } = await registerUser(h.api);
    for (let change = 0; change < 16; change++) {
      const role = change % 2 === 0 ? 'creator' : 'user';
      await setRole(identityDeps(h.api), asOperator(), { userId: subject, role });
    }
    await h.api.gql(RESUME_WEBHOOK, { id: third.id }, midway.accessToken);
    await until(() => arrivals.length >= 2, 'the receiver failing and being retried');
    await deactivateUser(identityDeps(h.api), asOperator(), { userId: midway.id });
    const deactivatedAt = Date.now();
    await until(async () => {
      const { rows } = await h.api.runtime.pool.query(
        'select status, suspended_for from event_webhooks where webhook_id = $1',
        [third.id],
      );
      return rows[0]?.status === 'suspended' && rows[0]?.suspended_for === 'OWNER_INACTIVE';
    }, 'the suspension of the owner deactivated mid-batch');
    // Sixteen events at three attempts each would keep the lane busy for seconds more.
    await new Promise((resolve) => setTimeout(resolve, 2_000));
    // The bound, plus a second for the users read model to see the deactivation.
    const late = arrivals.filter((at) => at > deactivatedAt + ACCESS_RECHECK_MS + 1_000);
    expect(late).toEqual([]);
    const attempted = new Set(failing.deliveries.map((delivery) => body(delivery).event.id));
    expect(attempted.size).toBeLessThan(16);
  });
});
