'use client';

import { useQuery } from '@tanstack/react-query';
import { useParams, usePathname, useRouter } from 'next/navigation';
import { type ReactNode, useEffect } from 'react';
import { Logo } from '../../../components/logo';
import { AppShell } from '../../../components/shell/app-shell';
import { WorkspaceContext } from '../../../components/shell/workspace-context';
import { ErrorState, Loading } from '../../../components/ui/states';
import { errorCodeOf } from '../../../lib/errors';
import { useTRPC } from '../../../lib/trpc';

export default function WorkspaceLayout({ children }: { children: ReactNode }) {
  const { workspaceId } = useParams<{ workspaceId: string }>();
  const trpc = useTRPC();
  const router = useRouter();
  const pathname = usePathname();
  const me = useQuery(trpc.auth.me.queryOptions());
  const signedOut = errorCodeOf(me.error) === 'UNAUTHORIZED';

  useEffect(() => {
    if (signedOut) router.replace(`/login?next=${encodeURIComponent(pathname ?? '/')}`);
  }, [signedOut, router, pathname]);

  if (me.error && !signedOut) {
    return (
      <Centered>
        <ErrorState error={me.error} onRetry={() => void me.refetch()} />
      </Centered>
    );
  }
  if (!me.data) {
    return (
      <Centered>
        <Loading label="Loading your workspace" rows={2} />
      </Centered>
    );
  }
  const current = me.data.workspaces.find((w) => w.id === workspaceId);
  if (!current) {
    return (
      <Centered>
        <ErrorState
          title="Workspace not found"
          error="This workspace does not exist, or you are not one of its members. Pick another from the list, or ask an owner to invite you."
          onRetry={() => router.replace('/')}
        />
      </Centered>
    );
  }
  const info = { id: current.id, name: current.name, role: current.role, user: me.data.user };
  return (
    <WorkspaceContext.Provider value={info}>
      <AppShell workspace={info} workspaces={me.data.workspaces}>
        {children}
      </AppShell>
    </WorkspaceContext.Provider>
  );
}

function Centered({ children }: { children: ReactNode }) {
  return (
    <main className="flex min-h-screen flex-col items-center justify-center gap-6 px-4">
      <Logo />
      <div className="w-full max-w-md">{children}</div>
    </main>
  );
}
