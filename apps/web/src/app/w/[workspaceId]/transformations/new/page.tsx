'use client';

import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useRouter } from 'next/navigation';
import { type FormEvent, useState } from 'react';
import { CodeEditor } from '../../../../../components/code-editor';
import { useWorkspace } from '../../../../../components/shell/workspace-context';
import { Button } from '../../../../../components/ui/button';
import { Card, PageHeader } from '../../../../../components/ui/card';
import { SelectField, TextField } from '../../../../../components/ui/field';
import { FormError } from '../../../../../components/ui/form-error';
import { QueryState } from '../../../../../components/ui/states';
import { fieldErrorsOf } from '../../../../../lib/errors';
import { useTRPC } from '../../../../../lib/trpc';

const BLANK = `export function transformEvent(event, metadata) {
  // Return the event (changed or not), an array of events, or null to drop it.
  return event;
}
`;

export default function NewTransformationPage() {
  const trpc = useTRPC();
  const router = useRouter();
  const queryClient = useQueryClient();
  const workspace = useWorkspace();
  const templates = useQuery(trpc.transformations.templates.queryOptions({ workspaceId: workspace.id }));
  const [name, setName] = useState('');
  const [description, setDescription] = useState('');
  const [template, setTemplate] = useState('');
  const [code, setCode] = useState(BLANK);
  const create = useMutation(
    trpc.transformations.create.mutationOptions({
      onSuccess: async (t) => {
        await queryClient.invalidateQueries({ queryKey: trpc.transformations.list.queryKey() });
        router.push(`/w/${workspace.id}/transformations/${t.id}`);
      },
    }),
  );
  const errors = fieldErrorsOf(create.error);
  const submit = (e: FormEvent) => {
    e.preventDefault();
    create.mutate({ workspaceId: workspace.id, name, description, code });
  };
  return (
    <>
      <PageHeader eyebrow="Transformations" title="New transformation" />
      <form onSubmit={submit} className="space-y-5" noValidate>
        <Card>
          <div className="grid gap-4 md:grid-cols-2">
            <TextField
              label="Name"
              value={name}
              error={errors.name}
              onChange={(e) => setName(e.target.value)}
            />
            <QueryState query={templates} loadingLabel="Loading templates">
              {(list) => (
                <SelectField
                  label="Start from"
                  value={template}
                  onChange={(e) => {
                    setTemplate(e.target.value);
                    setCode(list.find((t) => t.id === e.target.value)?.code ?? BLANK);
                  }}
                  help={list.find((t) => t.id === template)?.description}
                  options={[
                    { value: '', label: 'A blank transformation' },
                    ...list.map((t) => ({ value: t.id, label: t.name })),
                  ]}
                />
              )}
            </QueryState>
            <div className="md:col-span-2">
              <TextField
                label="Description (optional)"
                value={description}
                error={errors.description}
                onChange={(e) => setDescription(e.target.value)}
              />
            </div>
          </div>
        </Card>
        <Card title="Code">
          <CodeEditor label="Transformation code" value={code} onChange={setCode} />
          {errors.code ? <p className="mt-2 text-sm text-bad-700">{errors.code}</p> : null}
        </Card>
        <FormError error={create.error} fieldErrors={errors} className="whitespace-pre-wrap" />
        <Button
          type="submit"
          variant="primary"
          busy={create.isPending}
          disabledReason={workspace.denied('editor')}
        >
          Create and publish v1
        </Button>
      </form>
    </>
  );
}
