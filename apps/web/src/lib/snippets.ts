export interface Snippet {
  id: 'javascript' | 'node' | 'curl';
  label: string;
  code: string;
}

/** Install snippets for each SDK, filled in with a real write key and the gateway URL. */
export function installSnippets(writeKey: string, dataPlaneUrl: string): Snippet[] {
  return [
    {
      id: 'javascript',
      label: 'JavaScript (browser)',
      code: `// npm install @rudderstack/analytics-js
import { RudderAnalytics } from '@rudderstack/analytics-js';

const analytics = new RudderAnalytics();
analytics.load('${writeKey}', '${dataPlaneUrl}', {
  configUrl: '${dataPlaneUrl}',
  polyfillIfRequired: false,
});

analytics.page();
analytics.track('Signed Up', { plan: 'pro' });`,
    },
    {
      id: 'node',
      label: 'Node.js',
      code: `// npm install @rudderstack/rudder-sdk-node
import Analytics from '@rudderstack/rudder-sdk-node';

const client = new Analytics('${writeKey}', {
  dataPlaneUrl: '${dataPlaneUrl}',
  errorHandler: (error) => console.error('Keel: could not send events', error),
});

client.track({ userId: 'user-123', event: 'Order Completed', properties: { revenue: 42 } });
await client.flush();`,
    },
    {
      id: 'curl',
      label: 'curl',
      code: `curl -X POST '${dataPlaneUrl}/v1/track' \\
  -u '${writeKey}:' \\
  -H 'Content-Type: application/json' \\
  -d '{"userId":"user-123","event":"Order Completed","properties":{"revenue":42}}'`,
    },
  ];
}
