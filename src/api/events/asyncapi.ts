import { envelopeSchema, type JsonSchema, publicEventSchemas, STREAM_ERROR_SCHEMA } from './event-schemas.ts';

const CHANNEL = 'integratorEvents';

/**
 * The AsyncAPI 3.0 description of `GET /events`: one channel (the SSE stream), one message per
 * public event type (payload: the envelope with that type's public data), and the final error
 * frame. Chronicle is the application described, so the operation's action is `send`.
 */
export function asyncApiDocument(version: string): Record<string, unknown> {
  const events = publicEventSchemas();
  const messages: Record<string, JsonSchema> = Object.fromEntries(
    events.map((event) => [
      event.type,
      {
        name: event.type,
        title: event.type,
        summary: `${event.type}, schema version ${event.schemaVersion}${event.audience === 'admins' ? ' (admins only)' : ''}`,
        contentType: 'application/json',
        payload: envelopeSchema(event.type, event.schemaVersion, event.dataSchema),
        'x-sse-event': event.type,
        'x-personal-fields': event.personalFields,
        'x-audience': event.audience,
      },
    ]),
  );
  messages.StreamError = {
    name: 'error',
    title: 'Stream error',
    summary:
      'Last frame before the server closes the stream (e.g. RATE_LIMITED/SLOW_CONSUMER); reconnect to resume.',
    contentType: 'application/json',
    payload: STREAM_ERROR_SCHEMA,
    'x-sse-event': 'error',
  };
  const messageRefs = Object.keys(messages).map((name) => ({
    $ref: `#/channels/${CHANNEL}/messages/${name}`,
  }));
  return {
    asyncapi: '3.0.0',
    info: {
      title: 'Chronicle integrator events',
      version,
      description:
        'Public events as Server-Sent Events (text/event-stream). Each event is sent with `id: <position>`, ' +
        '`event: <type>` and `data: <JSON envelope>`; reconnect with `Last-Event-ID` (or `?after=`) to resume ' +
        'with no gap and no duplicate. Comment lines (`: keep-alive`) are heartbeats.',
    },
    defaultContentType: 'application/json',
    channels: {
      [CHANNEL]: {
        address: '/events',
        title: 'Integrator event stream',
        description: 'Catch-up from `after` (exclusive), then live.',
        messages: Object.fromEntries(
          Object.keys(messages).map((name) => [name, { $ref: `#/components/messages/${name}` }]),
        ),
      },
    },
    operations: {
      streamEvents: {
        action: 'send',
        channel: { $ref: `#/channels/${CHANNEL}` },
        summary: 'GET /events: public events in position order',
        messages: messageRefs,
        security: [{ $ref: '#/components/securitySchemes/bearer' }],
        bindings: {
          http: {
            method: 'GET',
            query: {
              type: 'object',
              properties: {
                after: { type: 'string', pattern: '^\\d+$', description: 'Resume after this position.' },
                streamPrefix: { type: 'string', description: 'Only streams whose name starts with this.' },
                types: { type: 'string', description: 'Comma-separated public event types.' },
              },
            },
            bindingVersion: '0.3.0',
          },
        },
      },
    },
    components: {
      messages,
      securitySchemes: {
        bearer: {
          type: 'http',
          scheme: 'bearer',
          description: 'An API key (`chr_…`) with the events:read scope, or an admin access token.',
        },
      },
    },
  };
}
