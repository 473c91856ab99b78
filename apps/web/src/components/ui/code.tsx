'use client';

import { useState } from 'react';
import { Button } from './button';
import { cx } from './cx';

export function CopyButton({
  text,
  label = 'Copy',
  ariaLabel,
  size = 'sm',
}: {
  text: string;
  label?: string;
  /** A longer name for screen readers, when the visible label is short. */
  ariaLabel?: string;
  size?: 'sm' | 'md';
}) {
  const [copied, setCopied] = useState(false);
  return (
    <Button
      size={size}
      aria-label={copied ? 'Copied' : ariaLabel}
      onClick={async () => {
        await copyText(text);
        setCopied(true);
        setTimeout(() => setCopied(false), 1800);
      }}
    >
      <span aria-live="polite">{copied ? 'Copied' : label}</span>
    </Button>
  );
}

/** Clipboard API where allowed; a hidden textarea otherwise (plain-HTTP self-hosting). */
async function copyText(text: string): Promise<void> {
  if (navigator.clipboard && window.isSecureContext) {
    await navigator.clipboard.writeText(text);
    return;
  }
  const area = document.createElement('textarea');
  area.value = text;
  area.setAttribute('readonly', '');
  area.style.position = 'fixed';
  area.style.opacity = '0';
  document.body.appendChild(area);
  area.select();
  document.execCommand('copy');
  area.remove();
}

export function CodeBlock({ code, label, className }: { code: string; label: string; className?: string }) {
  return (
    <div className={cx('relative min-w-0 rounded-lg border border-ink-800 bg-ink-900', className)}>
      <div className="flex items-center justify-between border-b border-ink-700 px-3 py-1.5">
        <span className="text-xs font-medium text-ink-300">{label}</span>
        <CopyButton text={code} label={`Copy ${label}`} />
      </div>
      <pre
        // biome-ignore lint/a11y/noNoninteractiveTabindex: scrollable code must be keyboard-reachable
        tabIndex={0}
        className="relative overflow-x-auto p-4 font-mono text-[12.5px] leading-relaxed text-ink-100"
      >
        <code>{code}</code>
      </pre>
    </div>
  );
}

export function Json({ value, label }: { value: unknown; label: string }) {
  return <CodeBlock label={label} code={value === undefined ? '—' : JSON.stringify(value, null, 2)} />;
}
