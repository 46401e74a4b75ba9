import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { MediaError } from './errors.ts';
import type { ProgressListener } from './types.ts';

/**
 * The demuxers ffmpeg may use on an upload: the audio and video containers people send. Playlist
 * and script formats (HLS, concat, ...) are left out: a "video" that is really a playlist would
 * make ffmpeg open whatever files or URLs it lists.
 */
export const INPUT_FORMATS = [
  ...['mov', 'mp4', 'matroska', 'webm', 'avi', 'flv', 'asf', 'mpegts', 'mpeg', 'h264', 'hevc', 'ogg'],
  ...['wav', 'w64', 'aiff', 'caf', 'mp3', 'aac', 'flac', 'amr', 'amrnb', 'amrwb'],
].join(',');

/** ffmpeg/ffprobe options for reading an upload: local files only, accepted containers only. */
export const untrustedInput = (path: string) => [
  ...['-protocol_whitelist', 'file', '-format_whitelist', INPUT_FORMATS],
  ...['-i', path],
];

/** Where the media tools are; PATH lookups unless configured. */
export interface MediaTools {
  ffmpeg: string;
  ffprobe: string;
}

export const DEFAULT_TOOLS: MediaTools = { ffmpeg: 'ffmpeg', ffprobe: 'ffprobe' };

/** The end of stderr kept for error messages: ffmpeg says what went wrong last. */
const STDERR_TAIL_BYTES = 8_192;

/**
 * `setpriv --pdeathsig KILL` (util-linux, on every Debian including the slim images) makes the
 * kernel kill ffmpeg when the worker process dies. Without it a worker killed with SIGKILL would
 * leave its ffmpeg running to the end, competing with the retry for the same cores: ffmpeg ignores
 * SIGPIPE, so a closed progress pipe does not stop it.
 */
const SETPRIV = ['/usr/bin/setpriv', '/bin/setpriv'].find((candidate) => existsSync(candidate));

export interface ToolRun {
  stdout: Buffer;
  stderr: string;
}

export interface RunToolOptions {
  signal?: AbortSignal;
  /** Lines of stdout, as they come (ffmpeg's `-progress pipe:1`); stdout is then not collected. */
  onStdoutLine?: (line: string) => void;
}

/**
 * Runs a media tool to completion. Exits other than 0 reject with the tail of stderr in
 * `ToolExit`; an abort kills the process (SIGKILL: ffmpeg may ignore SIGTERM while flushing) and
 * rejects with `CANCELLED` once it is gone, so nothing writes after the caller moved on.
 */
export function runTool(
  command: string,
  args: readonly string[],
  options: RunToolOptions = {},
): Promise<ToolRun> {
  const { signal, onStdoutLine } = options;
  if (signal?.aborted) return Promise.reject(cancelled());
  const [file, argv] = SETPRIV
    ? [SETPRIV, ['--pdeathsig', 'KILL', '--', command, ...args]]
    : [command, [...args]];
  return new Promise<ToolRun>((resolve, reject) => {
    const child = spawn(file, argv, { stdio: ['ignore', 'pipe', 'pipe'] });
    const stdout: Buffer[] = [];
    let stderr = '';
    let pending = '';
    let aborted = false;
    let spawnError: Error | undefined;
    child.stdout.on('data', (chunk: Buffer) => {
      if (!onStdoutLine) {
        stdout.push(chunk);
        return;
      }
      pending += chunk.toString('utf8');
      const lines = pending.split('\n');
      pending = lines.pop() ?? '';
      for (const line of lines) onStdoutLine(line.trimEnd());
    });
    child.stderr.on('data', (chunk: Buffer) => {
      stderr = (stderr + chunk.toString('utf8')).slice(-STDERR_TAIL_BYTES);
    });
    const onAbort = () => {
      aborted = true;
      child.kill('SIGKILL');
    };
    signal?.addEventListener('abort', onAbort, { once: true });
    child.on('error', (error) => {
      spawnError = error;
    });
    child.on('close', (code, killedBy) => {
      signal?.removeEventListener('abort', onAbort);
      if (aborted) return reject(cancelled());
      if (spawnError) {
        const missing = 'code' in spawnError && spawnError.code === 'ENOENT';
        return reject(
          new MediaError(
            missing ? 'TOOL_MISSING' : 'TRANSCODE_FAILED',
            missing ? `${command} is not installed on this worker` : `${command} could not start`,
            { cause: spawnError },
          ),
        );
      }
      // setpriv exits 127 when it cannot exec the tool.
      if (SETPRIV && code === 127 && stderr.includes('setpriv')) {
        return reject(new MediaError('TOOL_MISSING', `${command} is not installed on this worker`));
      }
      if (code === 0) return resolve({ stdout: Buffer.concat(stdout), stderr });
      reject(new ToolExit(command, code, killedBy, stderr));
    });
  });
}

/** A tool that ran and failed; `stderr` holds the end of what it said. */
export class ToolExit extends Error {
  override readonly name = 'ToolExit';
  constructor(
    readonly tool: string,
    readonly exitCode: number | null,
    readonly killedBy: NodeJS.Signals | null,
    readonly stderr: string,
  ) {
    super(
      `${tool} ${killedBy ? `was killed by ${killedBy}` : `exited with ${exitCode}`}: ${lastLines(stderr, 3) || 'no output'}`,
    );
  }
}

export const cancelled = () => new MediaError('CANCELLED', 'The work was cancelled');

export function lastLines(text: string, count: number): string {
  return text
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '')
    .slice(-count)
    .join(' / ');
}

/**
 * Runs ffmpeg with `-progress pipe:1` and reports how far it is through `durationSeconds` of
 * media (ffmpeg prints `out_time_us=` about twice a second, and `progress=end` when done).
 */
export async function runFfmpeg(
  tools: MediaTools,
  args: readonly string[],
  options: { signal?: AbortSignal; durationSeconds?: number | null; onProgress?: ProgressListener } = {},
): Promise<void> {
  const { durationSeconds, onProgress } = options;
  const report = (processedSeconds: number) => {
    if (!onProgress) return;
    const percent =
      durationSeconds && durationSeconds > 0
        ? Math.min(100, Math.max(0, (processedSeconds / durationSeconds) * 100))
        : null;
    onProgress({ percent, processedSeconds });
  };
  await runTool(
    tools.ffmpeg,
    ['-hide_banner', '-nostdin', '-nostats', '-loglevel', 'error', '-progress', 'pipe:1', '-y', ...args],
    {
      ...(options.signal ? { signal: options.signal } : {}),
      onStdoutLine(line) {
        const [key, value] = line.split('=', 2);
        if (key === 'out_time_us' && value && /^\d+$/.test(value)) report(Number(value) / 1e6);
        else if (key === 'progress' && value === 'end' && durationSeconds) report(durationSeconds);
      },
    },
  );
}
