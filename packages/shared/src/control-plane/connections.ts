import { z } from 'zod';
import { FilterMode } from '../workspace-config';
import { IdInput } from './common';

const EventName = z.string().trim().min(1, 'an event name cannot be empty').max(200);
const ConsentCategory = z.string().trim().min(1, 'a consent category cannot be empty').max(200);
/** A connection's allow or deny list. */
export const FilterEvents = z.array(EventName).max(1000, 'list at most 1,000 events');
/** The consent categories an event must have granted to be delivered. */
export const ConsentCategories = z.array(ConsentCategory).max(100, 'list at most 100 categories');

const options = {
  enabled: z.boolean(),
  /** `allow`: only the listed events pass; `deny`: the listed events are dropped. */
  filterMode: FilterMode,
  filterEvents: FilterEvents,
  consentCategories: ConsentCategories,
  /** Per-user ordering: a user's later events wait while an earlier one is retried. */
  orderingEnabled: z.boolean(),
  /** The user transformation version that runs on this connection; null for none. */
  transformationVersionId: z.string().min(1).nullable(),
};

export const CreateConnectionInput = z.object({
  sourceId: z.string().min(1, 'choose a source'),
  destinationId: z.string().min(1, 'choose a destination'),
  enabled: options.enabled.default(true),
  filterMode: options.filterMode.default('none'),
  filterEvents: options.filterEvents.default([]),
  consentCategories: options.consentCategories.default([]),
  orderingEnabled: options.orderingEnabled.default(true),
  transformationVersionId: options.transformationVersionId.default(null),
});
export type CreateConnectionInput = z.infer<typeof CreateConnectionInput>;
export const UpdateConnectionInput = z.object({
  id: z.string().min(1),
  version: z.number().int(),
  enabled: options.enabled.optional(),
  filterMode: options.filterMode.optional(),
  filterEvents: options.filterEvents.optional(),
  consentCategories: options.consentCategories.optional(),
  orderingEnabled: options.orderingEnabled.optional(),
  transformationVersionId: options.transformationVersionId.optional(),
});
export type UpdateConnectionInput = z.infer<typeof UpdateConnectionInput>;
export const ConnectionIdInput = IdInput;

/** The connections of a source, of a destination, of both, or (neither given) of the workspace. */
export const ListConnectionsInput = z.object({
  sourceId: z.string().min(1).optional(),
  destinationId: z.string().min(1).optional(),
});
