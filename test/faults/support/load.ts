import { createECDH, randomBytes, randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  chatConversationStream,
  chatMessageStream,
  directConversationId,
} from '../../../src/domain/chat/streams.ts';
import {
  checkpointAttemptsStream,
  communityMemberStream,
  communityPostStream,
  communityStream,
} from '../../../src/domain/communities/streams.ts';
import type { Actor } from '../../../src/domain/shared/decider.ts';
import { videoPostStream } from '../../../src/domain/videos/streams.ts';
import { videoPostEventCatalogue } from '../../../src/domain/videos/video-events.ts';
import { commandIdFor } from '../../../src/services/shared/command-context.ts';
import { followTieStream } from '../../../src/services/social/follows-streams.ts';
import { likeStream } from '../../../src/services/social/likes.ts';
import { runCli } from '../../support/cli.ts';
import { SYNC_MUTATION } from '../../sync/support/offline-client.ts';
import { openInspector } from './consistency.ts';

/**
 * A scripted load of real GraphQL mutations over HTTP, and a record of what every client was told.
 * Each operation carries an idempotency key; a transport error (connection refused or reset: an
 * API process died) or a 502/503 is retried with the same key, on the next API process, a bounded
 * number of times. So an operation ends `acknowledged` (HTTP 200 without errors, possibly on a
 * retry), `failed` (the API answered with an error code: the client was told it failed) or
 * `unknown` (the retries ran out on transport errors: the client cannot know).
 */

export interface GraphQLError {
  message: string;
  extensions?: { code?: string; reason?: string } & Record<string, unknown>;
}

export interface GraphQLReply {
  status: number;
  data: Record<string, unknown> | null;
  errors?: GraphQLError[];
}

