import type { TransformationOutcome } from '@keel/shared';
import { type CapturedLog, failedRun, LogLevel, type TransformationRun } from './types';

const KINDS = new Set(['events', 'dropped', 'failed']);
const LEVELS = new Set<string>(LogLevel);

export function malformed(count: number, totalMs: number): TransformationRun {
  return failedRun(
    count,
    'the transformation interfered with its sandbox and returned a malformed result',
    totalMs,
  );
}

/** Parses and checks the runtime's answer: user code shares its isolate, so it could have tampered with it. */
export function parseOutput(output: string, count: number, totalMs: number): TransformationRun {
  const malformedRun = () => malformed(count, totalMs);
  let parsed: { outcomes?: unknown; durationsMs?: unknown; logs?: unknown; logsDropped?: unknown };
  try {
    parsed = JSON.parse(output);
  } catch {
    return malformedRun();
  }
  const { outcomes, durationsMs, logs, logsDropped } = parsed;
  if (
    !Array.isArray(outcomes) ||
    outcomes.length !== count ||
    !Array.isArray(durationsMs) ||
    !Array.isArray(logs)
  ) {
    return malformedRun();
  }
  for (const o of outcomes as Array<Record<string, unknown> | null>) {
    if (o === null || typeof o !== 'object' || !KINDS.has(o.kind as string)) return malformedRun();
    if (o.kind === 'events' && !Array.isArray(o.events)) return malformedRun();
    if (o.kind === 'failed' && typeof o.error !== 'string') return malformedRun();
  }
  const cleanLogs: CapturedLog[] = [];
  for (const l of logs as Array<Record<string, unknown> | null>) {
    if (l && typeof l.message === 'string' && LEVELS.has(l.level as string)) {
      cleanLogs.push({
        index: typeof l.index === 'number' ? l.index : null,
        level: l.level as CapturedLog['level'],
        message: l.message,
      });
    }
  }
  return {
    outcomes: outcomes as TransformationOutcome[],
    durationsMs: durationsMs.map((d) => (typeof d === 'number' ? d : 0)),
    logs: cleanLogs,
    logsDropped: typeof logsDropped === 'number' ? logsDropped : 0,
    totalMs,
  };
}
