'use client';

import type { KeyboardEvent } from 'react';

export type Health = 'healthy' | 'retrying' | 'failing' | 'off';

export const HEALTH_COLORS: Record<Health, string> = {
  healthy: '#16a06a',
  retrying: '#d08a0b',
  failing: '#d8453f',
  off: '#a3abba',
};
const HEALTH_LABELS: Record<Health, string> = {
  healthy: 'healthy',
  retrying: 'retrying',
  failing: 'failing',
  off: 'disabled',
};

interface Node {
  id: string;
  name: string;
  detail: string;
  enabled: boolean;
}
export interface Edge {
  id: string;
  sourceId: string;
  destinationId: string;
  health: Health;
}

const W = 760;
const NODE_W = 220;
const NODE_H = 48;
const GAP = 14;

function truncate(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

/** Sources on the left, destinations on the right, one line per connection coloured by health. */
export function ConnectionGraph({
  sources,
  destinations,
  edges,
  selected,
  onSelect,
}: {
  sources: Node[];
  destinations: Node[];
  edges: Edge[];
  selected: string | null;
  onSelect: (edgeId: string) => void;
}) {
  const rows = Math.max(sources.length, destinations.length, 1);
  const H = rows * (NODE_H + GAP) + 30;
  const yOf = (index: number, count: number) => {
    const offset = ((rows - count) * (NODE_H + GAP)) / 2;
    return 30 + offset + index * (NODE_H + GAP) + NODE_H / 2;
  };
  const sourceY = new Map(sources.map((s, i) => [s.id, yOf(i, sources.length)]));
  const destY = new Map(destinations.map((d, i) => [d.id, yOf(i, destinations.length)]));
  const nameOf = (list: Node[], id: string) => list.find((n) => n.id === id)?.name ?? id;
  const onKey = (e: KeyboardEvent, id: string) => {
    if (e.key === 'Enter' || e.key === ' ') {
      e.preventDefault();
      onSelect(id);
    }
  };

  return (
    <svg viewBox={`0 0 ${W} ${H}`} className="h-auto w-full" aria-labelledby="graph-title">
      <title id="graph-title">Connections between sources and destinations</title>
      <text x={0} y={16} fontSize="12" fontWeight="600" fill="var(--color-ink-500)">
        SOURCES
      </text>
      <text x={W} y={16} fontSize="12" fontWeight="600" textAnchor="end" fill="var(--color-ink-500)">
        DESTINATIONS
      </text>
      {edges.map((e) => {
        const y1 = sourceY.get(e.sourceId);
        const y2 = destY.get(e.destinationId);
        if (y1 === undefined || y2 === undefined) return null;
        const x1 = NODE_W;
        const x2 = W - NODE_W;
        const mid = (x1 + x2) / 2;
        const d = `M${x1} ${y1} C${mid} ${y1}, ${mid} ${y2}, ${x2} ${y2}`;
        const isSelected = selected === e.id;
        return (
          // biome-ignore lint/a11y/useSemanticElements: an SVG path cannot be a <button>
          <g
            key={e.id}
            role="button"
            tabIndex={0}
            aria-pressed={isSelected}
            aria-label={`${nameOf(sources, e.sourceId)} to ${nameOf(destinations, e.destinationId)}: ${HEALTH_LABELS[e.health]}`}
            onClick={() => onSelect(e.id)}
            onKeyDown={(k) => onKey(k, e.id)}
            className="cursor-pointer focus:outline-none [&:focus-visible>path:last-child]:stroke-[6]"
          >
            <path d={d} stroke="transparent" strokeWidth="14" fill="none" />
            <path
              d={d}
              stroke={HEALTH_COLORS[e.health]}
              strokeWidth={isSelected ? 4.5 : 2.5}
              strokeDasharray={e.health === 'off' ? '6 5' : undefined}
              fill="none"
              strokeLinecap="round"
            />
          </g>
        );
      })}
      {[
        { list: sources, x: 0, ys: sourceY },
        { list: destinations, x: W - NODE_W, ys: destY },
      ].map(({ list, x, ys }) =>
        list.map((n) => {
          const y = (ys.get(n.id) ?? 0) - NODE_H / 2;
          return (
            <g key={n.id} opacity={n.enabled ? 1 : 0.6}>
              <rect
                x={x}
                y={y}
                width={NODE_W}
                height={NODE_H}
                rx="8"
                fill="white"
                stroke="var(--color-ink-300)"
              />
              <text x={x + 12} y={y + 20} fontSize="13" fontWeight="600" fill="var(--color-ink-900)">
                {truncate(n.name, 26)}
              </text>
              <text x={x + 12} y={y + 37} fontSize="11" fill="var(--color-ink-500)">
                {truncate(n.detail, 32)}
                {n.enabled ? '' : ' · disabled'}
              </text>
            </g>
          );
        }),
      )}
    </svg>
  );
}

export function HealthLegend() {
  return (
    <ul className="flex flex-wrap gap-x-4 gap-y-1 text-xs text-ink-600" aria-label="Line colours">
      {(Object.keys(HEALTH_COLORS) as Health[]).map((h) => (
        <li key={h} className="inline-flex items-center gap-1.5">
          <span
            aria-hidden
            className="inline-block h-1 w-5 rounded"
            style={{ background: HEALTH_COLORS[h] }}
          />
          {HEALTH_LABELS[h]}
        </li>
      ))}
    </ul>
  );
}
