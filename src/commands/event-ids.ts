import { createHash } from 'node:crypto';

/** The namespace every Chronicle-derived name lives in (a random v4 UUID, fixed forever). */
export const CHRONICLE_NAMESPACE = '2606886b-26db-4513-8081-ea28e7db18c0';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** RFC 4122 §4.3 name-based UUID (version 5, SHA-1): the same name always gives the same id. */
export function uuidv5(name: string, namespace: string): string {
  if (!UUID.test(namespace)) throw new Error(`Namespace must be a UUID, got ${namespace}`);
  const bytes = createHash('sha1')
    .update(Buffer.from(namespace.replaceAll('-', ''), 'hex'))
    .update(name, 'utf8')
    .digest()
    .subarray(0, 16);
  bytes.writeUInt8((bytes.readUInt8(6) & 0x0f) | 0x50, 6);
  bytes.writeUInt8((bytes.readUInt8(8) & 0x3f) | 0x80, 8);
  const hex = bytes.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/**
 * The id of the `index`-th event a command appends to `stream`. Deterministic, so a retried command
 * produces the same ids and the store recognises the append; the stream is part of the name because
 * one command may append to several streams.
 */
export function eventId(commandId: string, stream: string, index: number): string {
  return uuidv5(`${commandId}:${stream}:${index}`, CHRONICLE_NAMESPACE);
}
