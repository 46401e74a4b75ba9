/**
 * Media benchmark.
 *
 * 1. The transcoding saga's full ladder for a generated 720p source (60 s): from MediaUploaded to
 *    MediaReady through the process manager, a real Temporal worker (dev server started here) and
 *    the event store — probe, moderation, the 720p/480p/360p MP4s in parallel, HLS, thumbnails.
 *    Baseline in the same run: the same ladder as plain ffmpeg commands (the same encoder
 *    arguments, the same parallelism), so the ratio is what orchestration costs on top of ffmpeg.
 * 2. Upload throughput, ten concurrent 100 MB uploads: over HTTP through `PUT /uploads/:token`
 *    (streamed to object storage, SHA-256, size and type checks, MediaUploaded), and straight into
 *    the storage adapter's `put`; baseline: `fs.copyFile` of the same bytes on the same disk.
 */
import { execFile, spawn } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { copyFile, mkdir, mkdtemp, open, rm, stat, writeFile } from 'node:fs/promises';
import { request } from 'node:http';
import { createServer } from 'node:net';
import { cpus, tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { type Client, WorkflowNotFoundError } from '@temporalio/client';
import { bundleWorkflowCode, NativeConnection, Worker } from '@temporalio/worker';
import { z } from 'zod';
import { loadConfig } from '../src/config.ts';
import type { MediaCommand } from '../src/domain/media/media-commands.ts';
import { mediaAggregate } from '../src/domain/media/media-decider.ts';
import { mediaStream } from '../src/domain/media/streams.ts';
import type { Actor } from '../src/domain/shared/decider.ts';
import { startTemporalDevServer } from '../src/infra/temporal-dev-server.ts';
import { createLogger, type Logger } from '../src/logger.ts';
import { hlsArgs } from '../src/media/hls.ts';
import { ladderFor } from '../src/media/ladder.ts';
import { localRulesModerator } from '../src/media/moderation/local-rules.ts';
import { probe } from '../src/media/probe.ts';
import { posterTime, THUMBNAIL_WIDTHS } from '../src/media/stills.ts';
import { renditionArgs } from '../src/media/video.ts';
import { Projector } from '../src/projections/projector.ts';
import { openRuntime, type Runtime } from '../src/roles/runtime.ts';
import { execute } from '../src/services/shared/command-context.ts';
import { originalKey } from '../src/storage/keys.ts';
import { createLocalStorage } from '../src/storage/local-storage.ts';
import type { ObjectStorage } from '../src/storage/port.ts';
import { createProcessManager } from '../src/workflows/process-manager/process-manager.ts';
import { connectTemporalClient } from '../src/workflows/temporal-connection.ts';
import { installTemporalRuntime, temporalLogger } from '../src/workflows/temporal-runtime.ts';
import { createTranscodingActivities } from '../src/workflows/transcoding/activities.ts';
import { transcodingWorkflowId } from '../src/workflows/transcoding/ids.ts';
import { transcodingReactions } from '../src/workflows/transcoding/reactions.ts';
import type { TranscodeOutcome } from '../src/workflows/transcoding/types.ts';
import { benchApp } from './support/bench-app.ts';
import { printMachine, ratio } from './support/machine.ts';
import { benchDatabase } from './support/postgres.ts';

const SOURCE_SECONDS = Number(process.env.BENCH_MEDIA_SECONDS ?? 60);
/** x264 preset for both the saga and the baseline (the worker's default). */
const PRESET = process.env.BENCH_PRESET ?? 'veryfast';
/** The worker's activity slots, and the baseline's parallel ffmpeg processes. */
const SLOTS = Number(process.env.BENCH_SLOTS ?? cpus().length);
const UPLOADS = Number(process.env.BENCH_UPLOADS ?? 10);
const UPLOAD_MB = Number(process.env.BENCH_UPLOAD_MB ?? 100);
const AUTH_SECRET = 'bench-secret-of-at-least-thirty-two-characters';
const WORKFLOWS = fileURLToPath(new URL('../src/workflows/transcoding/workflow.ts', import.meta.url));

const run = promisify(execFile);
const LOG = createLogger(process.env.BENCH_LOG_LEVEL ?? 'error');
const seconds = (ms: number) => Math.round(ms / 10) / 100;

async function main() {
  const db = await benchDatabase('media');
  const { stdout: ffmpegVersion } = await run('ffmpeg', ['-version']);
  printMachine({
    PostgreSQL: db.version,
    ffmpeg: ffmpegVersion.split(' ')[2] ?? '?',
    'x264 preset': PRESET,
    'activity slots': String(SLOTS),
  });
  const work = await mkdtemp(path.join(tmpdir(), 'chronicle-bench-media-'));
  const log = LOG;
  const figures: Record<string, number | string> = {};
  try {
    const source = path.join(work, 'source-720p.mp4');
    const generated = performance.now();
    await generateSource(source, SOURCE_SECONDS);
    console.log(
      `\nsource: ${SOURCE_SECONDS} s of 1280x720 30 fps testsrc2 + tone, H.264/AAC, ${mb((await stat(source)).size)} MB (generated in ${seconds(performance.now() - generated)} s)`,
    );
    Object.assign(figures, await ladder(db.url, work, source, log));
    Object.assign(figures, await uploads(db.url, work, log));
  } finally {
    await rm(work, { recursive: true, force: true });
    await db.stop();
  }
  console.log(JSON.stringify({ bench: 'media', cores: cpus().length, preset: PRESET, ...figures }));
}

// ── 1. The ladder ──────────────────────────────────────────────────────────────────────────────

async function ladder(databaseUrl: string, work: string, source: string, log: Logger) {
  const temporal = await startTemporalDevServer({ dataDir: work, port: await freePort(), log });
  installTemporalRuntime(log);
  const runtime = await openRuntime(benchConfig(work), log, databaseUrl);
  const storage = createLocalStorage(path.join(work, 'storage'));
  const taskQueue = `bench-transcoding-${randomUUID()}`;
  const [bundle, connection, client] = await Promise.all([
    bundleWorkflowCode({ workflowsPath: WORKFLOWS, logger: temporalLogger(log, { demote: true }) }),
    NativeConnection.connect({ address: temporal.address }),
    connectTemporalClient(temporal.address),
  ]);
  const { store, codec, pool } = runtime;
  const worker = await Worker.create({
    connection,
    taskQueue,
    workflowBundle: bundle,
    activities: createTranscodingActivities({
      store,
      codec,
      log,
      storage,
      moderator: localRulesModerator(),
      media: { preset: PRESET },
    }),
    maxConcurrentActivityTaskExecutions: SLOTS,
  });
  const running = worker.run();
  const processManager = createProcessManager(
    { store, pool, codec, temporal: client.client, log },
    transcodingReactions({ taskQueue }),
    { name: 'bench-media' },
  );
  await processManager.start();
  try {
    // Warm-up (untimed): the worker's first workflow and activities, ffmpeg's and sharp's first runs.
    const warmSource = path.join(work, 'warm-up.mp4');
    await generateSource(warmSource, 3);
    await transcodeThroughSaga(runtime, storage, client.client, warmSource);

    const sourceProbe = await probe(source);
    const plain = await plainFfmpegLadder(source, sourceProbe, path.join(work, 'plain'));
    const saga = await transcodeThroughSaga(runtime, storage, client.client, source);
    if (saga.outcome.outcome !== 'ready')
      throw new Error(`the saga did not finish: ${JSON.stringify(saga.outcome)}`);
    const sagaSteps = await sagaPhases(client.client, saga.workflowId, saga.ms);
    const rungs = ladderFor(sourceProbe).map((rung) => rung.name);
    console.log(
      `\nladder for the ${SOURCE_SECONDS} s 720p source (${rungs.join(', ')}, HLS, thumbnails), ${SLOTS} at a time;` +
        ` the saga stored ${saga.outcome.renditions} renditions`,
    );
    console.log(
      `  ${''.padEnd(38)} ${'saga'.padStart(9)} ${'plain ffmpeg'.padStart(13)} ${'ratio'.padStart(7)}`,
    );
    const other = (phases: Phases) => phases.total - phases.renditions - phases.hls - phases.thumbnails;
    const line = (label: string, ours: number, theirs: number) =>
      console.log(
        `  ${label.padEnd(38)} ${`${seconds(ours).toFixed(2)} s`.padStart(9)} ${`${seconds(theirs).toFixed(2)} s`.padStart(13)} ${ratio(ours, theirs).toFixed(2).padStart(7)}`,
      );
    line('MP4 renditions (in parallel)', sagaSteps.renditions, plain.renditions);
    line('HLS packaging', sagaSteps.hls, plain.hls);
    line('thumbnails (sharp / ffmpeg)', sagaSteps.thumbnails, plain.thumbnails);
    line('the rest (probe, moderation, events)', other(sagaSteps), other(plain));
    line('MediaUploaded → MediaReady', saga.ms, plain.total);
    return {
      ladder_source_seconds: SOURCE_SECONDS,
      ladder_saga_s: seconds(saga.ms),
      ladder_plain_ffmpeg_s: seconds(plain.total),
      ladder_ratio: ratio(saga.ms, plain.total),
      ladder_renditions_saga_s: seconds(sagaSteps.renditions),
      ladder_renditions_plain_s: seconds(plain.renditions),
      ladder_hls_saga_s: seconds(sagaSteps.hls),
      ladder_hls_plain_s: seconds(plain.hls),
      ladder_thumbnails_saga_s: seconds(sagaSteps.thumbnails),
      ladder_thumbnails_plain_s: seconds(plain.thumbnails),
      ladder_renditions_stored: saga.outcome.renditions,
    };
  } finally {
    await processManager.stop();
    worker.shutdown();
    await running;
    await connection.close();
    await client.close();
    await runtime.close();
    await temporal.stop();
  }
}

const OWNER: Actor = { kind: 'user', userId: randomUUID(), role: 'user' };
const UPLOADER: Actor = { kind: 'system', process: 'uploads' };

/** Stores the source as an upload would, records it, and waits for the saga the process manager starts. */
async function transcodeThroughSaga(
  runtime: Runtime,
  storage: ObjectStorage,
  client: Client,
  file: string,
): Promise<{ ms: number; outcome: TranscodeOutcome; workflowId: string }> {
  const assetId = randomUUID();
  const issue = (actor: Actor, command: MediaCommand) =>
    execute({ store: runtime.store, codec: runtime.codec, log: LOG }, mediaAggregate, mediaStream(assetId), {
      commandId: randomUUID(),
      actor,
      now: new Date(),
      command,
    });
  const { size } = await stat(file);
  await issue(OWNER, {
    type: 'RequestUpload',
    assetId,
    kind: 'video',
    fileName: path.basename(file),
    contentType: 'video/mp4',
    declaredSize: size,
    maxSize: size,
    expiresAt: new Date(Date.now() + 600_000).toISOString(),
  });
  const key = originalKey(assetId, randomUUID());
  const stored = await storage.put(key, createReadStream(file));
  const started = performance.now();
  await issue(UPLOADER, {
    type: 'RecordUpload',
    storageKey: key,
    size: stored.size,
    sha256: stored.sha256,
    detectedContentType: 'video/mp4',
    startedAt: new Date().toISOString(),
  });
  const handle = client.workflow.getHandle(transcodingWorkflowId(assetId));
  for (;;) {
    try {
      await handle.describe();
      break;
    } catch (error) {
      if (!(error instanceof WorkflowNotFoundError)) throw error;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }
  // A saga stuck on a failing workflow task would never answer: give up rather than hang.
  const limitMs = 120_000 + SOURCE_SECONDS * 20_000;
  let timer: NodeJS.Timeout | undefined;
  const outcome: TranscodeOutcome = await Promise.race([
    handle.result(),
    new Promise<never>((_, reject) => {
      timer = setTimeout(
        () =>
          reject(new Error(`${handle.workflowId} did not finish in ${limitMs / 1000} s: see its history`)),
        limitMs,
      );
    }),
  ]).finally(() => clearTimeout(timer));
  return { ms: performance.now() - started, outcome, workflowId: handle.workflowId };
}

/**
 * The same work as plain ffmpeg commands: probe, the ladder's encodes (same arguments, `SLOTS` at
 * a time), each cut into HLS, a master playlist, and the poster with three thumbnail sizes in JPEG
 * and WebP from one ffmpeg run.
 */
async function plainFfmpegLadder(
  source: string,
  sourceProbe: Awaited<ReturnType<typeof probe>>,
  dir: string,
): Promise<Phases> {
  await mkdir(dir, { recursive: true });
  const started = performance.now();
  const mark = { renditions: 0, hls: 0, thumbnails: 0 };
  await run('ffprobe', ['-v', 'error', '-print_format', 'json', '-show_format', '-show_streams', source]);
  const rungs = ladderFor(sourceProbe);
  mark.renditions = performance.now();
  await inParallel(
    rungs.map(
      (rung) => () =>
        ffmpeg(
          renditionArgs(source, path.join(dir, `${rung.name}.mp4`), {
            height: rung.height,
            source: sourceProbe,
            preset: PRESET,
          }),
        ),
    ),
    SLOTS,
  );
  mark.renditions = performance.now() - mark.renditions;
  mark.hls = performance.now();
  for (const rung of rungs) {
    const hlsDir = path.join(dir, `hls-${rung.name}`);
    await mkdir(hlsDir);
    await ffmpeg(hlsArgs(path.join(dir, `${rung.name}.mp4`), hlsDir, rung.name));
  }
  await writeFile(
    path.join(dir, 'hls-master.m3u8'),
    [
      '#EXTM3U',
      ...rungs.flatMap((rung) => [`#EXT-X-STREAM-INF:BANDWIDTH=1`, `hls-${rung.name}-playlist.m3u8`]),
    ].join('\n'),
  );
  mark.hls = performance.now() - mark.hls;
  mark.thumbnails = performance.now();
  const sizes = [1280, ...THUMBNAIL_WIDTHS];
  const split = `split=${sizes.length * 2}${sizes.flatMap((_, i) => [`[j${i}]`, `[w${i}]`]).join('')}`;
  const scales = sizes.flatMap((width, i) => [
    `[j${i}]scale=${width}:-2[oj${i}]`,
    `[w${i}]scale=${width}:-2[ow${i}]`,
  ]);
  await ffmpeg([
    ...['-ss', posterTime(sourceProbe.durationSeconds).toFixed(3), '-i', source, '-frames:v', '1'],
    ...['-filter_complex', [split, ...scales].join(';')],
    ...sizes.flatMap((width, i) => [
      ...['-map', `[oj${i}]`, '-frames:v', '1', path.join(dir, `still-${width}.jpg`)],
      ...['-map', `[ow${i}]`, '-frames:v', '1', path.join(dir, `still-${width}.webp`)],
    ]),
  ]);
  mark.thumbnails = performance.now() - mark.thumbnails;
  return { ...mark, total: performance.now() - started };
}

/** Where the time went, by step (milliseconds). */
interface Phases {
  renditions: number;
  hls: number;
  thumbnails: number;
  total: number;
}

/** The saga's steps as the workflow history dates them: first scheduled to last completed, per activity type. */
async function sagaPhases(client: Client, workflowId: string, total: number): Promise<Phases> {
  const history = await client.workflow.getHandle(workflowId).fetchHistory();
  const typeOf = new Map<string, string>();
  const spans = new Map<string, { from: number; to: number }>();
  const at = (time: { seconds?: unknown; nanos?: number | null } | null | undefined) =>
    Number(time?.seconds ?? 0) * 1000 + (time?.nanos ?? 0) / 1e6;
  for (const event of history.events ?? []) {
    const scheduled = event.activityTaskScheduledEventAttributes;
    const completed = event.activityTaskCompletedEventAttributes;
    if (scheduled?.activityType?.name && event.eventId) {
      typeOf.set(String(event.eventId), scheduled.activityType.name);
      const span = spans.get(scheduled.activityType.name);
      if (!span)
        spans.set(scheduled.activityType.name, { from: at(event.eventTime), to: at(event.eventTime) });
    }
    if (completed) {
      const span = spans.get(typeOf.get(String(completed.scheduledEventId)) ?? '');
      if (span) span.to = Math.max(span.to, at(event.eventTime));
    }
  }
  const length = (type: string) => {
    const span = spans.get(type);
    return span ? span.to - span.from : 0;
  };
  return {
    renditions: length('transcodeVideoRendition'),
    hls: length('packageHlsRenditions'),
    thumbnails: length('generateThumbnails'),
    total,
  };
}

function ffmpeg(args: string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn('ffmpeg', ['-hide_banner', '-nostdin', '-loglevel', 'error', '-y', ...args], {
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    child.on('error', reject);
    child.on('close', (code) =>
      code === 0 ? resolve() : reject(new Error(`ffmpeg exited with ${code}: ${stderr}`)),
    );
  });
}

async function inParallel(tasks: (() => Promise<void>)[], limit: number): Promise<void> {
  const queue = [...tasks];
  await Promise.all(
    Array.from({ length: Math.min(limit, queue.length) }, async () => {
      for (let task = queue.shift(); task; task = queue.shift()) await task();
    }),
  );
}

/** A source like a camera's: moving test pattern and a tone, 30 fps, high-quality H.264. */
async function generateSource(file: string, durationSeconds: number): Promise<void> {
  await ffmpeg([
    ...['-f', 'lavfi', '-i', `testsrc2=size=1280x720:rate=30:duration=${durationSeconds}`],
    ...['-f', 'lavfi', '-i', `sine=frequency=440:sample_rate=48000:duration=${durationSeconds}`],
    ...['-c:v', 'libx264', '-preset', 'veryfast', '-crf', '18', '-pix_fmt', 'yuv420p'],
    ...['-c:a', 'aac', '-b:a', '128k', '-ac', '2', '-shortest', '-movflags', '+faststart', file],
  ]);
}

// ── 2. Uploads ─────────────────────────────────────────────────────────────────────────────────

async function uploads(databaseUrl: string, work: string, log: Logger) {
  const bytes = UPLOAD_MB * 1024 * 1024;
  const body = path.join(work, 'upload.mp4');
  await writeUploadBody(body, bytes);
  const total = UPLOADS * bytes;
  console.log(`\nuploads: ${UPLOADS} concurrent × ${UPLOAD_MB} MB (an MP4 header, then random bytes)`);

  const copies = path.join(work, 'copies');
  await mkdir(copies);
  const copyMs = await timed(() =>
    Promise.all(Array.from({ length: UPLOADS }, (_, i) => copyFile(body, path.join(copies, `copy-${i}`)))),
  );
  await rm(copies, { recursive: true, force: true });
  // The same, made durable as `put` makes its objects (fsynced before they count as stored).
  await mkdir(copies);
  const durableCopyMs = await timed(() =>
    Promise.all(
      Array.from({ length: UPLOADS }, async (_, i) => {
        const target = path.join(copies, `copy-${i}`);
        await copyFile(body, target);
        const handle = await open(target, 'r+');
        await handle.sync();
        await handle.close();
      }),
    ),
  );
  await rm(copies, { recursive: true, force: true });

  const storage = createLocalStorage(path.join(work, 'upload-storage'));
  const putMs = await timed(() =>
    Promise.all(
      Array.from({ length: UPLOADS }, (_, i) => storage.put(`bench/put-${i}`, createReadStream(body))),
    ),
  );
  await storage.deletePrefix('bench/');

  const httpMs = await uploadOverHttp(databaseUrl, work, log, storage, body, bytes);

  const rate = (ms: number) => Math.round(total / 1024 / 1024 / (ms / 1000));
  const row = (label: string, ms: number, baseline?: number) =>
    console.log(
      `  ${label.padEnd(50)} ${String(rate(ms)).padStart(6)} MB/s  ${seconds(ms).toFixed(2).padStart(6)} s` +
        (baseline === undefined ? '' : `   ratio ${ratio(baseline, ms).toFixed(2)}`),
    );
  row('fs.copyFile (baseline)', copyMs);
  row('fs.copyFile + fsync', durableCopyMs, copyMs);
  row('storage.put (temp file, SHA-256, fsync, rename)', putMs, copyMs);
  row('PUT /uploads/:token over HTTP', httpMs, copyMs);
  console.log(
    '  (ratio = time of fs.copyFile / time; copyFile leaves the bytes in the page cache, put fsyncs them)',
  );
  return {
    upload_count: UPLOADS,
    upload_mb_each: UPLOAD_MB,
    upload_copyfile_mb_per_s: rate(copyMs),
    upload_copyfile_fsync_mb_per_s: rate(durableCopyMs),
    upload_storage_put_mb_per_s: rate(putMs),
    upload_storage_put_ratio: ratio(copyMs, putMs),
    upload_http_mb_per_s: rate(httpMs),
    upload_http_ratio: ratio(copyMs, httpMs),
  };
}

/** The API (with its projector) on a real port; one user requests the uploads, then all go at once. */
async function uploadOverHttp(
  databaseUrl: string,
  work: string,
  log: Logger,
  storage: ObjectStorage,
  body: string,
  bytes: number,
): Promise<number> {
  const runtime = await openRuntime(benchConfig(work), log, databaseUrl);
  const { store, pool, bus, projections } = runtime;
  const projector = new Projector({ store, pool, bus, log }, projections);
  await projector.start();
  const app = await benchApp(runtime, log, {
    authSecret: AUTH_SECRET,
    readYourWritesTimeoutMs: 5_000,
    media: { storage },
  });
  try {
    const base = await app.listen({ port: 0, host: '127.0.0.1' });
    const gql = async (query: string, variables: Record<string, unknown>, token?: string) => {
      const response = await app.inject({
        method: 'POST',
        url: '/graphql',
        headers: token ? { authorization: `Bearer ${token}` } : {},
        payload: { query, variables },
      });
      const parsed = z
        .object({ data: z.record(z.string(), z.unknown()).nullable(), errors: z.unknown().optional() })
        .parse(response.json());
      if (parsed.errors) throw new Error(`GraphQL refused: ${JSON.stringify(parsed.errors)}`);
      return parsed.data ?? {};
    };
    const email = `uploader-${randomUUID()}@example.org`;
    const password = 'benchmark password';
    await gql('mutation ($input: RegisterInput!) { register(input: $input) { id } }', {
      input: { email, password, displayName: 'Uploader' },
    });
    const login = await gql('mutation ($input: LoginInput!) { login(input: $input) { accessToken } }', {
      input: { email, password },
    });
    const token = z.object({ accessToken: z.string() }).parse(login.login).accessToken;
    const tickets: string[] = [];
    for (let i = 0; i < UPLOADS; i++) {
      const ticket = await gql(
        `mutation ($size: Float!, $fileName: String!) {
          requestUpload(kind: VIDEO, fileName: $fileName, contentType: "video/mp4", size: $size) { uploadUrl } }`,
        { size: bytes, fileName: `upload-${i}.mp4` },
        token,
      );
      tickets.push(z.object({ uploadUrl: z.string() }).parse(ticket.requestUpload).uploadUrl);
    }
    const ms = await timed(() => Promise.all(tickets.map((url) => putFile(new URL(url, base), body, bytes))));
    await storage.deletePrefix('media/');
    return ms;
  } finally {
    await app.close();
    await projector.stop();
    await runtime.close();
  }
}

/** Streams a file as the body of an HTTP PUT; resolves once the server answered 200. */
function putFile(url: URL, file: string, bytes: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const outgoing = request(
      url,
      { method: 'PUT', headers: { 'content-type': 'video/mp4', 'content-length': String(bytes) } },
      (response) => {
        let text = '';
        response.on('data', (chunk: Buffer) => {
          text += chunk.toString();
        });
        response.on('end', () =>
          response.statusCode === 200
            ? resolve()
            : reject(new Error(`upload answered ${response.statusCode}: ${text}`)),
        );
      },
    );
    outgoing.on('error', reject);
    createReadStream(file).pipe(outgoing);
  });
}

