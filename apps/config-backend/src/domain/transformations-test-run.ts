import type { TestRunInput, TransformationMetadata, TransformationOutcome } from '@keel/shared';
import type { CapturedLog, Transformer } from '@keel/transform';
import { DomainError, notFound } from './errors';
import type { DbHandle } from './transaction';

export interface TestRunEventResult {
  input: Record<string, unknown>;
  outcome: TransformationOutcome;
  logs: Pick<CapturedLog, 'level' | 'message'>[];
  durationMs: number;
}
export interface TestRunResult {
  results: TestRunEventResult[];
  /** Logs not tied to one event (from transformBatch). */
  logs: Pick<CapturedLog, 'level' | 'message'>[];
  logsDropped: number;
  totalMs: number;
  /** Why the whole run failed (code that does not compile, a limit hit), or null. */
  error: string | null;
}

/**
 * Runs a draft against sample events with the production sandbox and limits; `runner` is the
 * config-backend's sandbox process (transform-worker), never this process's event loop.
 */
export async function testRunTransformation(
  db: DbHandle,
  runner: Pick<Transformer, 'run'>,
  workspaceId: string,
  input: TestRunInput,
): Promise<TestRunResult> {
  const [workspace, source, destination] = await Promise.all([
    db.workspace.findUniqueOrThrow({ where: { id: workspaceId }, select: { allowTransformFetch: true } }),
    input.sourceId
      ? db.source.findFirst({ where: { id: input.sourceId, workspaceId }, select: { id: true, name: true } })
      : null,
    input.destinationId
      ? db.destination.findFirst({
          where: { id: input.destinationId, workspaceId },
          select: { id: true, type: true },
        })
      : null,
  ]);
  if (input.sourceId && !source) throw notFound('Source');
  if (input.destinationId && !destination) throw notFound('Destination');

  const events = input.events ?? (await liveSample(db, workspaceId, input.sourceId!, input.sampleSize));
  const metadata = events.map(
    (event, i): TransformationMetadata => ({
      sourceId: source?.id ?? 'test-source',
      sourceName: source?.name ?? 'Test source',
      destinationId: destination?.id ?? 'test-destination',
      destinationType: destination?.type ?? 'webhook',
      messageId: typeof event.messageId === 'string' ? event.messageId : `test-message-${i + 1}`,
    }),
  );
  const run = await runner.run(
    { code: input.code, allowFetch: workspace.allowTransformFetch },
    events,
    metadata,
  );
  const strip = ({ level, message }: CapturedLog) => ({ level, message });
  return {
    results: events.map((event, i) => ({
      input: event,
      outcome: run.outcomes[i]!,
      logs: run.logs.filter((l) => l.index === i).map(strip),
      durationMs: run.durationsMs[i] ?? 0,
    })),
    logs: run.logs.filter((l) => l.index === null).map(strip),
    logsDropped: run.logsDropped,
    totalMs: run.totalMs,
    error: run.error ?? null,
  };
}

async function liveSample(
  db: DbHandle,
  workspaceId: string,
  sourceId: string,
  size: number,
): Promise<Record<string, unknown>[]> {
  const rows = await db.liveEvent.findMany({
    where: { workspaceId, sourceId, stage: 'received' },
    orderBy: { id: 'desc' },
    take: size,
    select: { payload: true },
  });
  const events: Record<string, unknown>[] = [];
  for (const { payload } of rows.reverse()) {
    if (typeof payload === 'object' && payload !== null && !Array.isArray(payload)) events.push(payload);
  }
  if (events.length === 0) {
    throw new DomainError(
      'precondition-failed',
      'This source has no live events yet. Open its live-events view while it receives traffic, or paste sample events instead.',
    );
  }
  return events;
}
