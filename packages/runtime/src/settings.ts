import type { z } from 'zod';

/** Lists an env schema's variables with their defaults, for a command's `--help`. */
export function describeSettings(schema: z.ZodObject): string {
  const rows = Object.entries(schema.shape).map(([name, field]) => {
    const parsed = (field as z.ZodType).safeParse(undefined);
    const fallback = !parsed.success
      ? 'required'
      : parsed.data === undefined
        ? 'unset'
        : `default ${Array.isArray(parsed.data) ? parsed.data.join(',') || '(empty)' : String(parsed.data)}`;
    return `  ${name.padEnd(34)} ${fallback}`;
  });
  return rows.join('\n');
}

/** `--help` text of a server entry point: what it is, then its settings. */
export function serverHelp(name: string, summary: string, schema: z.ZodObject): string {
  return `Usage: ${name}\n\n${summary}\n\nSettings (environment variables; see the README for what each means):\n${describeSettings(schema)}`;
}

/**
 * Reads the settings, or prints why they are not valid and exits: a wrong setting is an
 * expected mistake and deserves a message, not a stack trace.
 */
export function loadSettingsOrExit<T>(load: () => T): T {
  try {
    return load();
  } catch (error) {
    console.error((error as Error).message);
    process.exit(1);
  }
}