/** An ISO-BMFF `ftyp` box (so the bytes sniff as MP4), then random bytes up to `bytes`. */
async function writeUploadBody(file: string, bytes: number): Promise<void> {
  const size = Buffer.alloc(4);
  size.writeUInt32BE(28);
  const header = Buffer.concat([
    size,
    Buffer.from('ftypisom'),
    Buffer.from([0, 0, 2, 0]),
    Buffer.from('isomiso2mp41'),
  ]);
  const out = createWriteStream(file);
  out.write(header);
  const chunk = randomBytes(1024 * 1024);
  for (let written = header.length; written < bytes; written += chunk.length) {
    const piece = chunk.subarray(0, Math.min(chunk.length, bytes - written));
    if (!out.write(piece)) await new Promise<void>((resolve) => out.once('drain', () => resolve()));
  }
  await new Promise<void>((resolve, reject) =>
    out.end((error?: Error | null) => (error ? reject(error) : resolve())),
  );
}

// ── Support ────────────────────────────────────────────────────────────────────────────────────

async function timed(work: () => Promise<unknown>): Promise<number> {
  const started = performance.now();
  await work();
  return performance.now() - started;
}

const mb = (bytes: number) => Math.round((bytes / 1024 / 1024) * 10) / 10;

function benchConfig(work: string) {
  return loadConfig({ AUTH_SECRET, DATA_DIR: path.join(work, 'data') });
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() =>
        typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port')),
      );
    });
  });
}

await main();
