import type { TransformationMetadata, TransformationOutcome } from '@keel/shared';

/** A transformation as the sandbox runs it: its code, and whether its workspace allows fetch. */
export interface TransformationProgram {
  code: string;
  allowFetch: boolean;
}

export const LogLevel = ['log', 'info', 'warn', 'error', 'debug'] as const;
export type LogLevel = (typeof LogLevel)[number];

/** One `log(...)`/`console.*(...)` call; `index` is the input event it ran for (null in transformBatch). */
export interface CapturedLog {
  index: number | null;
  level: LogLevel;
  message: string;
}

/** The result of one batch: an outcome per input event, in order, and what the code logged. */
export interface TransformationRun {
  outcomes: TransformationOutcome[];
  /** Time user code took per input event, in ms (the batch's time shared out for transformBatch). */
  durationsMs: number[];
  logs: CapturedLog[];
  /** Log entries beyond the limit, counted but not kept. */
  logsDropped: number;
  /** The whole batch, as the host saw it, in ms. */
  totalMs: number;
  /** Set when the whole batch failed (code that does not compile, a limit hit); every outcome carries it too. */
  error?: string;
}

/** What runs transformations: the in-process sandbox, or a pool of sandbox processes. */
export interface Transformer {
  run(
    program: TransformationProgram,
    events: readonly unknown[],
    metadata: readonly TransformationMetadata[],
  ): Promise<TransformationRun>;
  /** Compiles and loads the code without running it: null when it is usable, else why not. */
  check(program: TransformationProgram): Promise<string | null>;
  close(): Promise<void>;
}

/** The input of a batch of no events, which only compiles and loads the code. */
export const EMPTY_BATCH = '{"events":[],"metadata":[]}';

export function failedRun(count: number, error: string, totalMs: number): TransformationRun {
  return {
    outcomes: Array.from({ length: count }, () => ({ kind: 'failed' as const, error })),
    durationsMs: new Array<number>(count).fill(0),
    logs: [],
    logsDropped: 0,
    totalMs,
    error,
  };
}