/** One POST /graphql. Throws on transport errors (the caller decides whether to retry). */
export async function postGraphQL(
  apiUrl: string,
  query: string,
  variables: Record<string, unknown> = {},
  token?: string,
  timeoutMs = 15_000,
): Promise<GraphQLReply> {
  const response = await fetch(`${apiUrl}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify({ query, variables }),
    signal: AbortSignal.timeout(timeoutMs),
  });
  const text = await response.text();
  let body: { data?: Record<string, unknown> | null; errors?: GraphQLError[] } = {};
  try {
    body = JSON.parse(text) as typeof body;
  } catch {
    body = { errors: [{ message: text.slice(0, 200), extensions: { code: `HTTP_${response.status}` } }] };
  }
  return {
    status: response.status,
    data: body.data ?? null,
    ...(body.errors ? { errors: body.errors } : {}),
  };
}

export type OperationKind =
  | 'register'
  | 'createContent'
  | 'updateContent'
  | 'submitContent'
  | 'publishContent'
  | 'followUser'
  | 'postComment'
  | 'likeComment'
  | 'startDirectChat'
  | 'sendChatMessage'
  | 'createCommunity'
  | 'joinCommunity'
  | 'startCommunityThread'
  | 'submitCheckpointAttempt'
  | 'syncOffline';

export type Outcome = 'acknowledged' | 'failed' | 'unknown';

export interface OperationRecord {
  /** Client-side id of the operation (also its idempotency key). */
  id: string;
  kind: OperationKind;
  idempotencyKey: string;
  /** The command id the API derives from the key (see commandIdFor), to find its events. */
  commandId: string;
  /** The stream the command writes to, when known before sending (all but register). */
  stream?: string;
  /** The aggregate the operation is about (content id; the user id for register once known). */
  aggregateId?: string;
  /** Whether the operation was meant to be refused (invalid input). */
  expectRefusal: boolean;
  /**
   * Its command id is not derived from the idempotency key (the mutation takes none): the checks
   * read `stream` instead of looking the command up.
   */
  checkedByStream?: boolean;
  outcome: Outcome;
  /** How many times it was sent (1 = no retry). */
  attempts: number;
  /** `CODE` or `CODE/REASON` of a refusal, for `failed`. */
  errorCode?: string;
  /** The last transport error or retryable status seen, if any. */
  transportError?: string;
  /** The mutation's payload, for `acknowledged`. */
  result?: Record<string, unknown>;
  /**
   * A sync from an offline device: the changes it pushed (checked change by change, see
   * consistency.ts checkSyncChanges, not by the operation's own command id), and the operation
   * whose changes it sends again when it is the device's resend of a reply it never saw.
   */
  sync?: { userId: string; changes: SyncChangeInput[]; resendOf?: string };
  /** Extra facts for the checks (the unique title an update wrote, ...). */
  detail: Record<string, string>;
  startedAt: number;
  finishedAt?: number;
}

export interface SendOptions {
  /** Attempts in all, the first one included (default 10). */
  maxAttempts?: number;
  /** First retry delay; doubled each time up to 2 s (default 100 ms). */
  backoffMs?: number;
}

/** Round-robin over the API processes; a retry goes to the next one. */
export class ApiPool {
  private next = 0;
  constructor(readonly urls: readonly string[]) {
    if (urls.length === 0) throw new Error('ApiPool needs at least one API URL');
  }
  pick(): string {
    const url = this.urls[this.next % this.urls.length] ?? this.urls[0];
    this.next += 1;
    if (url === undefined) throw new Error('no API URL');
    return url;
  }
}

const RETRYABLE_STATUS = new Set([502, 503, 504]);

/**
 * Sends one operation until it is answered (or the attempts run out), filling in `record`.
 * `field` is the mutation's field in `data`.
 */
export async function send(
  pool: ApiPool,
  record: OperationRecord,
  request: { query: string; variables: Record<string, unknown>; token?: string; field: string },
  options: SendOptions = {},
): Promise<OperationRecord> {
  const maxAttempts = options.maxAttempts ?? 10;
  let delay = options.backoffMs ?? 100;
  for (let attempt = 1; attempt <= maxAttempts; attempt++) {
    record.attempts = attempt;
    let reply: GraphQLReply;
    try {
      reply = await postGraphQL(pool.pick(), request.query, request.variables, request.token);
    } catch (error) {
      record.transportError = transportErrorOf(error);
      await sleep(delay);
      delay = Math.min(2_000, delay * 2);
      continue;
    }
    if (RETRYABLE_STATUS.has(reply.status)) {
      record.transportError = `HTTP ${reply.status}`;
      await sleep(delay);
      delay = Math.min(2_000, delay * 2);
      continue;
    }
    record.finishedAt = Date.now();
    const payload = reply.data?.[request.field];
    if (reply.status === 200 && !reply.errors?.length && payload && typeof payload === 'object') {
      record.outcome = 'acknowledged';
      record.result = payload as Record<string, unknown>;
    } else {
      record.outcome = 'failed';
      record.errorCode = errorCodeOf(reply);
    }
    return record;
  }
  record.finishedAt = Date.now();
  record.outcome = 'unknown';
  return record;
}

function errorCodeOf(reply: GraphQLReply): string {
  const first = reply.errors?.[0];
  if (!first) return `HTTP_${reply.status}_NO_DATA`;
  return [first.extensions?.code ?? 'UNKNOWN', first.extensions?.reason].filter(Boolean).join('/');
}

function transportErrorOf(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const cause = error.cause instanceof Error ? error.cause : undefined;
  const code = cause && 'code' in cause ? String(cause.code) : undefined;
  return [error.name, code ?? cause?.message ?? error.message].filter(Boolean).join(': ');
}

// ---------------------------------------------------------------------------------------------
// The scenario's world: an admin with a brand whose content is approved on submission.

export const PASSWORD = 'fault suite password 1234';

const REGISTER = `mutation ($input: RegisterInput!) { register(input: $input) { id } }`;
const LOGIN = `mutation ($input: LoginInput!) { login(input: $input) { accessToken user { id role } } }`;
const CREATE_BRAND = `mutation ($input: CreateBrandInput!, $key: String) { createBrand(input: $input, idempotencyKey: $key) { id } }`;
const CREATE_CONTENT = `mutation ($input: CreateContentInput!, $key: String) {
  createContent(input: $input, idempotencyKey: $key) { id version status } }`;
const UPDATE_CONTENT = `mutation ($id: ID!, $input: UpdateContentInput!, $key: String) {
  updateContent(id: $id, input: $input, idempotencyKey: $key) { id version status } }`;
const SUBMIT = `mutation ($id: ID!, $key: String) { submitContent(id: $id, idempotencyKey: $key) { id version status } }`;
const PUBLISH = `mutation ($id: ID!, $key: String) { publishContent(id: $id, idempotencyKey: $key) { id version status } }`;

export const CONTENT_UPDATE_MUTATION = UPDATE_CONTENT;

export interface SignedIn {
  userId: string;
  email: string;
  accessToken: string;
  actor: Actor;
}

export interface LoadWorld {
  pool: ApiPool;
  admin: SignedIn;
  brandId: string;
  /** The admin's public video the load's new users comment on (and the admin likes the comments). */
  videoId: string;
  /** The admin's public community, with a published path whose module has an approved checkpoint. */
  community: { communityId: string; checkpointId: string; moduleId: string };
}

/** Fails the test with the reply when a set-up call does not succeed. */
function must(reply: GraphQLReply, field: string): Record<string, unknown> {
  const value = reply.data?.[field];
  if (reply.errors?.length || !value || typeof value !== 'object') {
    throw new Error(`${field} failed: ${JSON.stringify(reply)}`);
  }
  return value as Record<string, unknown>;
}

/** Registers and signs in a user; with `role`, an operator grants it first (`chronicle users set-role`). */
export async function signUp(
  apiUrl: string,
  options: { databaseUrl: string; role?: 'admin' | 'creator' | 'moderator'; name?: string },
): Promise<SignedIn> {
  const email = `fault-${randomUUID()}@example.org`;
  const registered = must(
    await postGraphQL(apiUrl, REGISTER, {
      input: { email, password: PASSWORD, displayName: options.name ?? 'Fault Suite' },
    }),
    'register',
  );
  if (options.role) {
    const result = await runCli(['users', 'set-role', email, options.role], {
      DATABASE_URL: options.databaseUrl,
      LOG_LEVEL: 'warn',
    });
    if (result.code !== 0) throw new Error(`set-role failed (${result.code}): ${result.stderr}`);
  }
  const login = must(await postGraphQL(apiUrl, LOGIN, { input: { email, password: PASSWORD } }), 'login');
  const user = login.user as { id: string; role: 'admin' | 'user' };
  const userId = String(registered.id);
  return {
    userId,
    email,
    accessToken: String(login.accessToken),
    actor: { kind: 'user', userId, role: user.role },
  };
}

/** A brand with no approval steps (content is approved on submission) and no channels. */
export async function createBrand(apiUrl: string, admin: SignedIn): Promise<string> {
  const brand = must(
    await postGraphQL(
      apiUrl,
      CREATE_BRAND,
      {
        input: {
          name: `Fault brand ${admin.userId.slice(0, 8)}`,
          identity: { toneOfVoice: 'Plain and calm', guardrails: [], colours: [] },
          country: 'GB',
          language: 'en-GB',
          allowedContentTypes: ['article'],
          workflow: [],
          channels: [],
        },
        key: randomUUID(),
      },
      admin.accessToken,
    ),
    'createBrand',
  );
  return String(brand.id);
}

/**
 * A public video of the admin's, stored as the video post's first event (a post needs a transcoded
 * asset, which the suite has no use for), and answered by the API before the load starts.
 */
export async function createVideo(apiUrl: string, databaseUrl: string, admin: SignedIn): Promise<string> {
  const postId = randomUUID();
  const runtime = await openInspector(databaseUrl);
  try {
    const id = randomUUID();
    const metadata = { commandId: id, correlationId: id, causationId: id, actor: 'system:fault-suite' };
    const event = await runtime.codec.encode(
      videoPostEventCatalogue.VideoPostCreated,
      {
        type: 'VideoPostCreated',
        data: {
          postId,
          ownerId: admin.userId,
          assetId: randomUUID(),
          title: 'Fault suite video',
          description: '',
          tags: [],
          visibility: 'public',
        },
      },
      { ...metadata, occurredAt: new Date().toISOString() },
      randomUUID(),
    );
    await runtime.store.append(videoPostStream(postId), [event]);
  } finally {
    await runtime.close();
  }
  const query = `query ($id: ID!) { videoEngagement(videoId: $id) { videoId } }`;
  for (let waited = 0; waited < 30_000; waited += 100) {
    const reply = await postGraphQL(apiUrl, query, { id: postId }, admin.accessToken);
    if (reply.data?.videoEngagement) return postId;
    await sleep(100);
  }
  throw new Error(`the API did not show video ${postId} within 30 s`);
}

/** The admin, signed in, their brand and their video: what every scripted client writes with. */
export async function prepareWorld(apiUrls: readonly string[], databaseUrl: string): Promise<LoadWorld> {
  const pool = new ApiPool(apiUrls);
  const admin = await signUp(pool.pick(), { databaseUrl, role: 'admin', name: 'Fault Admin' });
  const brandId = await createBrand(pool.pick(), admin);
  const videoId = await createVideo(pool.pick(), databaseUrl, admin);
  const community = await createCommunityWorld(pool.pick(), admin);
  return { pool, admin, brandId, videoId, community };
}

/** The one question of the world's checkpoint, and its right answer. */
const WORLD_QUESTION = {
  id: 'q1',
  type: 'SINGLE_CHOICE',
  prompt: 'Which grain is oat milk made from?',
  options: [
    { id: 'a', text: 'Oats', correct: true },
    { id: 'b', text: 'Rice', correct: false },
  ],
};
const WORLD_ANSWERS = [{ questionId: 'q1', choices: ['a'] }];

/**
 * The admin's public community (the owner publishes learning content): a path with one published
 * module and an approved checkpoint every new user of the load attempts once.
 */
export async function createCommunityWorld(
  apiUrl: string,
  admin: SignedIn,
): Promise<{ communityId: string; checkpointId: string; moduleId: string }> {
  const call = async (query: string, variables: Record<string, unknown>, field: string) =>
    must(await postGraphQL(apiUrl, query, variables, admin.accessToken), field);
  const community = await call(
    `mutation ($input: CreateCommunityInput!) { createCommunity(input: $input) { id } }`,
    { input: { name: 'Fault suite club', language: 'en', region: 'EU', visibility: 'PUBLIC' } },
    'createCommunity',
  );
  const communityId = String(community.id);
  const path = await call(
    `mutation ($input: CreateLearningPathInput!) { createLearningPath(input: $input) { id } }`,
    { input: { communityId, title: 'Oat milk at home' } },
    'createLearningPath',
  );
  const module = await call(
    `mutation ($input: DraftLearningModuleInput!) { draftLearningModule(input: $input) { id version } }`,
    { input: { pathId: path.id, title: 'Soaking', body: 'Soak the oats for twenty minutes.' } },
    'draftLearningModule',
  );
  await call(
    `mutation ($m: ID!, $v: Int!) { publishLearningModule(moduleId: $m, version: $v) { id } }`,
    { m: module.id, v: module.version },
    'publishLearningModule',
  );
  await call(
    `mutation ($p: ID!, $m: [ID!]!) { orderLearningPathModules(pathId: $p, moduleIds: $m) { id } }`,
    { p: path.id, m: [module.id] },
    'orderLearningPathModules',
  );
  await call(
    `mutation ($p: ID!) { publishLearningPath(pathId: $p) { id } }`,
    { p: path.id },
    'publishLearningPath',
  );
  const checkpoint = await call(
    `mutation ($input: DraftCheckpointInput!) { draftCheckpoint(input: $input) { id version } }`,
    {
      input: {
        moduleId: module.id,
        questions: [WORLD_QUESTION],
        passMark: 50,
        maxAttempts: 3,
        cooldownSeconds: 0,
      },
    },
    'draftCheckpoint',
  );
  await call(
    `mutation ($c: ID!, $v: Int!) { approveCheckpoint(checkpointId: $c, version: $v) { id } }`,
    { c: checkpoint.id, v: checkpoint.version },
    'approveCheckpoint',
  );
  return { communityId, checkpointId: String(checkpoint.id), moduleId: String(module.id) };
}

const ANONYMOUS: Actor = { kind: 'anonymous' };
const contentStream = (contentId: string) => `content-${contentId}`;

function newRecord(
  kind: OperationKind,
  actor: Actor,
  operation: string,
  extra: Partial<OperationRecord> = {},
): OperationRecord {
  const idempotencyKey = randomUUID();
  return {
    id: idempotencyKey,
    kind,
    idempotencyKey,
    commandId: commandIdFor({ actor, correlationId: idempotencyKey }, operation, { idempotencyKey }),
    expectRefusal: false,
    outcome: 'unknown',
    attempts: 0,
    detail: {},
    startedAt: Date.now(),
    ...extra,
  };
}

/** Sign-up of a new user (identity write side, users read model). */
export function registerOperation(world: LoadWorld, options: SendOptions = {}): Promise<OperationRecord> {
  const email = `load-${randomUUID()}@example.org`;
  const record = newRecord('register', ANONYMOUS, 'register', { detail: { email } });
  return send(
    world.pool,
    record,
    {
      query: REGISTER,
      variables: {
        input: { email, password: PASSWORD, displayName: 'Load User', idempotencyKey: record.idempotencyKey },
      },
      field: 'register',
    },
    options,
  ).then((done) => {
    const id = done.result?.id;
    if (typeof id === 'string') {
      done.aggregateId = id;
      done.stream = `user-${id}`;
    }
    return done;
  });
}

/** The admin follows a user (social graph write side, social_graph read model). */
export function followUserOperation(
  world: LoadWorld,
  userId: string,
  options: SendOptions = {},
): Promise<OperationRecord> {
  const { admin } = world;
  const record = newRecord('followUser', admin.actor, `followUser:${userId}`, {
    aggregateId: userId,
    stream: followTieStream(admin.userId, userId),
  });
  return send(
    world.pool,
    record,
    {
      query: `mutation ($userId: ID!, $key: String) { followUser(userId: $userId, idempotencyKey: $key) { id } }`,
      variables: { userId, key: record.idempotencyKey },
      field: 'followUser',
      token: admin.accessToken,
    },
    options,
  );
}

/**
 * Signs in a user the load registered, to comment as them; undefined when the API cannot answer now
 * (a fault under way), and the story goes on without its comment.
 */
async function signIn(world: LoadWorld, email: string): Promise<SignedIn | undefined> {
  try {
    const reply = await postGraphQL(world.pool.pick(), LOGIN, { input: { email, password: PASSWORD } });
    const login = reply.data?.login as
      | { accessToken?: string; user?: { id: string; role: 'user' } }
      | undefined;
    if (!login?.accessToken || !login.user) return undefined;
    const { id: userId, role } = login.user;
    return { userId, email, accessToken: login.accessToken, actor: { kind: 'user', userId, role } };
  } catch {
    return undefined;
  }
}

/**
 * A comment on the world's video by `author` (engagement write side, social_engagement read model).
 * Each new user comments once, so the flood limit (10 a minute per person) never refuses one.
 */
export function postCommentOperation(
  world: LoadWorld,
  author: SignedIn,
  options: SendOptions = {},
): Promise<OperationRecord> {
  const record = newRecord('postComment', author.actor, 'postComment');
  // The comment id is the command id (see services/social postComment).
  record.aggregateId = record.commandId;
  record.stream = `comment-${record.commandId}`;
  return send(
    world.pool,
    record,
    {
      query: `mutation ($videoId: ID!, $body: String!, $key: String) {
        postComment(videoId: $videoId, body: $body, idempotencyKey: $key) { id } }`,
      variables: {
        videoId: world.videoId,
        body: `Comment ${record.id.slice(0, 8)}`,
        key: record.idempotencyKey,
      },
      token: author.accessToken,
      field: 'postComment',
    },
    options,
  );
}

/** The admin likes a comment (a stream of its own per person and comment; counted by the projector). */
export function likeCommentOperation(
  world: LoadWorld,
  commentId: string,
  options: SendOptions = {},
): Promise<OperationRecord> {
  const { admin } = world;
  const record = newRecord('likeComment', admin.actor, `like:comment:${commentId}`, {
    aggregateId: commentId,
    stream: likeStream(admin.userId, commentId),
  });
  return send(
    world.pool,
    record,
    {
      query: `mutation ($id: ID!, $key: String) {
        like(targetKind: comment, targetId: $id, idempotencyKey: $key) { likeCount } }`,
      variables: { id: commentId, key: record.idempotencyKey },
      token: admin.accessToken,
      field: 'like',
    },
    options,
  );
}

/** A new user starts their direct conversation with the admin (chat write side, `chat` read model). */
export function startDirectChatOperation(
  world: LoadWorld,
  author: SignedIn,
  options: SendOptions = {},
): Promise<OperationRecord> {
  const conversationId = directConversationId(author.userId, world.admin.userId);
  const record = newRecord('startDirectChat', author.actor, 'startDirectConversation', {
    aggregateId: conversationId,
    stream: chatConversationStream(conversationId),
  });
  return send(
    world.pool,
    record,
    {
      query: `mutation ($userId: ID!, $key: String) {
        startDirectConversation(userId: $userId, idempotencyKey: $key) { id } }`,
      variables: { userId: world.admin.userId, key: record.idempotencyKey },
      token: author.accessToken,
      field: 'startDirectConversation',
    },
    options,
  );
}

/** A message in that conversation: the message id is the command id (see services/chat sendChatMessage). */
export function sendChatMessageOperation(
  world: LoadWorld,
  author: SignedIn,
  conversationId: string,
  options: SendOptions = {},
): Promise<OperationRecord> {
  const record = newRecord('sendChatMessage', author.actor, `sendChatMessage:${conversationId}`);
  record.aggregateId = record.commandId;
  record.stream = chatMessageStream(record.commandId);
  return send(
    world.pool,
    record,
    {
      query: `mutation ($conversationId: ID!, $text: String, $key: String) {
        sendChatMessage(conversationId: $conversationId, text: $text, idempotencyKey: $key) { id } }`,
      variables: { conversationId, text: `Hello ${record.id.slice(0, 8)}`, key: record.idempotencyKey },
      token: author.accessToken,
      field: 'sendChatMessage',
    },
    options,
  );
}

/** A new user's own community (the id is the command id, see services/communities createCommunity). */
export function createCommunityOperation(
  world: LoadWorld,
  author: SignedIn,
  options: SendOptions = {},
): Promise<OperationRecord> {
  const record = newRecord('createCommunity', author.actor, 'createCommunity');
  record.aggregateId = record.commandId;
  record.stream = communityStream(record.commandId);
  return send(
    world.pool,
    record,
    {
      query: `mutation ($input: CreateCommunityInput!) { createCommunity(input: $input) { id } }`,
      variables: {
        input: {
          name: `Club ${record.id.slice(0, 8)}`,
          description: 'A load community',
          language: 'en',
          region: 'EU',
          visibility: 'PUBLIC',
          idempotencyKey: record.idempotencyKey,
        },
      },
      token: author.accessToken,
      field: 'createCommunity',
    },
    options,
  );
}

/**
 * A new user joins the world's community. Joining takes no idempotency key (joining again decides
 * nothing), so its command id is not known here: the checks find it by its membership stream.
 */
export function joinCommunityOperation(
  world: LoadWorld,
  author: SignedIn,
  options: SendOptions = {},
): Promise<OperationRecord> {
  const { communityId } = world.community;
  const record = newRecord('joinCommunity', author.actor, `joinCommunity:${communityId}`, {
    aggregateId: communityId,
    stream: communityMemberStream(communityId, author.userId),
    checkedByStream: true,
  });
  return send(
    world.pool,
    record,
    {
      query: `mutation ($c: ID!) { joinCommunity(communityId: $c) { id } }`,
      variables: { c: communityId },
      token: author.accessToken,
      field: 'joinCommunity',
    },
    options,
  );
}

/** A thread in the world's community (the post id is the command id, see services/communities). */
export function startCommunityThreadOperation(
  world: LoadWorld,
  author: SignedIn,
  options: SendOptions = {},
): Promise<OperationRecord> {
  const { communityId } = world.community;
  const record = newRecord('startCommunityThread', author.actor, `startCommunityThread:${communityId}`);
  record.aggregateId = record.commandId;
  record.stream = communityPostStream(record.commandId);
  return send(
    world.pool,
    record,
    {
      query: `mutation ($c: ID!, $t: String!, $b: String!, $key: String) {
        startCommunityThread(communityId: $c, title: $t, body: $b, idempotencyKey: $key) { id } }`,
      variables: {
        c: communityId,
        t: `Question ${record.id.slice(0, 8)}`,
        b: 'How long do the oats soak?',
        key: record.idempotencyKey,
      },
      token: author.accessToken,
      field: 'startCommunityThread',
    },
    options,
  );
}

/** An attempt at the world's checkpoint, answered right (each new user attempts once). */
export function submitCheckpointAttemptOperation(
  world: LoadWorld,
  author: SignedIn,
  options: SendOptions = {},
): Promise<OperationRecord> {
  const { checkpointId } = world.community;
  const record = newRecord(
    'submitCheckpointAttempt',
    author.actor,
    `submitCheckpointAttempt:${checkpointId}`,
    {
      aggregateId: checkpointId,
      stream: checkpointAttemptsStream(checkpointId, author.userId),
    },
  );
  return send(
    world.pool,
    record,
    {
      query: `mutation ($c: ID!, $a: [CheckpointAnswerInput!]!, $t: String!, $key: String) {
        submitCheckpointAttempt(checkpointId: $c, answers: $a, clientTime: $t, idempotencyKey: $key) { id passed } }`,
      variables: {
        c: checkpointId,
        a: WORLD_ANSWERS,
        t: new Date().toISOString(),
        key: record.idempotencyKey,
      },
      token: author.accessToken,
      field: 'submitCheckpointAttempt',
    },
    options,
  );
}

/** One change as a device pushes it in `sync` (the contract's SyncChangeInput). */
export interface SyncChangeInput {
  changeId: string;
  type: string;
  entityId: string;
  baseVersion: number;
  clientTime: string;
  payload: Record<string, unknown>;
}

const REGISTER_DEVICE = `mutation ($input: RegisterDeviceInput!) { registerDevice(input: $input) { id } }`;

/** A push subscription as a browser gives it (a real P-256 point), on an allowed push host. */
function pushSubscription() {
  const ecdh = createECDH('prime256v1');
  ecdh.generateKeys();
  return {
    endpoint: `https://fcm.googleapis.com/fcm/send/${randomUUID()}`,
    keys: { p256dh: ecdh.getPublicKey().toString('base64url'), auth: randomBytes(16).toString('base64url') },
  };
}

