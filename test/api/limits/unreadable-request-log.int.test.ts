import { once } from 'node:events';
import { connect, createServer, type Socket } from 'node:net';
import { Writable } from 'node:stream';
import type { ConnectionError } from 'fastify';
import { pino } from 'pino';
import { expect, it } from 'vitest';
import { answerUnreadableRequests } from '../../../src/api/client-errors.ts';

it('logs an unreadable request without its bytes: the credentials it carried stay out of the log', async () => {
  let logged = '';
  const sink = new Writable({
    write(chunk, _encoding, done) {
      logged += chunk.toString();
      done();
    },
  });
  const answer = answerUnreadableRequests(pino({ level: 'info' }, sink), 50);
  const server = createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const address = server.address();
  if (typeof address !== 'object' || address === null) throw new Error('no address');
  const client = connect(address.port, '127.0.0.1');
  const [socket] = (await once(server, 'connection')) as [Socket];
  // What Node's parser hands `clientError` for headers past the limit: the raw bytes included.
  const error = Object.assign(new Error('Header overflow'), {
    code: 'HPE_HEADER_OVERFLOW',
    bytesParsed: 16_400,
    rawPacket: Buffer.from('GET / HTTP/1.1\r\nAuthorization: Bearer secret-token-value\r\n'),
  }) as unknown as ConnectionError;
  answer(error, socket);
  const [reply] = (await once(client, 'data')) as [Buffer];
  expect(reply.toString()).toMatch(/^HTTP\/1\.1 431/);
  expect(logged).toContain('refused an unreadable request');
  expect(logged).toContain('HPE_HEADER_OVERFLOW');
  expect(logged).not.toContain('secret-token-value');
  client.destroy();
  server.close();
});
