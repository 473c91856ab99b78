import { describe, expect, it } from 'vitest';
import { connectionHealth } from './health';

const on = { connectionEnabled: true, sourceEnabled: true, destinationEnabled: true };

describe('connectionHealth', () => {
  it('is off when the connection, its source or its destination is disabled', () => {
    expect(connectionHealth({ ...on, connectionEnabled: false, errors: [] })).toBe('off');
    expect(connectionHealth({ ...on, sourceEnabled: false, errors: [] })).toBe('off');
    expect(
      connectionHealth({ ...on, destinationEnabled: false, errors: [{ status: 'aborted', count: 3 }] }),
    ).toBe('off');
  });
  it('ranks aborted above retrying, and ignores drops', () => {
    expect(connectionHealth({ ...on, errors: [{ status: 'dropped', count: 9 }] })).toBe('healthy');
    expect(connectionHealth({ ...on, errors: [{ status: 'retrying', count: 2 }] })).toBe('retrying');
    expect(
      connectionHealth({
        ...on,
        errors: [
          { status: 'retrying', count: 2 },
          { status: 'aborted', count: 1 },
        ],
      }),
    ).toBe('failing');
  });
});