/**
 * Registers the device a new user works offline on (not an operation of the load, as signing in is
 * not); undefined when the API cannot answer now, and the story goes on without the device.
 */
async function registerSyncDevice(world: LoadWorld, author: SignedIn): Promise<string | undefined> {
  try {
    const input = { platform: 'ANDROID', appVersion: '1.0.0', pushSubscription: pushSubscription() };
    const reply = await postGraphQL(world.pool.pick(), REGISTER_DEVICE, { input }, author.accessToken);
    const device = reply.data?.registerDevice as { id?: string } | undefined;
    return device?.id;
  } catch {
    return undefined;
  }
}

/**
 * What a new user did on their device while offline, pushed in one `sync`: a bio, progress in the
 * world's module, a message in their conversation with the admin and a reply in their thread. The
 * device never synced before, so every base version is -1; none of these conflicts with anything
 * (the bio was never set, progress only advances, messages and replies append), so each change is
 * applied. A retry after a transport error sends the same changes, with the same ids.
 */
export function syncOfflineOperation(
  world: LoadWorld,
  author: SignedIn,
  deviceId: string,
  targets: { conversationId?: string; threadId?: string },
  options: SendOptions = {},
): Promise<OperationRecord> {
  const record = newRecord('syncOffline', author.actor, `sync:${deviceId}`, { aggregateId: deviceId });
  const tag = record.id.slice(0, 8);
  // Made a minute ago, offline: in the past, so no client time is clamped.
  const clientTime = new Date(Date.now() - 60_000).toISOString();
  const change = (type: string, entityId: string, payload: Record<string, unknown>): SyncChangeInput => ({
    changeId: `${tag}.${type}`,
    type,
    entityId,
    baseVersion: -1,
    clientTime,
    payload,
  });
  const changes = [
    change('profile.update', author.userId, { bio: `Written offline ${tag}` }),
    change('module.progress', world.community.moduleId, { percent: 40 }),
    ...(targets.conversationId
      ? [change('chat.message', targets.conversationId, { text: `Offline hello ${tag}` })]
      : []),
    ...(targets.threadId
      ? [change('community.reply', targets.threadId, { body: `Offline reply ${tag}` })]
      : []),
  ];
  record.sync = { userId: author.userId, changes };
  return sendSync(world, author, deviceId, record, options);
}

