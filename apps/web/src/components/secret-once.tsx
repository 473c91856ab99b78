'use client';

import { Button } from './ui/button';
import { CopyButton } from './ui/code';

/** A token or link that the server returns once and never again. */
export function SecretOnce({ label, value, onDone }: { label: string; value: string; onDone: () => void }) {
  return (
    <div role="status" className="rounded-lg border border-warn-600/40 bg-warn-50 p-4">
      <p className="text-sm font-semibold text-warn-700">{label}: copy it now. It will not be shown again.</p>
      <div className="mt-3 flex flex-wrap items-center gap-2">
        <code
          className="min-w-0 flex-1 break-all rounded-md bg-white px-3 py-2 font-mono text-[13px]"
          data-testid="secret-once"
        >
          {value}
        </code>
        <CopyButton text={value} ariaLabel={`Copy ${label.toLowerCase()}`} size="md" />
        <Button onClick={onDone}>Done</Button>
      </div>
    </div>
  );
}
