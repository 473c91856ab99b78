import { cx } from './ui/cx';

/** A square with a short code standing in for a source or destination type's logo. */
export function TypeBadge({ code, tone = 'brand' }: { code: string; tone?: 'brand' | 'ink' }) {
  return (
    <span
      aria-hidden
      className={cx(
        'inline-flex h-9 w-9 shrink-0 items-center justify-center rounded-lg text-[11px] font-bold tracking-wide',
        tone === 'brand' ? 'bg-brand-100 text-brand-800' : 'bg-ink-800 text-white',
      )}
    >
      {code}
    </span>
  );
}