/**
 * The same device sends the same changes again, as one does when the reply to its sync never
 * arrived: every outcome must be the first one, and nothing is applied again.
 */
export function resendSyncOperation(
  world: LoadWorld,
  author: SignedIn,
  deviceId: string,
  first: OperationRecord,
  options: SendOptions = {},
): Promise<OperationRecord> {
  const record = newRecord('syncOffline', author.actor, `sync:${deviceId}`, { aggregateId: deviceId });
  record.sync = { userId: author.userId, changes: first.sync?.changes ?? [], resendOf: first.id };
  return sendSync(world, author, deviceId, record, options);
}

function sendSync(
  world: LoadWorld,
  author: SignedIn,
  deviceId: string,
  record: OperationRecord,
  options: SendOptions,
): Promise<OperationRecord> {
  return send(
    world.pool,
    record,
    {
      query: SYNC_MUTATION,
      variables: { input: { deviceId, changes: record.sync?.changes ?? [] } },
      token: author.accessToken,
      field: 'sync',
    },
    options,
  );
}

/** A new article in the brand; `invalid` sends an empty title, which the decider refuses. */
export function createContentOperation(
  world: LoadWorld,
  options: SendOptions & { invalid?: boolean } = {},
): Promise<OperationRecord> {
  const record = newRecord('createContent', world.admin.actor, 'createContent', {
    expectRefusal: options.invalid === true,
  });
  // The content id is the command id (see services/content createContent).
  record.aggregateId = record.commandId;
  record.stream = contentStream(record.commandId);
  const title = options.invalid ? '   ' : `Article ${record.id.slice(0, 8)}`;
  record.detail.title = title;
  return send(
    world.pool,
    record,
    {
      query: CREATE_CONTENT,
      variables: {
        input: {
          brandId: world.brandId,
          type: 'article',
          title,
          fields: [{ key: 'body', value: `Body of ${record.id}` }],
        },
        key: record.idempotencyKey,
      },
      token: world.admin.accessToken,
      field: 'createContent',
    },
    options,
  );
}

