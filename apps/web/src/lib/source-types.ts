import type { SourceType } from '@keel/shared';

export const SOURCE_TYPES: Record<SourceType, { title: string; description: string; badge: string }> = {
  javascript: {
    title: 'JavaScript',
    description: 'A website or web app, with the RudderStack or Segment browser SDK.',
    badge: 'JS',
  },
  server: {
    title: 'Server',
    description: 'A back end in Node.js or any language with a RudderStack or Segment SDK.',
    badge: 'SV',
  },
  http: {
    title: 'HTTP API',
    description: 'Anything that can POST JSON: scripts, jobs, devices.',
    badge: 'API',
  },
  webhook: {
    title: 'Webhook',
    description: 'Another service that calls a URL when something happens.',
    badge: 'WH',
  },
};
