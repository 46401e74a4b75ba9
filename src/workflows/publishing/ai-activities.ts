import { activeClaims } from '../../domain/brands/brand-state.ts';
import { type ContentMetadata, fieldListOf, fieldTexts } from '../../domain/content/content-values.ts';
import { notFound } from '../../domain/shared/domain-error.ts';
import type { PublishingDeps } from '../../services/publishing-deps.ts';
import {
  asActivity,
  generateOnce,
  issue,
  loadBrand,
  loadContent,
  note,
  withHeartbeat,
} from './activity-support.ts';
import type { PublicationPlan, SagaRef, Verdict } from './types.ts';

/** Longest text the claims review takes; longer content is refused rather than half reviewed. */
const REVIEWABLE_CHARACTERS = 50_000;

/** The steps that ask the AI provider: each generation is recorded, and made once per step. */
export function createAiActivities(deps: PublishingDeps) {
  return {
    /** The claims review against the brand's guardrails and the master claims of its country. */
    reviewCompliance(ref: SagaRef, plan: PublicationPlan): Promise<Verdict> {
      return asActivity(async () => {
        const brand = await loadBrand(deps, plan.brandId);
        if (!brand) throw notFound('BRAND_NOT_FOUND', `No brand ${plan.brandId}`);
        const text = textOf(plan);
        if (text.length > REVIEWABLE_CHARACTERS) {
          return {
            ok: false,
            reasons: [`The content is longer than the ${REVIEWABLE_CHARACTERS} characters a review covers`],
          };
        }
        const masterClaims = activeClaims(brand)
          .filter((claim) => claim.country === brand.country)
          .map(({ claimId, text: claimText }) => ({ claimId, text: claimText }));
        const review = await withHeartbeat((signal) =>
          generateOnce(
            deps,
            ref,
            'compliance',
            {
              kind: 'claims_review',
              input: { text, country: brand.country, guardrails: brand.identity.guardrails, masterClaims },
              brandId: brand.brandId,
              contentId: ref.contentId,
            },
            signal,
          ),
        );
        const { compliant, issues } = review.output;
        if (compliant) return { ok: true };
        return { ok: false, reasons: issues.map((issue) => note(`${issue.explanation} “${issue.excerpt}”`)) };
      });
    },

    /** SEO metadata for the published version, recorded on the content (undone by `revertMetadata`). */
    generateMetadata(ref: SagaRef, plan: PublicationPlan): Promise<ContentMetadata> {
      return asActivity(async () => {
        const brand = await loadBrand(deps, plan.brandId);
        if (!brand) throw notFound('BRAND_NOT_FOUND', `No brand ${plan.brandId}`);
        const generation = await withHeartbeat((signal) =>
          generateOnce(
            deps,
            ref,
            'metadata',
            {
              kind: 'metadata',
              input: {
                title: plan.title,
                text: fieldTexts(fieldListOf(plan.fields)).join('\n\n').slice(0, REVIEWABLE_CHARACTERS),
                language: brand.language,
              },
              brandId: brand.brandId,
              contentId: ref.contentId,
            },
            signal,
          ),
        );
        await issue(deps, ref, 'metadata', {
          type: 'RecordMetadata',
          publicationId: ref.publicationId,
          metadata: generation.output,
        });
        // The first metadata recorded for a publication stands; return that one.
        const publication = (await loadContent(deps, ref.contentId)).publication;
        return publication?.metadata?.generated ?? generation.output;
      });
    },
  };
}

/** A plan made before fields became a list holds them as a record: `fieldListOf` reads both. */
function textOf(plan: PublicationPlan): string {
  return [plan.title, ...fieldTexts(fieldListOf(plan.fields))]
    .filter((part) => part.trim() !== '')
    .join('\n\n');
}
