import { zodResponseFormat } from 'openai/helpers/zod';
import type { ResponseFormatJSONSchema } from 'openai/resources/shared';
import type { z } from 'zod';

/**
 * A structured-outputs `response_format` from the zod schema the reply is later parsed with.
 *
 * Strict mode accepts only a subset of JSON Schema and rejects `minLength`/`maxLength`, so those
 * move into the property's description: the model is told the limit, and the same zod schema
 * enforces it on the reply.
 */
export function responseFormatFor(name: string, schema: z.ZodType): ResponseFormatJSONSchema {
  const { json_schema } = zodResponseFormat(schema, name);
  return {
    type: 'json_schema',
    json_schema: { ...json_schema, schema: describeLengthLimits(json_schema.schema ?? {}) },
  };
}

function describeLengthLimits(node: unknown): Record<string, unknown> {
  if (!isRecord(node)) return {};
  const result: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(node)) {
    if (key === 'minLength' || key === 'maxLength') continue;
    result[key] = transform(value);
  }
  const limits = [
    typeof node.minLength === 'number' && node.minLength > 0 ? `at least ${node.minLength}` : undefined,
    typeof node.maxLength === 'number' ? `at most ${node.maxLength}` : undefined,
  ].filter((limit) => limit !== undefined);
  if (limits.length > 0) {
    const sentence = `${capitalize(limits.join(' and '))} characters.`;
    result.description = typeof node.description === 'string' ? `${node.description} ${sentence}` : sentence;
  }
  return result;
}

function transform(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(transform);
  return isRecord(value) ? describeLengthLimits(value) : value;
}

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

const capitalize = (text: string) => text.charAt(0).toUpperCase() + text.slice(1);

export type ParsedReply<Output> =
  | { ok: true; output: Output }
  | { ok: false; reason: 'not_json' | 'schema_mismatch'; detail: string };

/**
 * Parses a reply's content: JSON, then `prepare` (fits near-misses, see the tasks), then the schema.
 */
export function parseReply<Output>(
  content: string,
  schema: z.ZodType<Output>,
  prepare: (raw: unknown) => unknown = (raw) => raw,
): ParsedReply<Output> {
  let raw: unknown;
  try {
    raw = JSON.parse(content);
  } catch (error) {
    return { ok: false, reason: 'not_json', detail: error instanceof Error ? error.message : String(error) };
  }
  const parsed = schema.safeParse(prepare(raw));
  if (parsed.success) return { ok: true, output: parsed.data };
  const detail = parsed.error.issues
    .slice(0, 5)
    .map((issue) => `${issue.path.join('.') || 'reply'}: ${issue.message}`)
    .join('; ');
  return { ok: false, reason: 'schema_mismatch', detail };
}
