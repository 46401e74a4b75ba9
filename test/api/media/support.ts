import { randomUUID } from 'node:crypto';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import type { Readable } from 'node:stream';
import type { LightMyRequestResponse } from 'fastify';
import { createAiProvider } from '../../../src/ai/create-ai-provider.ts';
import { buildApp } from '../../../src/api/app.ts';
import { handleCommand } from '../../../src/commands/handle-command.ts';
import { loadConfig } from '../../../src/config.ts';
import type { MediaCommand } from '../../../src/domain/media/media-commands.ts';
import { mediaAggregate } from '../../../src/domain/media/media-decider.ts';
import { mediaStream } from '../../../src/domain/media/streams.ts';
import { createLogger } from '../../../src/logger.ts';
import { Projector } from '../../../src/projections/projector.ts';
import { waitForPosition } from '../../../src/projections/wait-for-position.ts';
import { apiServices } from '../../../src/roles/api-services.ts';
import { openRuntime } from '../../../src/roles/runtime.ts';
import type { MediaSizeLimits } from '../../../src/services/media/media-deps.ts';
import { type MediaUrls, mediaUrls } from '../../../src/services/media/signed-urls.ts';
import { createLocalStorage } from '../../../src/storage/local-storage.ts';
import type { ObjectStorage } from '../../../src/storage/port.ts';
import { freshDatabase } from '../../support/database.ts';
import { fieldOf, type IdentityApp, TEST_AUTH_SECRET } from '../support/identity-app.ts';

/** The media GraphQL operations the tests use, in one place. */
export const REQUEST_UPLOAD = `mutation ($kind: MediaKind!, $fileName: String!, $contentType: String!, $size: Float!, $key: String) {
  requestUpload(kind: $kind, fileName: $fileName, contentType: $contentType, size: $size, idempotencyKey: $key) {
    assetId uploadUrl expiresAt maxSize headers { name value } confirmRequired } }`;
export const MEDIA_FIELDS = `id ownerId kind status fileName contentType detectedContentType declaredSize size sha256
  originalUrl uploadedAt deletedAt progress { step detail percent } failure { stage reason }
  probe { formatName width height } moderation { checker decision }
  manifest { hlsMaster { name url } poster { name url } renditions { name kind contentType size sha256 url } }`;
export const MEDIA = `query ($id: ID!) { media(id: $id) { ${MEDIA_FIELDS} } }`;
export const DELETE_MEDIA = `mutation ($id: ID!) { deleteMedia(id: $id) { ${MEDIA_FIELDS} } }`;

export interface UploadTicket {
  assetId: string;
  uploadUrl: string;
  expiresAt: string;
  maxSize: number;
  headers: { name: string; value: string }[];
  confirmRequired: boolean;
}

export interface MediaView {
  id: string;
  ownerId: string;
  kind: string;
  status: string;
  fileName: string;
  contentType: string;
  detectedContentType: string | null;
  declaredSize: number;
  size: number | null;
  sha256: string | null;
  originalUrl: string | null;
  uploadedAt: string | null;
  deletedAt: string | null;
  progress: { step: string; detail: string | null; percent: number | null } | null;
  failure: { stage: string; reason: string } | null;
  manifest: {
    hlsMaster: { name: string; url: string } | null;
    poster: { name: string; url: string } | null;
    renditions: {
      name: string;
      kind: string;
      contentType: string;
      size: number;
      sha256: string;
      url: string;
    }[];
  } | null;
}

/** The media routes' clock: real time plus however far a test has moved it. */
export interface TestClock {
  now(): Date;
  advance(milliseconds: number): void;
}

export interface MediaApp extends IdentityApp {
  /** The local object storage's directory (a fresh one per app). */
  mediaDir: string;
  storage: ObjectStorage;
  clock: TestClock;
  /** Signs delivery URLs with the test server's key. */
  urls: MediaUrls;
  /** Sends `body` to an upload URL. */
  put(
    uploadUrl: string,
    body: Buffer | Readable,
    headers?: Record<string, string>,
  ): Promise<LightMyRequestResponse>;
  /** GETs a delivery URL (relative), with request headers. */
  fetch(url: string, headers?: Record<string, string>): Promise<LightMyRequestResponse>;
  /** Issues a media command as the transcoding saga would (actor `system:transcoding`). */
  asSaga(assetId: string, command: MediaCommand): Promise<void>;
  /** Every file under the storage directory, relative to it (temporary files included). */
  storedFiles(): Promise<string[]>;
}

