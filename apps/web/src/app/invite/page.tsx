'use client';

import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import Link from 'next/link';
import { useRouter, useSearchParams } from 'next/navigation';
import { type FormEvent, Suspense, useEffect, useState } from 'react';
import { AuthFrame } from '../../components/auth-frame';
import { NewPasswordField } from '../../components/new-password-field';
import { Button } from '../../components/ui/button';
import { TextField } from '../../components/ui/field';
import { FormError } from '../../components/ui/form-error';
import { ErrorState, Loading } from '../../components/ui/states';
import { errorCodeOf, errorMessage, fieldErrorsOf } from '../../lib/errors';
import { fieldBinder } from '../../lib/form';
import { useTRPC } from '../../lib/trpc';

function Invitation() {
  const token = useSearchParams().get('token') ?? '';
  const trpc = useTRPC();
  const router = useRouter();
  const queryClient = useQueryClient();
  const me = useQuery(trpc.auth.me.queryOptions());
  const preview = useMutation(trpc.invitations.preview.mutationOptions());
  const { mutate: loadPreview } = preview;
  useEffect(() => {
    if (token) loadPreview({ token });
  }, [token, loadPreview]);
  const joined = (workspaceId: string) => {
    queryClient.removeQueries();
    router.replace(`/w/${workspaceId}`);
  };
  const accept = useMutation(
    trpc.invitations.accept.mutationOptions({ onSuccess: (r) => joined(r.workspaceId) }),
  );
  const signUp = useMutation(
    trpc.invitations.acceptWithSignUp.mutationOptions({ onSuccess: (r) => joined(r.workspaceId) }),
  );
  const [form, setForm] = useState({ name: '', email: '', password: '' });
  const errors = fieldErrorsOf(signUp.error);
  const bind = fieldBinder(form, setForm, errors);

  if (!token) {
    return (
      <ErrorState
        title="This link is incomplete"
        error="Open the whole invitation link you were sent; it ends with ?token=…"
      />
    );
  }
  if (preview.error) return <ErrorState title="This invitation cannot be used" error={preview.error} />;
  if (!preview.data || me.isPending) return <Loading label="Checking the invitation" rows={2} />;
  const invite = preview.data;
  const signedIn = me.data?.user;
  const submit = (e: FormEvent) => {
    e.preventDefault();
    signUp.mutate({ token, ...form, email: invite.email ?? form.email });
  };
  return (
    <div className="space-y-5">
      <p className="text-sm text-ink-700">
        You are invited to <strong>{invite.workspaceName}</strong> as <strong>{invite.role}</strong>
        {invite.email ? (
          <>
            {' '}
            (for <strong>{invite.email}</strong>)
          </>
        ) : null}
        .
      </p>
      {signedIn ? (
        <>
          <Button
            variant="primary"
            className="w-full"
            busy={accept.isPending}
            onClick={() => accept.mutate({ token })}
          >
            Join as {signedIn.email}
          </Button>
          {accept.error ? (
            <p role="alert" className="text-sm text-bad-700">
              {errorMessage(accept.error)}
            </p>
          ) : null}
        </>
      ) : (
        <form className="space-y-4" onSubmit={submit} noValidate>
          <TextField label="Your name" autoComplete="name" {...bind('name')} />
          <TextField
            label="Email"
            type="email"
            autoComplete="email"
            {...bind('email')}
            value={invite.email ?? form.email}
            readOnly={Boolean(invite.email)}
          />
          <NewPasswordField {...bind('password')} />
          <FormError error={signUp.error} fieldErrors={errors} />
          <Button type="submit" variant="primary" className="w-full" busy={signUp.isPending}>
            Create account and join
          </Button>
          <p className="text-center text-xs text-ink-500">
            Already have an account?{' '}
            <Link
              className="text-brand-700 underline"
              href={`/login?next=${encodeURIComponent(`/invite?token=${token}`)}`}
            >
              Sign in first
            </Link>
          </p>
        </form>
      )}
      {me.error && errorCodeOf(me.error) !== 'UNAUTHORIZED' ? <ErrorState error={me.error} /> : null}
    </div>
  );
}

export default function InvitePage() {
  return (
    <AuthFrame title="Join a Keel workspace">
      <Suspense>
        <Invitation />
      </Suspense>
    </AuthFrame>
  );
}
