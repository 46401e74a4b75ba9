import { spawn } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const CLI = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../bin/chronicle.mjs');

/** The variables a test may set; everything else from the parent's environment is left out. */
const CONFIG_VARIABLES = [
  'DATABASE_URL',
  'EVENTSTORE_CONNECTION_STRING',
  'REDIS_URL',
  'TEMPORAL_ADDRESS',
  'EVENTSTORE_MAX_EVENT_BYTES',
  'OPENAI_API_KEY',
  'PORT',
  'DATA_DIR',
  'LOG_LEVEL',
  'LOG_FORMAT',
  'NODE_ENV',
  'AUTH_SECRET',
  'OUTBOUND_ALLOW_INTERNAL',
  'KEY_ROTATION_DAYS',
  'MEDIA_DIR',
  'S3_ENDPOINT',
  'S3_BUCKET',
  'S3_REGION',
  'S3_ACCESS_KEY_ID',
  'S3_SECRET_ACCESS_KEY',
  'S3_FORCE_PATH_STYLE',
  'S3_PUBLIC_BASE_URL',
];

/** The parent's environment without Chronicle's variables, so a developer's shell cannot leak in. */
export function cleanEnv(overrides: Record<string, string>): NodeJS.ProcessEnv {
  const env = { ...process.env };
  for (const name of CONFIG_VARIABLES) delete env[name];
  return { ...env, ...overrides };
}

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs `node bin/chronicle.mjs ...args` as a real child process and waits for it to exit. */
export function runCli(args: string[], env: Record<string, string>, timeoutMs = 20_000): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, ...args], {
      env: cleanEnv(env),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
    });
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`chronicle ${args.join(' ')} did not exit within ${timeoutMs} ms\n${stderr}`));
    }, timeoutMs);
    child.on('error', reject);
    child.on('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}
