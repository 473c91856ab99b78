'use client';

import { useMutation, useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { useWorkspace } from '../../../../../components/shell/workspace-context';
import { Button } from '../../../../../components/ui/button';
import { Badge, Card } from '../../../../../components/ui/card';
import { Json } from '../../../../../components/ui/code';
import { SelectField, TextAreaField } from '../../../../../components/ui/field';
import { errorMessage } from '../../../../../lib/errors';
import { formatMs } from '../../../../../lib/format';
import { useTRPC } from '../../../../../lib/trpc';

const SAMPLE = JSON.stringify(
  [
    {
      type: 'track',
      event: 'Order Completed',
      userId: 'user-123',
      messageId: 'msg-1',
      properties: { revenue: 42, currency: 'EUR' },
      context: { traits: { email: 'ada@example.com' } },
    },
    {
      type: 'identify',
      userId: 'user-123',
      messageId: 'msg-2',
      traits: { email: 'ada@example.com', plan: 'pro' },
    },
  ],
  null,
  2,
);

function parseSamples(
  text: string,
): { ok: true; events: Array<Record<string, unknown>> } | { ok: false; error: string } {
  try {
    const value: unknown = JSON.parse(text);
    const list = Array.isArray(value) ? value : [value];
    if (list.some((e) => typeof e !== 'object' || e === null || Array.isArray(e))) {
      return {
        ok: false,
        error: 'Each sample must be a JSON object, such as {"type":"track","event":"Signed Up"}.',
      };
    }
    return { ok: true, events: list as Array<Record<string, unknown>> };
  } catch (error) {
    return { ok: false, error: `The samples are not valid JSON: ${(error as Error).message}` };
  }
}

/** Runs the draft in the production sandbox on sample events and shows each outcome. */
export function TestPanel({ code }: { code: string }) {
  const trpc = useTRPC();
  const workspace = useWorkspace();
  const sources = useQuery(trpc.sources.list.queryOptions({ workspaceId: workspace.id }));
  const [from, setFrom] = useState('');
  const [samples, setSamples] = useState(SAMPLE);
  const [parseError, setParseError] = useState<string | null>(null);
  const run = useMutation(trpc.transformations.testRun.mutationOptions());
  const start = () => {
    if (from) {
      setParseError(null);
      run.mutate({ workspaceId: workspace.id, code, sourceId: from });
      return;
    }
    const parsed = parseSamples(samples);
    if (!parsed.ok) {
      setParseError(parsed.error);
      return;
    }
    setParseError(null);
    run.mutate({ workspaceId: workspace.id, code, events: parsed.events });
  };
  const result = run.data;
  return (
    <Card
      title="Test"
      description="Runs the code in the editor, unsaved, with the same sandbox and limits as the data plane."
    >
      <div className="space-y-4">
        <SelectField
          label="Events to test with"
          value={from}
          onChange={(e) => setFrom(e.target.value)}
          options={[
            { value: '', label: 'The samples below' },
            ...(sources.data ?? []).map((s) => ({ value: s.id, label: `Newest live events of ${s.name}` })),
          ]}
        />
        {from ? null : (
          <TextAreaField
            label="Sample events (JSON)"
            rows={10}
            value={samples}
            error={parseError}
            onChange={(e) => setSamples(e.target.value)}
          />
        )}
        <Button
          variant="primary"
          busy={run.isPending}
          onClick={start}
          disabledReason={workspace.denied('editor')}
        >
          Run test
        </Button>
        {run.error ? (
          <p role="alert" className="text-sm text-bad-700">
            {errorMessage(run.error)}
          </p>
        ) : null}
        {result ? (
          <div className="space-y-3" aria-live="polite">
            <p className="text-sm text-ink-700">
              {result.results.length} {result.results.length === 1 ? 'event' : 'events'} in{' '}
              {formatMs(result.totalMs)}
              {result.logsDropped ? ` · ${result.logsDropped} log lines dropped` : ''}
            </p>
            {result.error ? (
              <p
                role="alert"
                className="rounded-md border border-bad-600/30 bg-bad-50 px-3 py-2 text-sm text-bad-700"
              >
                {result.error}
              </p>
            ) : null}
            {result.results.map((r, i) => (
              // biome-ignore lint/suspicious/noArrayIndexKey: results follow the order of the inputs
              <div key={i} className="rounded-lg border border-ink-200 p-3">
                <div className="mb-2 flex flex-wrap items-center gap-2 text-sm">
                  <span className="font-medium">Event {i + 1}</span>
                  {r.outcome.kind === 'events' ? (
                    <Badge tone="ok">
                      {r.outcome.events.length === 1 ? 'transformed' : `${r.outcome.events.length} events`}
                    </Badge>
                  ) : r.outcome.kind === 'dropped' ? (
                    <Badge tone="warn">dropped</Badge>
                  ) : (
                    <Badge tone="bad">failed</Badge>
                  )}
                  <span className="ml-auto text-xs text-ink-500">{formatMs(r.durationMs)}</span>
                </div>
                {r.outcome.kind === 'failed' ? (
                  <p className="mb-2 text-sm text-bad-700">{r.outcome.error}</p>
                ) : null}
                {r.outcome.kind === 'events' ? <Json label="Output" value={r.outcome.events} /> : null}
                {r.logs.length ? (
                  <pre className="mt-2 overflow-x-auto rounded bg-ink-50 p-2 font-mono text-xs">
                    {r.logs.map((l) => `[${l.level}] ${l.message}`).join('\n')}
                  </pre>
                ) : null}
              </div>
            ))}
            {result.logs.length ? (
              <pre className="overflow-x-auto rounded bg-ink-50 p-2 font-mono text-xs">
                {result.logs.map((l) => `[${l.level}] ${l.message}`).join('\n')}
              </pre>
            ) : null}
          </div>
        ) : null}
      </div>
    </Card>
  );
}