/** A new version of the content with a title no other operation writes. */
export function updateContentOperation(
  world: LoadWorld,
  contentId: string,
  options: SendOptions = {},
): Promise<OperationRecord> {
  const record = newRecord('updateContent', world.admin.actor, `updateContent:${contentId}`, {
    aggregateId: contentId,
    stream: contentStream(contentId),
  });
  const title = `Revised ${record.id}`;
  record.detail.title = title;
  return send(
    world.pool,
    record,
    {
      query: UPDATE_CONTENT,
      variables: { id: contentId, input: { title }, key: record.idempotencyKey },
      token: world.admin.accessToken,
      field: 'updateContent',
    },
    options,
  );
}

/** Submission: with the brand's empty workflow, approved at once. */
export function submitContentOperation(
  world: LoadWorld,
  contentId: string,
  options: SendOptions = {},
): Promise<OperationRecord> {
  const record = newRecord('submitContent', world.admin.actor, `submitContent:${contentId}`, {
    aggregateId: contentId,
    stream: contentStream(contentId),
  });
  return send(
    world.pool,
    record,
    {
      query: SUBMIT,
      variables: { id: contentId, key: record.idempotencyKey },
      token: world.admin.accessToken,
      field: 'submitContent',
    },
    options,
  );
}

/** A publish request: the worker's process manager starts the publishing saga from its event. */
export function publishContentOperation(
  world: LoadWorld,
  contentId: string,
  options: SendOptions = {},
): Promise<OperationRecord> {
  const record = newRecord('publishContent', world.admin.actor, `publishContent:${contentId}`, {
    aggregateId: contentId,
    stream: contentStream(contentId),
  });
  // The publication id is the command id (see services/content publishContent).
  record.detail.publicationId = record.commandId;
  return send(
    world.pool,
    record,
    {
      query: PUBLISH,
      variables: { id: contentId, key: record.idempotencyKey },
      token: world.admin.accessToken,
      field: 'publishContent',
    },
    options,
  );
}

