const paths: Record<string, string> = {
  overview: 'M3 10.5 10 4l7 6.5V17a1 1 0 0 1-1 1h-4v-5H8v5H4a1 1 0 0 1-1-1z',
  sources: 'M4 5h12M4 10h12M4 15h7',
  destinations: 'M4 10h10m-4-5 5 5-5 5',
  connections: 'M5 5a2 2 0 1 0 0 .1M15 15a2 2 0 1 0 0 .1M6.5 6.5l7 7M5 15a2 2 0 1 0 0 .1M6.5 14l7-7',
  transformations: 'm7 6-4 4 4 4m6-8 4 4-4 4',
  delivery: 'M3 16h14M5 13V9m4 4V5m4 8v-6m4 6v-3',
  failed: 'M10 6v5m0 3v.5M3.5 16.5 10 4l6.5 12.5z',
  live: 'M2.5 10h3l2-5 4 10 2-5h4',
  settings:
    'M10 12.5a2.5 2.5 0 1 0 0-5 2.5 2.5 0 0 0 0 5M10 2.5v2m0 11v2m7.5-7.5h-2m-11 0h-2m12.8-5.3-1.4 1.4m-7.8 7.8-1.4 1.4m10.6 0-1.4-1.4M5.7 5.7 4.3 4.3',
};

export function NavIcon({ name }: { name: keyof typeof paths | string }) {
  return (
    <svg width="18" height="18" viewBox="0 0 20 20" fill="none" aria-hidden className="shrink-0">
      <path
        d={paths[name] ?? paths.overview}
        stroke="currentColor"
        strokeWidth="1.6"
        strokeLinecap="round"
        strokeLinejoin="round"
      />
    </svg>
  );
}
