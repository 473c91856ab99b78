'use client';

import { FilterMode } from '@keel/shared';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import type { inferRouterOutputs } from '@trpc/server';
import { type FormEvent, useState } from 'react';
import { useWorkspace } from '../../../../components/shell/workspace-context';
import { Button } from '../../../../components/ui/button';
import { Card } from '../../../../components/ui/card';
import { SelectField, TextAreaField, TextField, Toggle } from '../../../../components/ui/field';
import { FormError } from '../../../../components/ui/form-error';
import { useToast } from '../../../../components/ui/toast';
import { errorMessage, fieldErrorsOf } from '../../../../lib/errors';
import { fieldBinder } from '../../../../lib/form';
import { type AppRouter, useTRPC } from '../../../../lib/trpc';

type Connection = inferRouterOutputs<AppRouter>['connections']['list'][number];

const FILTER_LABELS: Record<FilterMode, string> = {
  none: 'Every event',
  allow: 'Only the listed events',
  deny: 'All but the listed events',
};

function lines(text: string, separator: RegExp): string[] {
  return text
    .split(separator)
    .map((s) => s.trim())
    .filter(Boolean);
}

export function ConnectionOptions({
  connection,
  sourceName,
  destinationName,
  onDeleted,
}: {
  connection: Connection;
  sourceName: string;
  destinationName: string;
  onDeleted: () => void;
}) {
  const trpc = useTRPC();
  const toast = useToast();
  const queryClient = useQueryClient();
  const workspace = useWorkspace();
  const denied = workspace.denied('editor');
  const transformations = useQuery(trpc.transformations.list.queryOptions({ workspaceId: workspace.id }));
  const [form, setForm] = useState({
    enabled: connection.enabled,
    filterMode: connection.filterMode,
    filterEvents: connection.filterEvents.join('\n'),
    consentCategories: connection.consentCategories.join(', '),
    orderingEnabled: connection.orderingEnabled,
    transformationVersionId: connection.transformationVersionId ?? '',
  });
  const refresh = () => queryClient.invalidateQueries({ queryKey: trpc.connections.list.queryKey() });
  const update = useMutation(
    trpc.connections.update.mutationOptions({
      onSuccess: async () => {
        await refresh();
        toast('Connection saved.');
      },
    }),
  );
  const remove = useMutation(
    trpc.connections.delete.mutationOptions({
      onSuccess: async () => {
        await refresh();
        toast('Disconnected.');
        onDeleted();
      },
      onError: (e) => toast(errorMessage(e), 'bad'),
    }),
  );
  const errors = fieldErrorsOf(update.error);
  const bind = fieldBinder(form, setForm, errors);
  const submit = (e: FormEvent) => {
    e.preventDefault();
    update.mutate({
      workspaceId: workspace.id,
      id: connection.id,
      version: connection.version,
      enabled: form.enabled,
      filterMode: form.filterMode,
      filterEvents: lines(form.filterEvents, /\n/),
      consentCategories: lines(form.consentCategories, /[,\n]/),
      orderingEnabled: form.orderingEnabled,
      transformationVersionId: form.transformationVersionId || null,
    });
  };
  const transformationOptions = [
    { value: '', label: 'None' },
    ...(transformations.data ?? []).map((t) => ({
      value: t.latestVersion.id,
      label: `${t.name} (v${t.latestVersion.number})`,
    })),
  ];
  if (
    form.transformationVersionId &&
    !transformationOptions.some((o) => o.value === form.transformationVersionId)
  ) {
    transformationOptions.push({ value: form.transformationVersionId, label: 'An older version (kept)' });
  }
  return (
    <Card title="Connection options" description={`${sourceName} → ${destinationName}`}>
      <form onSubmit={submit} className="space-y-4" noValidate>
        <Toggle
          label="Enabled"
          help="While off, this source's events are not sent to this destination."
          checked={form.enabled}
          onChange={(enabled) => setForm({ ...form, enabled })}
        />
        <SelectField
          label="Event filter"
          {...bind('filterMode')}
          options={FilterMode.options.map((m) => ({ value: m, label: FILTER_LABELS[m] }))}
        />
        {form.filterMode !== 'none' ? (
          <TextAreaField
            label="Event names"
            help="One per line, e.g. Order Completed. Identify, page and other calls are matched by their type."
            rows={4}
            {...bind('filterEvents')}
          />
        ) : null}
        <TextField
          label="Required consent categories"
          help="Comma-separated. An event is delivered only when the user granted all of them. Leave blank to ignore consent."
          {...bind('consentCategories')}
        />
        <Toggle
          label="Keep each user's events in order"
          help="A user's later events wait while an earlier one is retried."
          checked={form.orderingEnabled}
          onChange={(orderingEnabled) => setForm({ ...form, orderingEnabled })}
        />
        <SelectField
          label="Transformation"
          help={
            transformations.error
              ? `Transformations could not be loaded: ${errorMessage(transformations.error)}`
              : 'Runs on each event before it is sent.'
          }
          {...bind('transformationVersionId')}
          options={transformationOptions}
        />
        <FormError error={update.error} fieldErrors={errors} />
        <div className="flex flex-wrap items-start gap-2 border-t border-ink-100 pt-4">
          <Button type="submit" variant="primary" busy={update.isPending} disabledReason={denied}>
            Save connection
          </Button>
          <Button
            variant="danger"
            busy={remove.isPending}
            disabled={Boolean(denied)}
            onClick={() => remove.mutate({ workspaceId: workspace.id, id: connection.id })}
          >
            Disconnect
          </Button>
        </div>
      </form>
    </Card>
  );
}
