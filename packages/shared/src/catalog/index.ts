import { amplitude } from './amplitude';
import { mixpanel } from './mixpanel';
import { posthog } from './posthog';
import { slack } from './slack';
import type { DestinationType } from './types';
import { webhook } from './webhook';

export { AMPLITUDE_ENDPOINTS, AmplitudeConfig, amplitude } from './amplitude';
export { MIXPANEL_HOSTS, MixpanelConfig, mixpanel } from './mixpanel';
export { POSTHOG_EU_HOST, POSTHOG_US_HOST, PostHogConfig, posthog } from './posthog';
export { renderTemplate, SLACK_WEBHOOK_HOST, SlackConfig, slack } from './slack';
export * from './types';
export { WebhookConfig, webhook } from './webhook';

/** Every destination type Keel can deliver to, by id. */
export const destinationCatalog: Readonly<Record<string, DestinationType>> = {
  [webhook.id]: webhook as unknown as DestinationType,
  [amplitude.id]: amplitude as unknown as DestinationType,
  [mixpanel.id]: mixpanel as unknown as DestinationType,
  [posthog.id]: posthog as unknown as DestinationType,
  [slack.id]: slack as unknown as DestinationType,
};

export function findDestinationType(id: string): DestinationType | undefined {
  return Object.hasOwn(destinationCatalog, id) ? destinationCatalog[id] : undefined;
}
