'use client';

import type { ReactNode } from 'react';
import { errorMessage } from '../../lib/errors';
import { Button } from './button';

/** A placeholder in the shape of the content that is loading. */
export function Loading({ label = 'Loading', rows = 3 }: { label?: string; rows?: number }) {
  return (
    <div role="status" aria-live="polite" className="space-y-3 py-2">
      <span className="sr-only">{label}…</span>
      {Array.from({ length: rows }, (_, i) => (
        // biome-ignore lint/suspicious/noArrayIndexKey: placeholder rows have no identity
        <div key={i} className="skeleton h-9" style={{ width: `${100 - i * 12}%` }} />
      ))}
    </div>
  );
}

export function EmptyState({
  title,
  description,
  action,
  icon,
}: {
  title: string;
  description?: ReactNode;
  action?: ReactNode;
  icon?: ReactNode;
}) {
  return (
    <div className="flex flex-col items-center rounded-lg border border-dashed border-ink-300 bg-white px-6 py-10 text-center">
      <div aria-hidden className="mb-3 text-ink-400">
        {icon ?? (
          <svg width="40" height="40" viewBox="0 0 40 40" fill="none" aria-hidden="true">
            <rect x="6" y="10" width="28" height="22" rx="4" stroke="currentColor" strokeWidth="2" />
            <path d="M6 17h28" stroke="currentColor" strokeWidth="2" />
          </svg>
        )}
      </div>
      <h3 className="text-[15px] font-semibold text-ink-900">{title}</h3>
      {description ? <p className="mt-1 max-w-md text-sm text-ink-600">{description}</p> : null}
      {action ? <div className="mt-4">{action}</div> : null}
    </div>
  );
}

/** Shows the server's own message, and a retry where one makes sense. */
export function ErrorState({
  error,
  title = 'This could not be loaded',
  onRetry,
}: {
  error: unknown;
  title?: string;
  onRetry?: () => void;
}) {
  return (
    <div role="alert" className="rounded-lg border border-bad-600/30 bg-bad-50 px-5 py-4">
      <h3 className="text-sm font-semibold text-bad-700">{title}</h3>
      <p className="mt-1 text-sm text-ink-800">{errorMessage(error)}</p>
      {onRetry ? (
        <Button size="sm" className="mt-3" onClick={onRetry}>
          Try again
        </Button>
      ) : null}
    </div>
  );
}

/** Renders the loading, error or ready state of a query. */
export function QueryState<T>({
  query,
  loadingLabel,
  stateClassName,
  children,
}: {
  query: { data: T | undefined; error: unknown; isPending: boolean; refetch: () => unknown };
  loadingLabel?: string;
  /** Wraps the error and loading states, e.g. with padding inside an unpadded card. */
  stateClassName?: string;
  children: (data: T) => ReactNode;
}) {
  const state = query.error ? (
    <ErrorState error={query.error} onRetry={() => void query.refetch()} />
  ) : query.isPending || query.data === undefined ? (
    <Loading label={loadingLabel} />
  ) : undefined;
  if (state) return stateClassName ? <div className={stateClassName}>{state}</div> : state;
  return <>{children(query.data as T)}</>;
}
