import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { accessSync, constants } from 'node:fs';
import { mkdir, readdir, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { ListBucketsCommand, S3Client } from '@aws-sdk/client-s3';
import { stopProcess } from '../../src/infra/process-control.ts';
import { freePort } from './ports.ts';

export interface SeaweedfsHandle {
  /** The S3 API, `http://127.0.0.1:<port>`. */
  endpoint: string;
  accessKeyId: string;
  secretAccessKey: string;
  stop(): Promise<void>;
}

/** The binary `scripts/bootstrap.mjs --test` builds, or undefined when it is not there (S3 tests skip). */
export function findSeaweedfs(): string | undefined {
  const binary = path.resolve(import.meta.dirname, '../../.tools/seaweedfs/bin/weed');
  return isExecutable(binary) ? binary : undefined;
}

/**
 * One SeaweedFS (master, volume, filer and S3 gateway in one process) on free loopback ports, its
 * data under `dataDir`. The S3 gateway has one identity, with fresh random credentials, so every
 * request must be signed: a test of presigned URLs proves something only if unsigned ones fail.
 */
export async function startSeaweedfs(binary: string, dataDir: string): Promise<SeaweedfsHandle> {
  const dir = path.join(dataDir, 'seaweedfs');
  await mkdir(dir, { recursive: true });
  const accessKeyId = `chronicle${randomBytes(6).toString('hex')}`;
  const secretAccessKey = randomBytes(24).toString('base64url');
  const identities = path.join(dir, 's3-identities.json');
  await writeFile(
    identities,
    JSON.stringify({
      identities: [
        {
          name: 'chronicle-tests',
          credentials: [{ accessKey: accessKeyId, secretKey: secretAccessKey }],
          actions: ['Admin', 'Read', 'Write', 'List', 'Tagging'],
        },
      ],
    }),
    { mode: 0o600 },
  );
  const credentials = { accessKeyId, secretAccessKey };
  // Ports are free when picked but may be taken before the server binds them: a server that
  // exits at start is tried again on other ports, in a directory of its own.
  for (let attempt = 1; ; attempt++) {
    try {
      return await launch(binary, path.join(dir, `attempt-${attempt}`), identities, credentials);
    } catch (error) {
      if (!(error instanceof ExitedAtStart) || attempt >= 3) throw error;
    }
  }
}

class ExitedAtStart extends Error {}

async function launch(
  binary: string,
  dir: string,
  identities: string,
  credentials: { accessKeyId: string; secretAccessKey: string },
): Promise<SeaweedfsHandle> {
  await mkdir(dir, { recursive: true });
  const ports = await distinctFreePorts(8);
  const [master, masterGrpc, volume, volumeGrpc, filer, filerGrpc, s3, s3Grpc] = ports;
  const child = spawnTiedToParent(
    binary,
    [
      // Its logs go to the run's directory, not the OS temp directory.
      `-logdir=${dir}`,
      'server',
      `-dir=${dir}`,
      '-ip=127.0.0.1',
      '-ip.bind=127.0.0.1',
      // Every port named: unnamed gRPC ports default to the HTTP port + 10000, which may be taken.
      `-master.port=${master}`,
      `-master.port.grpc=${masterGrpc}`,
      // Small volumes: the default preallocates gigabytes per volume.
      '-master.volumeSizeLimitMB=64',
      `-volume.port=${volume}`,
      `-volume.port.grpc=${volumeGrpc}`,
      '-volume.max=100',
      '-filer',
      `-filer.port=${filer}`,
      `-filer.port.grpc=${filerGrpc}`,
      '-s3',
      `-s3.port=${s3}`,
      `-s3.port.grpc=${s3Grpc}`,
      `-s3.config=${identities}`,
      // Catalogue servers it would otherwise start on fixed ports (8181, 9101).
      '-s3.port.iceberg=0',
      '-s3.port.lance=0',
    ],
    { PATH: process.env.PATH ?? '', HOME: dir },
  );
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr = (stderr + chunk.toString()).slice(-4_000);
  });
  const stop = async () => {
    await stopProcess(child, 10_000);
    await removeLocalSockets(ports);
  };
  const endpoint = `http://127.0.0.1:${s3}`;
  try {
    await waitForS3(
      { endpoint, ...credentials },
      () => child.exitCode,
      () => stderr,
    );
  } catch (error) {
    await stop();
    throw error;
  }
  return { endpoint, ...credentials, stop };
}

/**
 * As the Temporal dev server is started: through `setpriv --pdeathsig` on Linux, so the kernel
 * stops the server when the test run dies without its teardown (SIGKILL, OOM).
 */
function spawnTiedToParent(binary: string, args: string[], env: NodeJS.ProcessEnv): ChildProcess {
  const setpriv =
    process.platform === 'linux' ? ['/usr/bin/setpriv', '/bin/setpriv'].find(isExecutable) : undefined;
  const [command, commandArgs] = setpriv
    ? [setpriv, ['--pdeathsig', 'TERM', '--', binary, ...args]]
    : [binary, args];
  return spawn(command, commandArgs, { stdio: ['ignore', 'ignore', 'pipe'], env });
}

function isExecutable(file: string): boolean {
  try {
    accessSync(file, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/**
 * SeaweedFS also serves gRPC on Unix sockets named for its ports, always in /tmp
 * (`/tmp/seaweedfs-filer-grpc-<port>.sock`...), and leaves them behind when stopped. Only the
 * stopped server's are removed: the ports were its own while it ran.
 */
async function removeLocalSockets(ports: readonly number[]): Promise<void> {
  const ours = new Set(ports.map(String));
  const names = await readdir('/tmp').catch(() => []);
  await Promise.all(
    names
      .filter((name) => ours.has(/^seaweedfs-[a-z-]+-(\d+)\.sock$/.exec(name)?.[1] ?? ''))
      .map((name) => rm(path.join('/tmp', name), { force: true })),
  );
}

async function distinctFreePorts(count: number): Promise<number[]> {
  const ports = new Set<number>();
  while (ports.size < count) ports.add(await freePort());
  return [...ports];
}

/** Ready once a signed ListBuckets succeeds: the gateway listens and has reached its filer. */
async function waitForS3(
  server: { endpoint: string; accessKeyId: string; secretAccessKey: string },
  exitCode: () => number | null,
  stderr: () => string,
) {
  const client = new S3Client({
    endpoint: server.endpoint,
    region: 'us-east-1',
    forcePathStyle: true,
    credentials: { accessKeyId: server.accessKeyId, secretAccessKey: server.secretAccessKey },
    maxAttempts: 1,
  });
  const deadline = Date.now() + 90_000;
  try {
    while (Date.now() < deadline) {
      const code = exitCode();
      if (code !== null) throw new ExitedAtStart(`weed server exited with code ${code}: ${stderr()}`);
      const ready = await client
        .send(new ListBucketsCommand({}), { abortSignal: AbortSignal.timeout(2_000) })
        .then(
          () => true,
          () => false,
        );
      if (ready) return;
      await sleep(250);
    }
  } finally {
    client.destroy();
  }
  throw new Error(`SeaweedFS's S3 gateway did not come up at ${server.endpoint}: ${stderr()}`);
}
