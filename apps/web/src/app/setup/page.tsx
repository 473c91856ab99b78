'use client';

import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useRouter } from 'next/navigation';
import { type FormEvent, useEffect, useState } from 'react';
import { AuthFrame } from '../../components/auth-frame';
import { NewPasswordField } from '../../components/new-password-field';
import { Button } from '../../components/ui/button';
import { TextField } from '../../components/ui/field';
import { FormError } from '../../components/ui/form-error';
import { ErrorState, Loading } from '../../components/ui/states';
import { fieldErrorsOf } from '../../lib/errors';
import { fieldBinder } from '../../lib/form';
import { useTRPC } from '../../lib/trpc';

/** First run: create the owner account and the first workspace. */
export default function SetupPage() {
  const trpc = useTRPC();
  const router = useRouter();
  const queryClient = useQueryClient();
  const status = useQuery(trpc.auth.setupStatus.queryOptions());
  const [form, setForm] = useState({ name: '', email: '', password: '', workspaceName: 'My workspace' });
  const create = useMutation(
    trpc.auth.createOwner.mutationOptions({
      onSuccess: (result) => {
        // "Who am I" was cached while signed out.
        queryClient.removeQueries({ queryKey: trpc.auth.me.queryKey() });
        router.replace(`/w/${result.workspaceId}`);
      },
    }),
  );
  const created = create.isSuccess;
  useEffect(() => {
    if (status.data && !status.data.needsOwner && !created) router.replace('/login');
  }, [status.data, created, router]);

  const errors = fieldErrorsOf(create.error);
  const bind = fieldBinder(form, setForm, errors);
  const submit = (e: FormEvent) => {
    e.preventDefault();
    create.mutate(form);
  };
  return (
    <AuthFrame title="Set up Keel" subtitle="Create the owner account. You can invite your team afterwards.">
      {status.error ? (
        <ErrorState error={status.error} onRetry={() => void status.refetch()} />
      ) : status.isPending ? (
        <Loading rows={4} />
      ) : (
        <form onSubmit={submit} className="space-y-4" noValidate>
          <TextField label="Your name" autoComplete="name" {...bind('name')} />
          <TextField label="Work email" type="email" autoComplete="email" {...bind('email')} />
          <NewPasswordField {...bind('password')} />
          <TextField label="Workspace name" {...bind('workspaceName')} />
          <FormError error={create.error} fieldErrors={errors} />
          <Button type="submit" variant="primary" className="w-full" busy={create.isPending}>
            Create owner account
          </Button>
        </form>
      )}
    </AuthFrame>
  );
}
