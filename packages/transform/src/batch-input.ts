import type { TransformationMetadata } from '@keel/shared';

/**
 * Serialises a batch for the sandbox runtime. Metadata is the same for every event of a batch
 * but for `messageId`, so it travels once with a list of message ids (measured: sending it per
 * event was a fifth of the JSON the sandbox had to parse for small events); a batch whose
 * metadata differs in more than that falls back to one object per event.
 */
export function encodeBatch(events: readonly unknown[], metadata: readonly TransformationMetadata[]): string {
  const first = metadata[0];
  if (first && metadata.every((m) => sameExceptMessageId(m, first))) {
    const { messageId: _messageId, ...shared } = first;
    return JSON.stringify({ events, shared, messageIds: metadata.map((m) => m.messageId) });
  }
  return JSON.stringify({ events, metadata });
}

function sameExceptMessageId(a: TransformationMetadata, b: TransformationMetadata): boolean {
  return (
    a.sourceId === b.sourceId &&
    a.sourceName === b.sourceName &&
    a.destinationId === b.destinationId &&
    a.destinationType === b.destinationType
  );
}