export interface LoadOptions extends SendOptions {
  /** Scripted clients running side by side (default 4). */
  clients?: number;
  /** Every n-th story of a client also submits and publishes its article (default 2). */
  publishEvery?: number;
  /** Every n-th story of a client also sends an invalid article (default 5). */
  invalidEvery?: number;
  /** A story's operations are spaced by this much (default 0). */
  pauseMs?: number;
  /**
   * Each new user also works on a device offline: after starting their thread, the device pushes
   * what they did offline in one `sync`, and (acknowledged) sends it again as if the reply was lost.
   */
  offlineSync?: boolean;
}

export interface LoadRun {
  /** Every operation finished so far (acknowledged, failed or unknown). */
  readonly operations: OperationRecord[];
  /** How many stories (register → create → update [→ submit → publish]) were completed. */
  readonly stories: number;
  /** Lets every client finish its current story (retries included), then resolves with all records. */
  stop(): Promise<OperationRecord[]>;
}

/**
 * Runs `clients` scripted clients until `stop()`: each repeats a story of sign-up, the admin
 * following the new user, the new user's comment on the world's video and the admin's like of it,
 * their direct conversation with the admin and a message in it, a community of their own, joining
 * the world's community, a thread there and an attempt at its checkpoint (skipped when the new user
 * cannot sign in during a fault), a new article, a new version of it,
 * and (every `publishEvery` stories) its submission and publication, which starts a saga. An
 * operation that ends `unknown` or `failed` ends its story early.
 */