export interface MediaAppOptions {
  limits?: Partial<MediaSizeLimits>;
  uploadUrlTtlMs?: number;
  /** Another object storage than the fresh local directory (an S3 bucket); the caller closes it. */
  storage?: ObjectStorage;
}

/**
 * The API with its projector on a fresh database and media stored in a fresh directory, as
 * `startIdentityApp` does, plus the media options it has no place for (storage, limits, a clock).
 */
export async function startMediaApp(options: MediaAppOptions = {}): Promise<MediaApp> {
  const databaseUrl = await freshDatabase('media');
  const mediaDir = await mkdtemp(join(tmpdir(), 'chronicle-media-test-'));
  const log = createLogger(process.env.TEST_LOG_LEVEL ?? 'silent');
  const config = loadConfig({ AUTH_SECRET: TEST_AUTH_SECRET, DATA_DIR: '/nonexistent-chronicle-test' });
  const runtime = await openRuntime(config, log, databaseUrl);
  const { store, pool, bus, projections, codec } = runtime;
  const projector = new Projector({ store, pool, bus, log }, projections, { batchSize: 200 });
  await projector.start();
  let offset = 0;
  const clock: TestClock = {
    now: () => new Date(Date.now() + offset),
    advance: (milliseconds) => {
      offset += milliseconds;
    },
  };
  const storage = options.storage ?? createLocalStorage(mediaDir);
  const authSecret = new TextEncoder().encode(TEST_AUTH_SECRET);
  const app = await buildApp({
    log,
    version: 'test',
    readinessChecks: {},
    graphiql: false,
    limits: { requests: { max: 100_000 }, logins: { max: 10_000 } },
    services: apiServices(runtime, {
      log,
      authSecret,
      ai: createAiProvider({}),
      readYourWritesTimeoutMs: 5_000,
      media: {
        storage,
        clock: clock.now,
        ...(options.limits ? { limits: options.limits } : {}),
        ...(options.uploadUrlTtlMs ? { uploadUrlTtlMs: options.uploadUrlTtlMs } : {}),
      },
    }),
  });
  return {
    app,
    runtime,
    databaseUrl,
    mediaDir,
    storage,
    clock,
    urls: mediaUrls(authSecret),
    async gql(query, variables = {}, token) {
      const response = await app.inject({
        method: 'POST',
        url: '/graphql',
        headers: token ? { authorization: `Bearer ${token}` } : {},
        payload: { query, variables },
      });
      return response.json();
    },
    put: (uploadUrl, body, headers = {}) =>
      app.inject({
        method: 'PUT',
        url: uploadUrl,
        headers: { 'content-type': 'application/octet-stream', ...headers },
        payload: body,
      }),
    fetch: (url, headers = {}) => app.inject({ method: 'GET', url, headers }),
    async asSaga(assetId, command) {
      const result = await handleCommand({ store, codec }, mediaAggregate, mediaStream(assetId), {
        commandId: randomUUID(),
        actor: { kind: 'system', process: 'transcoding' },
        now: clock.now(),
        command,
      });
      if (result.position !== null) await waitForPosition(pool, bus, result.position, { timeoutMs: 5_000 });
    },
    async storedFiles() {
      const entries = await readdir(mediaDir, { recursive: true, withFileTypes: true });
      return entries
        .filter((entry) => entry.isFile())
        .map((entry) => relative(mediaDir, join(entry.parentPath, entry.name)))
        .sort();
    },
    stopProjector: () => projector.stop(),
    async close() {
      await app.close();
      await projector.stop();
      await runtime.close();
      await rm(mediaDir, { recursive: true, force: true });
    },
  };
}

export async function requestUpload(
  api: MediaApp,
  token: string,
  input: { kind: string; fileName: string; contentType: string; size: number; key?: string },
): Promise<UploadTicket> {
  return fieldOf<UploadTicket>(await api.gql(REQUEST_UPLOAD, input, token), 'requestUpload');
}

export async function mediaOf(api: MediaApp, token: string, id: string): Promise<MediaView> {
  return fieldOf<MediaView>(await api.gql(MEDIA, { id }, token), 'media');
}
