import { createServer, type IncomingMessage } from 'node:http';
import { z } from 'zod';

/**
 * A real HTTP server answering OpenAI's `POST /v1/moderations` like the real one: one result per
 * request, `flagged` with the categories named by `flag` for inputs whose text contains a trigger
 * word, and a scripted error status when told. Every request body is recorded.
 */
export interface ModerationServer {
  baseUrl: string;
  requests: { path: string; authorization: string | undefined; body: ModerationRequest }[];
  /** Text containing `trigger` is flagged in `categories`. */
  flag(trigger: string, categories: string[]): void;
  /** The next `times` requests answer `status` with OpenAI's error body. */
  fail(status: number, times?: number): void;
  close(): Promise<void>;
}

const moderationRequest = z.object({
  model: z.string().optional(),
  input: z.union([
    z.string(),
    z.array(
      z.union([
        z.object({ type: z.literal('text'), text: z.string() }),
        z.object({ type: z.literal('image_url'), image_url: z.object({ url: z.string() }) }),
      ]),
    ),
  ]),
});
export type ModerationRequest = z.infer<typeof moderationRequest>;

const CATEGORIES = ['harassment', 'hate', 'self-harm', 'sexual', 'violence', 'violence/graphic', 'illicit'];

export async function startModerationServer(): Promise<ModerationServer> {
  const triggers = new Map<string, string[]>();
  const failures: number[] = [];
  const requests: ModerationServer['requests'] = [];
  const server = createServer(async (request, response) => {
    const body = moderationRequest.parse(JSON.parse(await readBody(request)));
    requests.push({ path: request.url ?? '', authorization: request.headers.authorization, body });
    const status = failures.shift();
    if (status) {
      response.writeHead(status, { 'content-type': 'application/json' });
      response.end(JSON.stringify({ error: { message: `scripted ${status}`, type: 'test', code: null } }));
      return;
    }
    const texts = (typeof body.input === 'string' ? [body.input] : body.input)
      .map((input) => (typeof input === 'string' ? input : input.type === 'text' ? input.text : ''))
      .join(' ');
    const hit = [...triggers].find(([trigger]) => texts.includes(trigger))?.[1] ?? [];
    const categories = Object.fromEntries(CATEGORIES.map((category) => [category, hit.includes(category)]));
    const scores = Object.fromEntries(
      CATEGORIES.map((category) => [category, hit.includes(category) ? 0.97 : 0.001]),
    );
    response.writeHead(200, { 'content-type': 'application/json' });
    response.end(
      JSON.stringify({
        id: `modr-${requests.length}`,
        model: body.model ?? 'omni-moderation-latest',
        results: [
          {
            flagged: hit.length > 0,
            categories,
            category_scores: scores,
            category_applied_input_types: Object.fromEntries(
              CATEGORIES.map((category) => [category, ['text']]),
            ),
          },
        ],
      }),
    );
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('the server has no TCP address');
  return {
    baseUrl: `http://127.0.0.1:${address.port}/v1`,
    requests,
    flag: (trigger, categories) => triggers.set(trigger, categories),
    fail: (status, times = 1) => failures.push(...Array.from({ length: times }, () => status)),
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

async function readBody(request: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk));
  return Buffer.concat(chunks).toString('utf8');
}
