import { describe, expect, it } from 'vitest';
import { connectionHealth } from './health';

const on = { connectionEnabled: true, sourceEnabled: true, destinationEnabled: true };
const counts = (delivered: number, retrying: number, aborted: number) => ({ delivered, retrying, aborted });

describe('connectionHealth', () => {
  it('is off when the connection, its source or its destination is disabled', () => {
    expect(connectionHealth({ ...on, connectionEnabled: false, counts: undefined })).toBe('off');
    expect(connectionHealth({ ...on, sourceEnabled: false, counts: counts(5, 0, 0) })).toBe('off');
    expect(connectionHealth({ ...on, destinationEnabled: false, counts: counts(0, 0, 3) })).toBe('off');
  });
  it('is healthy without traffic or when everything was delivered', () => {
    expect(connectionHealth({ ...on, counts: undefined })).toBe('healthy');
    expect(connectionHealth({ ...on, counts: counts(100, 0, 0) })).toBe('healthy');
  });
  it('fails when many events are aborted, and warns on retries or a few aborts', () => {
    expect(connectionHealth({ ...on, counts: counts(0, 0, 1) })).toBe('failing');
    expect(connectionHealth({ ...on, counts: counts(50, 0, 20) })).toBe('failing');
    expect(connectionHealth({ ...on, counts: counts(100, 0, 2) })).toBe('retrying');
    expect(connectionHealth({ ...on, counts: counts(100, 4, 0) })).toBe('retrying');
  });
});
