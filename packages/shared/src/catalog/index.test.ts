import { describe, expect, it } from 'vitest';
import { destinationCatalog } from './index';
import { secretFieldsOf } from './types';

describe('destination catalog', () => {
  it('registers each entry under its own id', () => {
    for (const [id, type] of Object.entries(destinationCatalog)) expect(type.id).toBe(id);
    expect(Object.keys(destinationCatalog)).toEqual(
      expect.arrayContaining(['webhook', 'amplitude', 'mixpanel', 'posthog', 'slack']),
    );
  });

  it('keeps every config schema free of object-level refinements, so forms can omit kept secrets', () => {
    for (const type of Object.values(destinationCatalog)) {
      const secrets = secretFieldsOf(type.configSchema);
      const mask = Object.fromEntries(secrets.map((name) => [name, true])) as Record<string, true>;
      expect(() => type.configSchema.omit(mask), type.id).not.toThrow();
    }
  });
});
