import type { ConfigConnection, ConfigDestination, DestinationType, StoredEvent } from '@keel/shared';

/** Why the processor dropped an event for a destination; reported as the drop's error code. */
export type DropReason =
  | 'duplicate'
  | 'invalid-payload'
  | 'source-not-found'
  | 'integrations'
  | 'event-filter'
  | 'consent'
  | 'unsupported-type'
  | 'transformation'
  | 'transformation-failed'
  | 'transformer-unavailable'
  | 'unknown-destination-type'
  | 'invalid-destination-config'
  | 'destination-transform';

/**
 * Stage 1, the `integrations` object: a destination named by its own name, its type's id or
 * its type's title follows that entry (`false` turns it off); otherwise `All` decides, and
 * an absent `All` means on.
 */
export function integrationsAllow(event: StoredEvent, destination: ConfigDestination): boolean {
  const integrations = event.integrations;
  if (!integrations) return true;
  const names = [
    destination.name,
    destination.destinationDefinition.name,
    destination.destinationDefinition.displayName,
  ].map((n) => n.toLowerCase());
  for (const [key, value] of Object.entries(integrations)) {
    if (key !== 'All' && names.includes(key.toLowerCase())) return value !== false;
  }
  return integrations.All !== false;
}

/**
 * Whether a stored event may carry an `integrations` object, told from its text without parsing
 * it: the gateway stores JSON.stringify's output, which writes that key as it is. False means
 * stage 1 lets the event through to every destination.
 */
export function mayHaveIntegrations(payload: string): boolean {
  return payload.includes('"integrations"');
}

/** Stage 2, the connection's allow or deny list of track event names; other types pass. */
export function eventFilterAllows(event: StoredEvent, connection: ConfigConnection): boolean {
  if (connection.filterMode === 'none' || event.type !== 'track') return true;
  const name = typeof event.event === 'string' ? event.event : '';
  const listed = connection.filterEvents.includes(name);
  return connection.filterMode === 'allow' ? listed : !listed;
}

function stringArray(value: unknown): string[] {
  return Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : [];
}

/**
 * Stage 3, consent, as RudderStack resolves `context.consentManagement`: with the "and"
 * strategy (OneTrust, Ketch and the default) an event is dropped when any of the connection's
 * categories is among `deniedConsentIds`; with "or" (custom providers) only when all of them
 * are. A connection without categories, or an event without consent data, passes.
 */
export function consentAllows(event: StoredEvent, connection: ConfigConnection): boolean {
  const categories = connection.consentCategories;
  if (categories.length === 0) return true;
  const consent = event.context?.consentManagement;
  if (!consent || typeof consent !== 'object') return true;
  const { deniedConsentIds, resolutionStrategy } = consent as Record<string, unknown>;
  const denied = new Set(stringArray(deniedConsentIds));
  if (denied.size === 0) return true;
  if (resolutionStrategy === 'or') return !categories.every((c) => denied.has(c));
  return !categories.some((c) => denied.has(c));
}

/** Stage 4, the destination type's supported message types. */
export function typeSupported(event: StoredEvent, type: DestinationType): boolean {
  return type.supportedMessageTypes.includes(event.type);
}
