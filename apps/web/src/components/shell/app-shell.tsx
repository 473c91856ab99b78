'use client';

import { useMutation, useQueryClient } from '@tanstack/react-query';
import Link from 'next/link';
import { usePathname, useRouter } from 'next/navigation';
import { type ReactNode, useEffect, useId, useState } from 'react';
import { useTRPC } from '../../lib/trpc';
import { Logo } from '../logo';
import { cx } from '../ui/cx';
import { NavIcon } from './icons';
import type { WorkspaceInfo } from './workspace-context';

const NAV = [
  { href: '', label: 'Overview', icon: 'overview' },
  { href: '/sources', label: 'Sources', icon: 'sources' },
  { href: '/destinations', label: 'Destinations', icon: 'destinations' },
  { href: '/connections', label: 'Connections', icon: 'connections' },
  { href: '/transformations', label: 'Transformations', icon: 'transformations' },
  { href: '/delivery', label: 'Delivery', icon: 'delivery' },
  { href: '/failed-events', label: 'Failed events', icon: 'failed' },
  { href: '/live', label: 'Live events', icon: 'live' },
  { href: '/settings', label: 'Settings', icon: 'settings' },
];

export function AppShell({
  workspace,
  workspaces,
  children,
}: {
  workspace: WorkspaceInfo;
  workspaces: Array<{ id: string; name: string; role: string }>;
  children: ReactNode;
}) {
  const pathname = usePathname();
  const [menuOpen, setMenuOpen] = useState(false);
  const base = `/w/${workspace.id}`;
  const navId = useId();

  useEffect(() => {
    // Close the small-screen menu after navigating.
    if (pathname) setMenuOpen(false);
  }, [pathname]);

  const nav = (
    <nav aria-label="Main" id={navId} className="space-y-0.5">
      {NAV.map((item) => {
        const href = `${base}${item.href}`;
        const active = item.href === '' ? pathname === base : pathname?.startsWith(href);
        return (
          <Link
            key={item.label}
            href={href}
            aria-current={active ? 'page' : undefined}
            className={cx(
              'flex items-center gap-2.5 rounded-md px-2.5 py-2 text-sm font-medium',
              active ? 'bg-brand-50 text-brand-700' : 'text-ink-700 hover:bg-ink-100 hover:text-ink-900',
            )}
          >
            <NavIcon name={item.icon} />
            {item.label}
          </Link>
        );
      })}
    </nav>
  );

  return (
    <div className="min-h-screen lg:grid lg:grid-cols-[15.5rem_1fr]">
      <a
        href="#main"
        className="sr-only focus:not-sr-only focus:fixed focus:left-3 focus:top-3 focus:z-50 focus:rounded focus:bg-white focus:px-3 focus:py-2 focus:shadow"
      >
        Skip to content
      </a>
      <header className="sticky top-0 z-30 flex items-center justify-between border-b border-ink-200 bg-white px-4 py-2.5 lg:hidden">
        <Logo />
        <button
          type="button"
          aria-expanded={menuOpen}
          aria-controls={`${navId}-mobile`}
          onClick={() => setMenuOpen((o) => !o)}
          className="rounded-md border border-ink-300 px-3 py-1.5 text-sm font-medium"
        >
          {menuOpen ? 'Close' : 'Menu'}
        </button>
      </header>
      {menuOpen ? (
        <div id={`${navId}-mobile`} className="border-b border-ink-200 bg-white px-3 py-3 lg:hidden">
          <WorkspaceSwitcher workspace={workspace} workspaces={workspaces} />
          <div className="mt-3">{nav}</div>
          <UserBox workspace={workspace} />
        </div>
      ) : null}
      <aside className="hidden border-r border-ink-200 bg-white lg:block">
        <div className="sticky top-0 flex h-screen flex-col px-3 py-4">
          <div className="px-2 pb-4">
            <Logo />
          </div>
          <WorkspaceSwitcher workspace={workspace} workspaces={workspaces} />
          <div className="mt-4 flex-1 overflow-y-auto">{nav}</div>
          <UserBox workspace={workspace} />
        </div>
      </aside>
      <main id="main" className="min-w-0 px-4 py-6 sm:px-8 lg:py-8">
        <div className="mx-auto max-w-6xl">{children}</div>
      </main>
    </div>
  );
}

function WorkspaceSwitcher({
  workspace,
  workspaces,
}: {
  workspace: WorkspaceInfo;
  workspaces: Array<{ id: string; name: string; role: string }>;
}) {
  const router = useRouter();
  const id = useId();
  return (
    <div className="px-1">
      <label htmlFor={id} className="mb-1 block text-xs font-medium uppercase tracking-wide text-ink-500">
        Workspace
      </label>
      <select
        id={id}
        value={workspace.id}
        onChange={(e) => router.push(`/w/${e.target.value}`)}
        className="h-9 w-full rounded-md border border-ink-300 bg-white px-2 text-sm font-medium"
      >
        {workspaces.map((w) => (
          <option key={w.id} value={w.id}>
            {w.name} ({w.role})
          </option>
        ))}
      </select>
    </div>
  );
}

function UserBox({ workspace }: { workspace: WorkspaceInfo }) {
  const trpc = useTRPC();
  const router = useRouter();
  const queryClient = useQueryClient();
  const logout = useMutation(
    trpc.auth.logout.mutationOptions({
      onSuccess: () => {
        queryClient.clear();
        router.replace('/login');
      },
    }),
  );
  return (
    <div className="mt-4 flex items-center justify-between gap-2 border-t border-ink-100 px-2 pt-3">
      <div className="min-w-0">
        <div className="truncate text-sm font-medium">{workspace.user?.name ?? 'API token'}</div>
        <div className="truncate text-xs text-ink-500">
          {workspace.user?.email} · {workspace.role}
        </div>
      </div>
      <button
        type="button"
        onClick={() => logout.mutate()}
        className="shrink-0 whitespace-nowrap rounded-md px-2 py-1 text-xs font-medium text-ink-600 hover:bg-ink-100 hover:text-ink-900"
      >
        Sign out
      </button>
    </div>
  );
}
