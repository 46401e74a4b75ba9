import { describe, expect, it } from 'vitest';
import { eventId, uuidv5 } from '../../src/commands/event-ids.ts';

const DNS_NAMESPACE = '6ba7b810-9dad-11d1-80b4-00c04fd430c8';
const URL_NAMESPACE = '6ba7b811-9dad-11d1-80b4-00c04fd430c8';

describe('uuidv5', () => {
  it('matches the known RFC 4122 vectors', () => {
    expect(uuidv5('www.example.com', DNS_NAMESPACE)).toBe('2ed6657d-e927-568b-95e1-2665a8aea6a2');
    expect(uuidv5('python.org', DNS_NAMESPACE)).toBe('886313e1-3b8a-5372-9b90-0c9aee199e5d');
    expect(uuidv5('http://example.com/', URL_NAMESPACE)).toBe('0a300ee9-f9e4-5697-a51a-efc7fafaba67');
  });

  it('accepts an upper-case namespace and rejects one that is not a UUID', () => {
    expect(uuidv5('www.example.com', DNS_NAMESPACE.toUpperCase())).toBe(
      '2ed6657d-e927-568b-95e1-2665a8aea6a2',
    );
    expect(() => uuidv5('x', 'not-a-uuid')).toThrow(/Namespace must be a UUID/);
  });
});

describe('eventId', () => {
  const commandId = '5f0c6a1e-2b7d-4c1a-9d3e-8f2b6a4c1d00';

  it('is the same for the same command, stream and index', () => {
    expect(eventId(commandId, 'account-1', 0)).toBe(eventId(commandId, 'account-1', 0));
    expect(eventId(commandId, 'account-1', 0)).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab]/);
  });

  it('differs between indexes and between the streams one command writes to', () => {
    const ids = new Set([
      eventId(commandId, 'account-1', 0),
      eventId(commandId, 'account-1', 1),
      eventId(commandId, 'account-2', 0),
    ]);
    expect(ids.size).toBe(3);
  });
});
