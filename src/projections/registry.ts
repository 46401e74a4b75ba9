import type { Projection } from './projection.ts';
import { streamCatalogue } from './read-models/stream-catalogue.ts';

/** Every projection the projector runs. A bounded context adds its read models here. */
export const projections: readonly Projection[] = [streamCatalogue];
