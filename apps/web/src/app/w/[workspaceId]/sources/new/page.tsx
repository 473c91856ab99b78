'use client';

import { SourceType } from '@keel/shared';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useRouter } from 'next/navigation';
import { type FormEvent, useState } from 'react';
import { useWorkspace } from '../../../../../components/shell/workspace-context';
import { TypeBadge } from '../../../../../components/type-badge';
import { Button, ButtonLink } from '../../../../../components/ui/button';
import { Card, PageHeader } from '../../../../../components/ui/card';
import { cx } from '../../../../../components/ui/cx';
import { TextField } from '../../../../../components/ui/field';
import { errorMessage, fieldErrorsOf } from '../../../../../lib/errors';
import { SOURCE_TYPES } from '../../../../../lib/source-types';
import { useTRPC } from '../../../../../lib/trpc';

export default function NewSourcePage() {
  const trpc = useTRPC();
  const router = useRouter();
  const queryClient = useQueryClient();
  const workspace = useWorkspace();
  const [type, setType] = useState<SourceType>('javascript');
  const [name, setName] = useState('');
  const create = useMutation(
    trpc.sources.create.mutationOptions({
      onSuccess: async (source) => {
        await queryClient.invalidateQueries({ queryKey: trpc.sources.list.queryKey() });
        router.push(`/w/${workspace.id}/sources/${source.id}`);
      },
    }),
  );
  const errors = fieldErrorsOf(create.error);
  const denied = workspace.denied('editor');
  const submit = (e: FormEvent) => {
    e.preventDefault();
    create.mutate({ workspaceId: workspace.id, name, type });
  };

  return (
    <>
      <PageHeader
        eyebrow="Sources"
        title="Add a source"
        description="Choose what will send events, then name it."
      />
      <form onSubmit={submit} noValidate className="space-y-6">
        <Card title="Type">
          <fieldset>
            <legend className="sr-only">Source type</legend>
            <div className="grid gap-3 sm:grid-cols-2">
              {SourceType.options.map((t) => (
                <label
                  key={t}
                  className={cx(
                    'flex cursor-pointer items-start gap-3 rounded-lg border p-4 has-[:focus-visible]:ring-2 has-[:focus-visible]:ring-brand-500',
                    type === t ? 'border-brand-500 bg-brand-50/60' : 'border-ink-200 hover:border-ink-300',
                  )}
                >
                  <input
                    type="radio"
                    name="source-type"
                    value={t}
                    checked={type === t}
                    onChange={() => setType(t)}
                    className="sr-only"
                  />
                  <TypeBadge code={SOURCE_TYPES[t].badge} />
                  <span>
                    <span className="block text-sm font-semibold">{SOURCE_TYPES[t].title}</span>
                    <span className="block text-sm text-ink-600">{SOURCE_TYPES[t].description}</span>
                  </span>
                </label>
              ))}
            </div>
          </fieldset>
        </Card>
        <Card title="Name">
          <div className="max-w-md">
            <TextField
              label="Source name"
              placeholder="Marketing site"
              value={name}
              error={errors.name}
              onChange={(e) => setName(e.target.value)}
              help="Shown in lists and in the connections graph."
            />
          </div>
        </Card>
        {create.error && !errors.name ? (
          <p role="alert" className="text-sm font-medium text-bad-700">
            {errorMessage(create.error)}
          </p>
        ) : null}
        <div className="flex flex-wrap gap-2">
          <Button type="submit" variant="primary" busy={create.isPending} disabledReason={denied}>
            Create source
          </Button>
          <ButtonLink href={`/w/${workspace.id}/sources`}>Cancel</ButtonLink>
        </div>
      </form>
    </>
  );
}
