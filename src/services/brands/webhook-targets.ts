import type { Channel } from '../../domain/brands/brand-values.ts';
import { validation } from '../../domain/shared/domain-error.ts';
import { type OutboundPolicy, STRICT_OUTBOUND_POLICY } from '../../net/outbound-policy.ts';
import { targetRefusal } from '../../net/target-check.ts';

/**
 * Refuses webhook channels Chronicle must not deliver to, when a brand's channels are set: a
 * scheme other than http(s), credentials in the URL, a host that is (or, resolved now, leads to)
 * an internal address the deployment does not allow. Done here rather than in the decider because
 * it depends on the deployment's allow-list and on DNS; delivery checks again after resolving
 * (src/net/outbound-post.ts), since what a name resolves to can change at any time.
 */
export async function requireAllowedWebhookTargets(
  channels: readonly Channel[],
  policy: OutboundPolicy = STRICT_OUTBOUND_POLICY,
): Promise<void> {
  for (const channel of channels) {
    if (channel.kind !== 'webhook') continue;
    const refusal = await targetRefusal(channel.url, policy);
    if (refusal) {
      throw validation('WEBHOOK_TARGET_NOT_ALLOWED', `Webhook URL refused: ${refusal.message}`, {
        url: channel.url,
        problem: refusal.problem,
      });
    }
  }
}
