import { request } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { registerAndSignIn, type TestUser } from '../support/identity-operations.ts';
import { parseResponse, type RawOutcome, stubbornRequest } from '../support/raw-http-client.ts';
import { type MediaApp, requestUpload, startMediaApp } from './support.ts';

let api: MediaApp;
let owner: TestUser;
let port: number;

beforeAll(async () => {
  api = await startMediaApp();
  owner = await registerAndSignIn(api, 'Owner');
  await api.app.listen({ port: 0, host: '127.0.0.1' });
  port = (api.app.server.address() as AddressInfo).port;
});
afterAll(async () => {
  await api?.close();
});

const DECLARED = 256 * 1024;
/** 16 times what was declared: far more than the socket buffers hold, so the client is still sending. */
const SENT = 16 * DECLARED;
const MP4_HEAD = Buffer.concat([Buffer.from([0, 0, 0, 0x18]), Buffer.from('ftypisom'), Buffer.alloc(116)]);
const TRIES = 5;

async function videoTicket(size: number) {
  return requestUpload(api, owner.accessToken, {
    kind: 'VIDEO',
    fileName: 'big.mp4',
    contentType: 'video/mp4',
    size,
  });
}

const putHead = (url: string, framing: string) =>
  `PUT ${url} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: video/mp4\r\n${framing}\r\n\r\n`;

/** The refusal arrived whole, said why, and told the client the connection ends with it. */
function expectRefusal(outcome: RawOutcome, status: number, reason: string) {
  const response = parseResponse(outcome.received);
  expect({ status: response.status, socketError: outcome.socketError }).toEqual({
    status,
    socketError: undefined,
  });
  expect(response.headers.connection).toBe('close');
  expect(JSON.parse(response.body)).toMatchObject({ statusCode: status, reason });
}

/**
 * PUTs `chunks` chunks of 16 KiB with Node's HTTP client, one every few milliseconds, with no
 * Content-Length (chunked), and reports the status and how many chunks were sent when it came.
 */
function slowPut(url: string, chunks: number, first: Buffer) {
  return new Promise<{ status: number; sentWhenAnswered: number; body: string }>((resolve, reject) => {
    let sent = 0;
    const req = request(`http://127.0.0.1:${port}${url}`, {
      method: 'PUT',
      headers: { 'content-type': 'video/mp4' },
    });
    req.on('response', (response) => {
      const answeredAt = sent;
      let body = '';
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => {
        body += chunk;
      });
      response.on('end', () => {
        resolve({ status: response.statusCode ?? 0, sentWhenAnswered: answeredAt, body });
        // Done with it: the test does not wait for the server to stop reading.
        req.destroy();
      });
    });
    req.on('error', reject);
    const tick = () => {
      if (req.destroyed) return;
      if (sent === chunks) return void req.end();
      req.write(sent === 0 ? first : Buffer.alloc(16 * 1024, 1), () => {
        sent++;
        setTimeout(tick, 2);
      });
    };
    tick();
  });
}

async function keptFilesOf(assetId: string) {
  return (await api.storedFiles()).filter((file) => file.includes(assetId));
}

describe('uploads over HTTP', () => {
  it('answers 413 to a client still sending a body larger than its Content-Length allows, every time', async () => {
    for (let attempt = 0; attempt < TRIES; attempt++) {
      const ticket = await videoTicket(DECLARED);
      const outcome = await stubbornRequest(port, putHead(ticket.uploadUrl, `Content-Length: ${SENT}`), {
        bytes: SENT,
        chunked: false,
        first: MP4_HEAD,
      });
      expectRefusal(outcome, 413, 'UPLOAD_TOO_LARGE');
      expect(await keptFilesOf(ticket.assetId)).toEqual([]);
    }
  });

  it('answers 413 to a chunked body that outgrows the declared size while it is being sent, every time', async () => {
    for (let attempt = 0; attempt < TRIES; attempt++) {
      const ticket = await videoTicket(DECLARED);
      const outcome = await stubbornRequest(port, putHead(ticket.uploadUrl, 'Transfer-Encoding: chunked'), {
        bytes: SENT,
        chunked: true,
        first: MP4_HEAD,
      });
      expectRefusal(outcome, 413, 'UPLOAD_TOO_LARGE');
      expect(await keptFilesOf(ticket.assetId)).toEqual([]);
    }
  });

  it('answers 413 while a too-large body is still trickling in, and the Node HTTP client reads it, every time', async () => {
    for (let attempt = 0; attempt < TRIES; attempt++) {
      const ticket = await videoTicket(DECLARED);
      const head = Buffer.concat([MP4_HEAD, Buffer.alloc(16 * 1024 - MP4_HEAD.length)]);
      const result = await slowPut(ticket.uploadUrl, 1_000, head);
      expect(result.status).toBe(413);
      expect(JSON.parse(result.body)).toMatchObject({ reason: 'UPLOAD_TOO_LARGE' });
      // 16 chunks fill the declared size: the answer does not wait for the other 984.
      expect(result.sentWhenAnswered).toBeLessThan(100);
      expect(await keptFilesOf(ticket.assetId)).toEqual([]);
    }
  });

  it('answers 415 after the first bytes when they are not the declared kind, every time', async () => {
    for (let attempt = 0; attempt < TRIES; attempt++) {
      const ticket = await videoTicket(SENT);
      const outcome = await stubbornRequest(port, putHead(ticket.uploadUrl, `Content-Length: ${SENT}`), {
        bytes: SENT,
        chunked: false,
        first: Buffer.from('%PDF-1.7 not a video at all'),
      });
      expectRefusal(outcome, 415, 'CONTENT_TYPE_MISMATCH');
      expect(await keptFilesOf(ticket.assetId)).toEqual([]);
    }
  });

  it('still takes a whole upload of the declared size on the same server', async () => {
    const ticket = await videoTicket(DECLARED);
    const body = Buffer.concat([MP4_HEAD, Buffer.alloc(DECLARED - MP4_HEAD.length, 1)]);
    const response = await fetch(`http://127.0.0.1:${port}${ticket.uploadUrl}`, {
      method: 'PUT',
      headers: { 'content-type': 'video/mp4' },
      body,
    });
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ assetId: ticket.assetId, size: DECLARED });
  });
});
