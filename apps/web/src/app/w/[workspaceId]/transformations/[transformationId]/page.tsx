'use client';

import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import type { inferRouterOutputs } from '@trpc/server';
import { useParams } from 'next/navigation';
import { useState } from 'react';
import { CodeDiff, CodeEditor } from '../../../../../components/code-editor';
import { useWorkspace } from '../../../../../components/shell/workspace-context';
import { Button } from '../../../../../components/ui/button';
import { Badge, Card, PageHeader } from '../../../../../components/ui/card';
import { SelectField } from '../../../../../components/ui/field';
import { ErrorState, Loading, QueryState } from '../../../../../components/ui/states';
import { useToast } from '../../../../../components/ui/toast';
import { errorMessage, fieldErrorsOf } from '../../../../../lib/errors';
import { formatRelative } from '../../../../../lib/format';
import { type AppRouter, useTRPC } from '../../../../../lib/trpc';
import { TestPanel } from './test-panel';

type Transformation = inferRouterOutputs<AppRouter>['transformations']['get'];

export default function TransformationPage() {
  const { transformationId } = useParams<{ transformationId: string }>();
  const trpc = useTRPC();
  const workspace = useWorkspace();
  const t = useQuery(
    trpc.transformations.get.queryOptions({ workspaceId: workspace.id, id: transformationId }),
  );
  return (
    <QueryState query={t} loadingLabel="Loading transformation">
      {(data) => <Editor key={data.latestVersion.id} transformation={data} />}
    </QueryState>
  );
}

function Editor({ transformation }: { transformation: Transformation }) {
  const trpc = useTRPC();
  const toast = useToast();
  const queryClient = useQueryClient();
  const workspace = useWorkspace();
  const [code, setCode] = useState(transformation.code);
  const latest = transformation.latestVersion.number;
  const publish = useMutation(
    trpc.transformations.publishVersion.mutationOptions({
      onSuccess: async (v) => {
        await queryClient.invalidateQueries({ queryKey: trpc.transformations.pathKey() });
        toast(
          `Published v${v.number}. Connections keep their version until you pick v${v.number} in their options.`,
        );
      },
    }),
  );
  const changed = code !== transformation.code;
  return (
    <>
      <PageHeader
        eyebrow="Transformation"
        title={transformation.name}
        description={transformation.description || undefined}
        actions={
          <>
            <Badge>v{latest}</Badge>
            {changed ? <Badge tone="warn">Unpublished changes</Badge> : null}
          </>
        }
      />
      <div className="grid gap-5 xl:grid-cols-[minmax(0,3fr)_minmax(0,2fr)]">
        <div className="min-w-0 space-y-5">
          <Card
            title="Code"
            actions={
              <Button
                variant="primary"
                size="sm"
                busy={publish.isPending}
                disabledReason={
                  workspace.denied('editor') ?? (changed ? null : 'Change the code to publish a new version.')
                }
                onClick={() =>
                  publish.mutate({
                    workspaceId: workspace.id,
                    transformationId: transformation.id,
                    code,
                    basedOnVersion: latest,
                  })
                }
              >
                Publish v{latest + 1}
              </Button>
            }
          >
            <CodeEditor label="Transformation code" value={code} onChange={setCode} minHeight="22rem" />
            {publish.error ? (
              <p role="alert" className="mt-3 whitespace-pre-wrap text-sm text-bad-700">
                {fieldErrorsOf(publish.error).code ?? errorMessage(publish.error)}
              </p>
            ) : null}
          </Card>
        </div>
        <div className="min-w-0">
          <TestPanel code={code} />
        </div>
      </div>
      <div className="mt-5">
        <Versions transformation={transformation} />
      </div>
    </>
  );
}

function Versions({ transformation }: { transformation: Transformation }) {
  const trpc = useTRPC();
  const workspace = useWorkspace();
  const numbers = transformation.versions.map((v) => v.number).sort((a, b) => b - a);
  const [to, setTo] = useState(numbers[0] ?? 1);
  const [from, setFrom] = useState(numbers[1] ?? numbers[0] ?? 1);
  const diff = useQuery({
    ...trpc.transformations.diff.queryOptions({
      workspaceId: workspace.id,
      transformationId: transformation.id,
      from,
      to,
    }),
    enabled: numbers.length > 1 && from !== to,
  });
  const options = numbers.map((n) => ({ value: String(n), label: `v${n}` }));
  return (
    <Card
      title="Versions"
      description="Every publish is kept; connections keep running the version they were given until moved."
    >
      <ul className="mb-4 space-y-1 text-sm">
        {[...transformation.versions]
          .sort((a, b) => b.number - a.number)
          .map((v) => {
            const users = transformation.connections.filter((c) => c.versionId === v.id).length;
            return (
              <li key={v.id} className="flex flex-wrap items-center gap-2">
                <span className="font-medium">v{v.number}</span>
                <span className="text-ink-500">{formatRelative(v.createdAt)}</span>
                {users ? (
                  <Badge tone="brand">
                    {users} connection{users === 1 ? '' : 's'}
                  </Badge>
                ) : null}
              </li>
            );
          })}
      </ul>
      {numbers.length < 2 ? (
        <p className="text-sm text-ink-600">Publish a second version to compare versions.</p>
      ) : (
        <div className="space-y-3">
          <div className="flex flex-wrap gap-3">
            <div className="w-32">
              <SelectField
                label="Compare"
                value={String(from)}
                onChange={(e) => setFrom(Number(e.target.value))}
                options={options}
              />
            </div>
            <div className="w-32">
              <SelectField
                label="with"
                value={String(to)}
                onChange={(e) => setTo(Number(e.target.value))}
                options={options}
              />
            </div>
          </div>
          {from === to ? (
            <p className="text-sm text-ink-600">Choose two different versions.</p>
          ) : diff.error ? (
            <ErrorState error={diff.error} />
          ) : !diff.data ? (
            <Loading rows={3} />
          ) : (
            <CodeDiff label={`v${from} and v${to}`} before={diff.data.from.code} after={diff.data.to.code} />
          )}
        </div>
      )}
    </Card>
  );
}
