import { request } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { registerAndSignIn, type TestUser } from '../support/identity-operations.ts';
import { type MediaApp, requestUpload, startMediaApp } from './support.ts';

let api: MediaApp;
let owner: TestUser;
let origin: string;

beforeAll(async () => {
  api = await startMediaApp();
  owner = await registerAndSignIn(api, 'Owner');
  await api.app.listen({ port: 0, host: '127.0.0.1' });
  origin = `http://127.0.0.1:${(api.app.server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  await api?.close();
});

/**
 * PUTs `chunks` chunks of `chunkSize` bytes over a real socket, one every few milliseconds, with
 * no Content-Length (chunked), and reports the status and how many chunks were sent when it came.
 */
function slowPut(url: string, chunks: number, chunkSize: number, first: Buffer) {
  return new Promise<{ status: number; sentWhenAnswered: number; body: string }>((resolve, reject) => {
    let sent = 0;
    const req = request(`${origin}${url}`, { method: 'PUT', headers: { 'content-type': 'video/mp4' } });
    req.on('response', (response) => {
      const answeredAt = sent;
      let body = '';
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => {
        body += chunk;
      });
      response.on('end', () =>
        resolve({ status: response.statusCode ?? 0, sentWhenAnswered: answeredAt, body }),
      );
    });
    req.on('error', reject);
    const tick = () => {
      if (req.destroyed) return;
      if (sent === chunks) return void req.end();
      req.write(sent === 0 ? first : Buffer.alloc(chunkSize, 1), () => {
        sent++;
        setTimeout(tick, 2);
      });
    };
    tick();
  });
}

describe('uploads over HTTP', () => {
  it('answers 413 while a too-large body is still coming, and keeps nothing', async () => {
    const ticket = await requestUpload(api, owner.accessToken, {
      kind: 'VIDEO',
      fileName: 'big.mp4',
      contentType: 'video/mp4',
      size: 256 * 1024,
    });
    const head = Buffer.concat([
      Buffer.from([0, 0, 0, 0x18]),
      Buffer.from('ftypisom'),
      Buffer.alloc(16 * 1024 - 12),
    ]);
    const result = await slowPut(ticket.uploadUrl, 1_000, 16 * 1024, head);
    expect(result.status).toBe(413);
    expect(JSON.parse(result.body)).toMatchObject({ reason: 'UPLOAD_TOO_LARGE' });
    expect(result.sentWhenAnswered).toBeLessThan(100);
    expect((await api.storedFiles()).filter((file) => file.includes(ticket.assetId))).toEqual([]);
  });

  it('answers 415 after the first bytes when they are not the declared kind', async () => {
    const ticket = await requestUpload(api, owner.accessToken, {
      kind: 'VIDEO',
      fileName: 'fake.mp4',
      contentType: 'video/mp4',
      size: 10 * 1024 * 1024,
    });
    const result = await slowPut(
      ticket.uploadUrl,
      500,
      16 * 1024,
      Buffer.from('%PDF-1.7 not a video at all'),
    );
    expect(result.status).toBe(415);
    expect(result.sentWhenAnswered).toBeLessThan(20);
    expect((await api.storedFiles()).filter((file) => file.includes(ticket.assetId))).toEqual([]);
  });
});
