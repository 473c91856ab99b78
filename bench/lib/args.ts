import { parseArgs } from 'node:util';

export interface BenchOption {
  /** What the option sets, shown by --help. */
  help: string;
  /** The value when the option is not given; an option without one is unset by default. */
  default?: string;
}

/**
 * A benchmark's command line: `--name value` options, `--help` printing the usage and every
 * option with its default, and a clear error (exit 2) for an option it does not know.
 */
export function benchArgs<Name extends string>(
  usage: string,
  options: Record<Name, BenchOption>,
  argv: string[] = process.argv.slice(2),
): Record<Name, string | undefined> {
  const entries = Object.entries(options) as [Name, BenchOption][];
  const rows = [
    ...entries.map(([name, o]) => [
      `--${name} <value>`,
      o.default === undefined ? o.help : `${o.help} (default ${o.default})`,
    ]),
    ['--help', 'this text'],
  ];
  const width = Math.max(...rows.map(([flag]) => flag?.length ?? 0));
  const helpText = () =>
    [usage, '', 'Options:', ...rows.map(([flag, help]) => `  ${flag?.padEnd(width)}  ${help}`)].join('\n');
  try {
    const { values } = parseArgs({
      args: argv,
      options: {
        help: { type: 'boolean', short: 'h' },
        ...Object.fromEntries(
          entries.map(([name, o]) => [name, { type: 'string' as const, default: o.default }]),
        ),
      },
    });
    if (values.help) {
      console.log(helpText());
      process.exit(0);
    }
    return values as Record<Name, string | undefined>;
  } catch (error) {
    console.error(`${(error as Error).message}\n\n${helpText()}`);
    process.exit(2);
  }
}
