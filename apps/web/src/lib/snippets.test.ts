import { describe, expect, it } from 'vitest';
import { installSnippets } from './snippets';

describe('installSnippets', () => {
  it('fills every snippet with the write key and the data-plane URL', () => {
    const snippets = installSnippets('wk_0123456789abcdefghijklmnopqrstuv', 'https://events.example.com');
    expect(snippets.map((s) => s.id)).toEqual(['javascript', 'node', 'curl']);
    for (const s of snippets) {
      expect(s.code).toContain('wk_0123456789abcdefghijklmnopqrstuv');
      expect(s.code).toContain('https://events.example.com');
    }
    const curl = snippets.find((s) => s.id === 'curl')?.code ?? '';
    expect(curl).toContain("-u 'wk_0123456789abcdefghijklmnopqrstuv:'");
    expect(curl).toContain("'https://events.example.com/v1/track'");
  });
});
