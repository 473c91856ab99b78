'use client';

import { useQuery } from '@tanstack/react-query';
import { useRouter } from 'next/navigation';
import { useEffect } from 'react';
import { Logo } from '../components/logo';
import { ErrorState, Loading } from '../components/ui/states';
import { errorCodeOf } from '../lib/errors';
import { useTRPC } from '../lib/trpc';

/** Sends people where they belong: first-run setup, sign-in, or their first workspace. */
export default function Home() {
  const trpc = useTRPC();
  const router = useRouter();
  const me = useQuery(trpc.auth.me.queryOptions());
  const signedOut = errorCodeOf(me.error) === 'UNAUTHORIZED';
  const setup = useQuery({ ...trpc.auth.setupStatus.queryOptions(), enabled: signedOut });

  useEffect(() => {
    const first = me.data?.workspaces[0];
    if (first) router.replace(`/w/${first.id}`);
    else if (setup.data) router.replace(setup.data.needsOwner ? '/setup' : '/login');
  }, [me.data, setup.data, router]);

  const error = (me.error && !signedOut ? me.error : null) ?? setup.error;
  return (
    <main className="flex min-h-screen flex-col items-center justify-center gap-6 px-4">
      <Logo />
      <div className="w-full max-w-sm">
        {error ? (
          <ErrorState error={error} title="Keel could not start" onRetry={() => void me.refetch()} />
        ) : me.data && me.data.workspaces.length === 0 ? (
          <p className="text-center text-sm text-ink-600">
            You are not a member of any workspace yet. Ask an owner to invite you.
          </p>
        ) : (
          <Loading label="Opening Keel" rows={1} />
        )}
      </div>
    </main>
  );
}
