'use client';

import { useQuery } from '@tanstack/react-query';
import Link from 'next/link';
import { useId, useState } from 'react';
import { useWorkspace } from '../../../../../components/shell/workspace-context';
import { TypeBadge } from '../../../../../components/type-badge';
import { Badge, PageHeader } from '../../../../../components/ui/card';
import { controlClass } from '../../../../../components/ui/field';
import { EmptyState, QueryState } from '../../../../../components/ui/states';
import { destinationBadge } from '../../../../../lib/destination-badges';
import { useTRPC } from '../../../../../lib/trpc';

/** The destination catalog: every type Keel can deliver to, searchable. */
export default function DestinationCatalogPage() {
  const trpc = useTRPC();
  const workspace = useWorkspace();
  const types = useQuery(trpc.destinations.types.queryOptions());
  const [search, setSearch] = useState('');
  const searchId = useId();
  const denied = workspace.denied('editor');
  return (
    <>
      <PageHeader
        eyebrow="Destinations"
        title="Add a destination"
        description="Choose where events should go."
      />
      {denied ? <p className="mb-4 text-sm text-ink-500">Adding destinations: {denied}</p> : null}
      <div className="mb-5 max-w-md">
        <label htmlFor={searchId} className="mb-1.5 block text-sm font-medium">
          Search the catalog
        </label>
        <input
          id={searchId}
          type="search"
          value={search}
          onChange={(e) => setSearch(e.target.value)}
          placeholder="Webhook, analytics, storage…"
          className={controlClass(false, 'h-9')}
        />
      </div>
      <QueryState query={types} loadingLabel="Loading the catalog">
        {(all) => {
          const q = search.trim().toLowerCase();
          const shown = all.filter((t) =>
            [t.title, t.description, t.category, t.id].some((s) => s.toLowerCase().includes(q)),
          );
          if (shown.length === 0) {
            return <EmptyState title="Nothing matches" description={`No destination matches “${search}”.`} />;
          }
          return (
            <ul className="grid gap-4 sm:grid-cols-2 lg:grid-cols-3">
              {shown.map((t) => (
                <li key={t.id}>
                  <Link
                    href={denied ? '#' : `/w/${workspace.id}/destinations/new/${t.id}`}
                    aria-disabled={denied ? true : undefined}
                    className="flex h-full flex-col rounded-lg border border-ink-200 bg-white p-4 shadow-sm hover:border-brand-500 aria-disabled:pointer-events-none aria-disabled:opacity-60"
                  >
                    <span className="flex items-center gap-3">
                      <TypeBadge code={destinationBadge(t.id)} tone="ink" />
                      <span className="font-semibold">{t.title}</span>
                      <span className="ml-auto">
                        <Badge>{t.category}</Badge>
                      </span>
                    </span>
                    <span className="mt-3 text-sm text-ink-600">{t.description}</span>
                    {t.supportsTestConnection ? (
                      <span className="mt-3 text-xs text-ink-500">Supports test connection</span>
                    ) : null}
                  </Link>
                </li>
              ))}
            </ul>
          );
        }}
      </QueryState>
    </>
  );
}
