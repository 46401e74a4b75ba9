import { mkdtemp, readdir, rm } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { connect, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { createLocalStorage } from '../../src/storage/local-storage.ts';
import { type IdentityApp, startIdentityApp } from '../api/support/identity-app.ts';

export interface SlowClientApp extends IdentityApp {
  /** `http://127.0.0.1:<port>`: the app listens on a real socket. */
  origin: string;
  port: number;
  /** Every file under the media directory, relative to it (temporary files included). */
  storedFiles(): Promise<string[]>;
}

/**
 * The full API (projector included) on a fresh database, media in a fresh directory, listening on
 * a real port, with the server's slow-client deadlines made small so a test can reach them.
 */
export async function startSlowClientApp(timeouts: {
  headersTimeoutMs: number;
  requestTimeoutMs: number;
}): Promise<SlowClientApp> {
  const mediaDir = await mkdtemp(join(tmpdir(), 'chronicle-hostile-media-'));
  const api = await startIdentityApp({
    limits: timeouts,
    media: { storage: createLocalStorage(mediaDir) },
  }).catch(async (error: unknown) => {
    await rm(mediaDir, { recursive: true, force: true });
    throw error;
  });
  const close = async () => {
    await api.close();
    await rm(mediaDir, { recursive: true, force: true });
  };
  try {
    await api.app.listen({ port: 0, host: '127.0.0.1' });
  } catch (error) {
    await close();
    throw error;
  }
  const port = (api.app.server.address() as AddressInfo).port;
  return {
    ...api,
    port,
    origin: `http://127.0.0.1:${port}`,
    async storedFiles() {
      const entries = await readdir(mediaDir, { recursive: true, withFileTypes: true });
      return entries
        .filter((entry) => entry.isFile())
        .map((entry) => relative(mediaDir, join(entry.parentPath, entry.name)));
    },
    close,
  };
}

/** A raw TCP client that records what the server sent and when it hung up. */
export interface RawClient {
  socket: Socket;
  openedAt: number;
  received(): string;
  /** Resolves with the time the server closed the connection (ms since `openedAt`). */
  closed: Promise<number>;
  /** Sends one byte of `text` every `intervalMs` until the server hangs up or `stop()`. */
  trickle(text: string, intervalMs: number): void;
  /** Bytes sent so far by `trickle`. */
  trickled(): number;
  stop(): void;
}

export async function openRawClient(port: number): Promise<RawClient> {
  const socket = connect({ port, host: '127.0.0.1' });
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', resolve);
    socket.once('error', reject);
  });
  const openedAt = Date.now();
  let data = '';
  let sent = 0;
  let timer: NodeJS.Timeout | undefined;
  socket.setEncoding('latin1');
  socket.on('data', (chunk: string) => {
    data += chunk;
  });
  // The server resetting the connection is one of the ways of hanging up.
  socket.on('error', () => undefined);
  const closed = new Promise<number>((resolve) => {
    socket.once('close', () => {
      if (timer) clearInterval(timer);
      resolve(Date.now() - openedAt);
    });
  });
  return {
    socket,
    openedAt,
    received: () => data,
    closed,
    trickle(text, intervalMs) {
      timer = setInterval(() => {
        if (socket.destroyed || socket.writableEnded) return void clearInterval(timer);
        const next = text[sent % text.length] ?? 'x';
        socket.write(next, 'latin1');
        sent++;
      }, intervalMs);
    },
    trickled: () => sent,
    stop() {
      if (timer) clearInterval(timer);
      socket.destroy();
    },
  };
}
