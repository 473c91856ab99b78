import type { DeliveryRequest } from '@keel/shared';

export const MASKED = '********';

/**
 * Masks each secret wherever it appears in `text`: as written, URL-encoded (a Slack webhook
 * path) and JSON-escaped (an API key inside a JSON body).
 */
export function maskSecrets(text: string, secrets: readonly string[]): string {
  let masked = text;
  for (const secret of secrets) {
    const forms = new Set([secret, encodeURIComponent(secret), JSON.stringify(secret).slice(1, -1)]);
    for (const form of forms) if (form.length > 0) masked = masked.split(form).join(MASKED);
  }
  return masked;
}

/** The request as failed events and live samples show it: no secret anywhere in it. */
export function redactRequest(
  request: DeliveryRequest,
  secrets: readonly string[],
): { method: string; url: string; headers: Record<string, string>; body: unknown } {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(request.headers)) {
    headers[name] = name === 'authorization' ? MASKED : maskSecrets(value, secrets);
  }
  let body: unknown = request.body;
  if (typeof request.body === 'string') {
    const text = maskSecrets(request.body, secrets);
    try {
      body = JSON.parse(text);
    } catch {
      body = text;
    }
  }
  return { method: request.method, url: maskSecrets(request.url, secrets), headers, body };
}
