export function Logo({ withName = true }: { withName?: boolean }) {
  return (
    <span className="inline-flex items-center gap-2 font-semibold tracking-tight text-ink-900">
      <svg width="26" height="26" viewBox="0 0 32 32" aria-hidden>
        <rect width="32" height="32" rx="8" fill="#2a55e0" />
        <path d="M7 19.5h18l-3.2 5H10.2z" fill="#fff" />
        <path d="M16 6v12M16 8.5l6.5 8H16" stroke="#fff" strokeWidth="2" strokeLinejoin="round" fill="none" />
      </svg>
      {withName ? <span className="text-[17px]">Keel</span> : null}
    </span>
  );
}
