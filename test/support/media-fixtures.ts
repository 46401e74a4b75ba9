import { execFile } from 'node:child_process';
import { createHash, randomUUID } from 'node:crypto';
import { access, mkdir, rename, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

/**
 * Small media files generated with ffmpeg at test time (nothing binary is committed):
 * - `video720p`: 3 s of 1280x720 `testsrc` at 25 fps, H.264 + a 440 Hz AAC tone, MP4 (~140 KB);
 * - `png`: one 1280x720 `testsrc` frame (~26 KB);
 * - `wav`: 2 s of a 440 Hz tone, 16 kHz mono PCM, like a voice message (~64 KB);
 * - `corruptMp4`: a valid `ftyp` box followed by junk, so it passes magic-number sniffing but no
 *   demuxer can read it (ffprobe fails).
 *
 * `mediaFixtures()` generates them once per recipe into a shared directory under the OS temp dir
 * (published with an atomic rename, so parallel test workers never see a half-written set) and
 * reuses them after (treat them as read-only); `generateMediaFixtures(dir)` writes a fresh set where
 * you ask.
 */
export interface MediaFixtures {
  readonly dir: string;
  readonly video720p: string;
  readonly png: string;
  readonly wav: string;
  readonly corruptMp4: string;
}

const FILES = {
  video720p: 'testsrc-720p-3s.mp4',
  png: 'testsrc-720p.png',
  wav: 'tone-2s.wav',
  corruptMp4: 'corrupt.mp4',
} as const;

const quiet = ['-hide_banner', '-loglevel', 'error', '-nostdin', '-y'];

const RECIPES: readonly { file: string; args: readonly string[] }[] = [
  {
    file: FILES.video720p,
    args: [
      ...['-f', 'lavfi', '-i', 'testsrc=size=1280x720:rate=25:duration=3'],
      ...['-f', 'lavfi', '-i', 'sine=frequency=440:sample_rate=48000:duration=3'],
      ...['-c:v', 'libx264', '-preset', 'ultrafast', '-pix_fmt', 'yuv420p'],
      ...['-c:a', 'aac', '-b:a', '64k', '-shortest', '-movflags', '+faststart'],
    ],
  },
  {
    file: FILES.png,
    args: ['-f', 'lavfi', '-i', 'testsrc=size=1280x720:rate=1', '-frames:v', '1'],
  },
  {
    file: FILES.wav,
    args: [
      ...['-f', 'lavfi', '-i', 'sine=frequency=440:sample_rate=16000:duration=2'],
      ...['-ac', '1', '-c:a', 'pcm_s16le'],
    ],
  },
];

/** An ISO-BMFF `ftyp` box (isom) and 4 KiB of junk where the `moov`/`mdat` boxes should be. */
function corruptMp4Bytes(): Buffer {
  const size = Buffer.alloc(4);
  size.writeUInt32BE(28);
  const ftyp = Buffer.concat([
    size,
    Buffer.from('ftypisom'),
    Buffer.from([0, 0, 2, 0]),
    Buffer.from('isomiso2mp41'),
  ]);
  return Buffer.concat([ftyp, Buffer.alloc(4096, 0x5a)]);
}

const run = promisify(execFile);

/** Writes a fresh set of fixtures into `dir` (created if missing). */
export async function generateMediaFixtures(dir: string): Promise<MediaFixtures> {
  await mkdir(dir, { recursive: true });
  await Promise.all(RECIPES.map(({ file, args }) => run('ffmpeg', [...quiet, ...args, join(dir, file)])));
  await writeFile(join(dir, FILES.corruptMp4), corruptMp4Bytes());
  return fixturesIn(dir);
}

let shared: Promise<MediaFixtures> | undefined;

/** The shared set, generated on first use (per recipe, across test workers and runs). */
export function mediaFixtures(): Promise<MediaFixtures> {
  shared ??= sharedFixtures().catch((error: unknown) => {
    shared = undefined;
    throw error;
  });
  return shared;
}

async function sharedFixtures(): Promise<MediaFixtures> {
  const recipeHash = createHash('sha256')
    .update(JSON.stringify(RECIPES))
    .update(corruptMp4Bytes())
    .digest('hex')
    .slice(0, 16);
  const dir = join(tmpdir(), `chronicle-media-fixtures-${recipeHash}`);
  if (await exists(join(dir, '.complete'))) return fixturesIn(dir);
  const staging = `${dir}.${randomUUID()}`;
  try {
    await generateMediaFixtures(staging);
    await writeFile(join(staging, '.complete'), '');
    await rename(staging, dir).catch(async (error: unknown) => {
      // Another worker published the same set first: use theirs.
      if (!(await exists(join(dir, '.complete')))) throw error;
    });
  } finally {
    await rm(staging, { recursive: true, force: true });
  }
  return fixturesIn(dir);
}

function fixturesIn(dir: string): MediaFixtures {
  return {
    dir,
    video720p: join(dir, FILES.video720p),
    png: join(dir, FILES.png),
    wav: join(dir, FILES.wav),
    corruptMp4: join(dir, FILES.corruptMp4),
  };
}

async function exists(path: string): Promise<boolean> {
  return access(path).then(
    () => true,
    () => false,
  );
}
