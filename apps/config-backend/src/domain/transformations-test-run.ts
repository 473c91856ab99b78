import type { TransformationMetadata, TransformationOutcome } from '@keel/shared';
import type { CapturedLog, Transformer } from '@keel/transform';
import { z } from 'zod';
import { DomainError, notFound } from './errors';
import type { DbHandle } from './transaction';
import { TransformationCode } from './transformations';

const SampleEvent = z.record(z.string(), z.unknown());

export const TestRunInput = z
  .object({
    code: TransformationCode,
    /** Sample events to run; or leave out and name a source to use its newest live events. */
    events: z
      .array(SampleEvent)
      .min(1, 'add at least one sample event')
      .max(100, 'test with at most 100 events')
      .optional(),
    sourceId: z.string().min(1).optional(),
    /** Fills `metadata(event)`'s destination fields, as on that connection. */
    destinationId: z.string().min(1).optional(),
    /** How many of the source's newest live events to use. */
    sampleSize: z.number().int().min(1).max(100).default(10),
  })
  .refine((input) => input.events !== undefined || input.sourceId !== undefined, {
    message: 'paste sample events, or choose a source to use its live events',
    path: ['events'],
  });
export type TestRunInput = z.infer<typeof TestRunInput>;

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
