import type {
  ConfigTransformation,
  StoredEvent,
  TransformationMetadata,
  TransformationOutcome,
} from '@keel/shared';

/**
 * The seam between the processor and the user-transformation sandbox (packages/transform).
 * The processor hands over, per connection, the events that passed the filters, and gets back
 * one outcome per input event, in the same order.
 */
export interface UserTransformer {
  run(
    transformation: ConfigTransformation,
    events: readonly StoredEvent[],
    metadataOf: (event: StoredEvent) => TransformationMetadata,
  ): Promise<TransformationOutcome[]>;
  close(): Promise<void>;
}
