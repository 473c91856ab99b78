import { describe, expect, it } from 'vitest';
import { FailedEvent } from './data-plane-api';

describe('FailedEvent', () => {
  const pushed = {
    id: 'fe_1',
    workspaceId: 'ws_1',
    sourceId: 'src_1',
    destinationId: 'dst_1',
    messageId: 'm1',
    errorCode: '400',
    attempts: 1,
    payload: { method: 'POST', url: 'https://example.com', headers: {}, body: {} },
    request: null,
    response: null,
    failedAt: '2026-11-26T10:00:00.000Z',
  };

  it('accepts a failed event from a data plane that sends no user key or event label, as nulls', () => {
    expect(FailedEvent.parse(pushed)).toMatchObject({ userKey: null, eventLabel: null });
  });

  it('keeps the user key and event label a data plane sends', () => {
    expect(
      FailedEvent.parse({ ...pushed, userKey: 'u3', eventLabel: 'track · Order Completed' }),
    ).toMatchObject({ userKey: 'u3', eventLabel: 'track · Order Completed' });
  });
});