export function startLoad(world: LoadWorld, options: LoadOptions = {}): LoadRun {
  const operations: OperationRecord[] = [];
  const clients = options.clients ?? 4;
  const publishEvery = options.publishEvery ?? 2;
  const invalidEvery = options.invalidEvery ?? 5;
  let stopping = false;
  let stories = 0;
  const track = (pending: Promise<OperationRecord>) =>
    pending.then((record) => {
      operations.push(record);
      return record;
    });
  const pause = () => (options.pauseMs ? sleep(options.pauseMs) : Promise.resolve());

  /** A new user's offline device: its sync, and the same sync again as after a lost reply. */
  async function offlineDevice(author: SignedIn, targets: { conversationId?: string; threadId?: string }) {
    const deviceId = await registerSyncDevice(world, author);
    if (deviceId === undefined) return;
    const synced = await track(syncOfflineOperation(world, author, deviceId, targets, options));
    if (synced.outcome === 'acknowledged') {
      await track(resendSyncOperation(world, author, deviceId, synced, options));
    }
  }

  async function story(storyNumber: number) {
    const registered = await track(registerOperation(world, options));
    if (registered.outcome === 'acknowledged' && registered.aggregateId) {
      await track(followUserOperation(world, registered.aggregateId, options));
      const email = registered.detail.email;
      const author = email === undefined ? undefined : await signIn(world, email);
      if (author) {
        const commented = await track(postCommentOperation(world, author, options));
        if (commented.outcome === 'acknowledged' && commented.aggregateId) {
          await track(likeCommentOperation(world, commented.aggregateId, options));
        }
        const chat = await track(startDirectChatOperation(world, author, options));
        if (chat.outcome === 'acknowledged' && chat.aggregateId) {
          await track(sendChatMessageOperation(world, author, chat.aggregateId, options));
        }
        await track(createCommunityOperation(world, author, options));
        const joined = await track(joinCommunityOperation(world, author, options));
        if (joined.outcome === 'acknowledged') {
          const thread = await track(startCommunityThreadOperation(world, author, options));
          if (options.offlineSync) {
            await offlineDevice(author, {
              ...(chat.outcome === 'acknowledged' && chat.aggregateId
                ? { conversationId: chat.aggregateId }
                : {}),
              ...(thread.outcome === 'acknowledged' && thread.aggregateId
                ? { threadId: thread.aggregateId }
                : {}),
            });
          }
          await track(submitCheckpointAttemptOperation(world, author, options));
        }
      }
    }
    if (storyNumber % invalidEvery === invalidEvery - 1) {
      await track(createContentOperation(world, { ...options, invalid: true }));
    }
    await pause();
    const created = await track(createContentOperation(world, options));
    if (created.outcome !== 'acknowledged' || !created.aggregateId) return;
    const contentId = created.aggregateId;
    await pause();
    const updated = await track(updateContentOperation(world, contentId, options));
    if (updated.outcome !== 'acknowledged') return;
    if (storyNumber % publishEvery === publishEvery - 1) {
      await pause();
      const submitted = await track(submitContentOperation(world, contentId, options));
      if (submitted.outcome !== 'acknowledged') return;
      await pause();
      await track(publishContentOperation(world, contentId, options));
    }
    stories += 1;
  }

  async function client() {
    for (let storyNumber = 0; !stopping; storyNumber++) await story(storyNumber);
  }

  const running = Promise.all(Array.from({ length: clients }, client));
  return {
    operations,
    get stories() {
      return stories;
    },
    async stop() {
      stopping = true;
      await running;
      return operations;
    },
  };
}

export interface LoadFigures {
  total: number;
  acknowledged: number;
  failed: number;
  unknown: number;
  /** Acknowledged after at least one retry. */
  retried: number;
  byKind: Record<string, { acknowledged: number; failed: number; unknown: number }>;
  failureCodes: Record<string, number>;
}

/** The numbers a report quotes. */
export function loadFigures(operations: readonly OperationRecord[]): LoadFigures {
  const figures: LoadFigures = {
    total: operations.length,
    acknowledged: 0,
    failed: 0,
    unknown: 0,
    retried: 0,
    byKind: {},
    failureCodes: {},
  };
  for (const op of operations) {
    figures[op.outcome] += 1;
    if (op.outcome === 'acknowledged' && op.attempts > 1) figures.retried += 1;
    const kind = figures.byKind[op.kind] ?? { acknowledged: 0, failed: 0, unknown: 0 };
    figures.byKind[op.kind] = kind;
    kind[op.outcome] += 1;
    if (op.errorCode) figures.failureCodes[op.errorCode] = (figures.failureCodes[op.errorCode] ?? 0) + 1;
  }
  return figures;
}
