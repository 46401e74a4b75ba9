import { notFound } from '../../domain/shared/domain-error.ts';
import type { RequestContext } from '../../services/shared/command-context.ts';
import type { RequestScope } from '../request-scope.ts';
import { toBrand } from './mappers.ts';
import { brandViewerOf, findBrand } from './read-model-queries.ts';

/** The brand as the caller may see it, or null when they may not. */
export async function brandView(scope: RequestScope, caller: RequestContext, brandId: string) {
  const viewer = brandViewerOf(caller.actor);
  const row = await findBrand(scope.services.pool, viewer, brandId);
  return row ? toBrand(row, viewer.admin, scope.publishing.authSecret) : null;
}

/** A mutation answers with the brand; a caller who just left it (removed themselves) no longer sees it. */
export function brandOrNotFound<T>(brand: T | null): T {
  if (brand === null) throw notFound('BRAND_NOT_FOUND', 'The brand is not visible to you');
  return brand;
}
