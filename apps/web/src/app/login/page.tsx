'use client';

import { useMutation, useQueryClient } from '@tanstack/react-query';
import Link from 'next/link';
import { useRouter, useSearchParams } from 'next/navigation';
import { type FormEvent, Suspense, useState } from 'react';
import { AuthFrame } from '../../components/auth-frame';
import { Button } from '../../components/ui/button';
import { TextField } from '../../components/ui/field';
import { FormError } from '../../components/ui/form-error';
import { fieldErrorsOf } from '../../lib/errors';
import { fieldBinder } from '../../lib/form';
import { useTRPC } from '../../lib/trpc';

function LoginForm() {
  const trpc = useTRPC();
  const router = useRouter();
  const next = useSearchParams().get('next');
  const queryClient = useQueryClient();
  const [form, setForm] = useState({ email: '', password: '' });
  const login = useMutation(
    trpc.auth.login.mutationOptions({
      onSuccess: () => {
        // Everything cached so far was fetched signed out.
        queryClient.removeQueries();
        // Only same-site paths, so a crafted link cannot send people elsewhere.
        router.replace(next?.startsWith('/') && !next.startsWith('//') ? next : '/');
      },
    }),
  );
  const errors = fieldErrorsOf(login.error);
  const bind = fieldBinder(form, setForm, errors);
  const submit = (e: FormEvent) => {
    e.preventDefault();
    login.mutate(form);
  };
  return (
    <form onSubmit={submit} className="space-y-4" noValidate>
      <TextField label="Email" type="email" autoComplete="email" {...bind('email')} />
      <TextField label="Password" type="password" autoComplete="current-password" {...bind('password')} />
      <FormError error={login.error} fieldErrors={errors} />
      <Button type="submit" variant="primary" className="w-full" busy={login.isPending}>
        Sign in
      </Button>
      <p className="text-center text-xs text-ink-500">
        New here? Ask a workspace owner for an invitation, or{' '}
        <Link className="text-brand-700 underline" href="/setup">
          set up Keel
        </Link>{' '}
        if this is a new install.
      </p>
    </form>
  );
}

export default function LoginPage() {
  return (
    <AuthFrame title="Sign in to Keel">
      <Suspense>
        <LoginForm />
      </Suspense>
    </AuthFrame>
  );
}
