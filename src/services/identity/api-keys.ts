import { randomUUID } from 'node:crypto';
import { newApiKeyToken } from '../../auth/api-key-tokens.ts';
import { apiKeyStream } from '../../domain/identity/streams.ts';
import { commandIdFor, envelope, execute, nowFrom, type RequestContext } from '../shared/command-context.ts';
import { apiKeys } from './aggregates.ts';
import type { IdentityDeps } from './context.ts';
import { createApiKeyInput, idInput } from './inputs.ts';

/** A new key for an integrator. The returned token is shown once; only its hash is stored. */
export async function createApiKey(deps: IdentityDeps, context: RequestContext, raw: unknown) {
  const input = createApiKeyInput.parse(raw);
  const keyId = randomUUID();
  const { token, hash, prefix } = newApiKeyToken(keyId);
  const result = await execute(
    deps,
    apiKeys,
    apiKeyStream(keyId),
    envelope(context, commandIdFor(context, 'createApiKey'), nowFrom(deps), {
      type: 'CreateApiKey' as const,
      keyId,
      name: input.name,
      scopes: input.scopes,
      tokenHash: hash,
      prefix,
    }),
  );
  return { keyId, token, prefix, position: result.position };
}

export async function revokeApiKey(deps: IdentityDeps, context: RequestContext, raw: unknown) {
  const parsed = idInput.parse(raw);
  const { id } = parsed;
  return execute(
    deps,
    apiKeys,
    apiKeyStream(id),
    envelope(context, commandIdFor(context, `revokeApiKey:${id}`, parsed), nowFrom(deps), {
      type: 'RevokeApiKey' as const,
    }),
  );
}
