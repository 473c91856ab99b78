'use client';

import Link from 'next/link';
import { useWorkspace } from '../../../components/shell/workspace-context';
import { Card } from '../../../components/ui/card';
import { cx } from '../../../components/ui/cx';

export interface GuideProgress {
  sources: number;
  destinations: number;
  connections: number;
}

/** The three steps from an empty workspace to events flowing. */
export function SetupGuide({ progress }: { progress?: GuideProgress }) {
  const { id } = useWorkspace();
  const steps = [
    {
      title: 'Add a source',
      body: 'A website, app or server that sends events. You get a write key and a snippet to install.',
      href: `/w/${id}/sources/new`,
      done: (progress?.sources ?? 0) > 0,
    },
    {
      title: 'Add a destination',
      body: 'Where events go: a webhook, an analytics tool, a warehouse.',
      href: `/w/${id}/destinations/new`,
      done: (progress?.destinations ?? 0) > 0,
    },
    {
      title: 'Connect them',
      body: 'Choose which sources feed which destinations, with filters and transformations.',
      href: `/w/${id}/connections`,
      done: (progress?.connections ?? 0) > 0,
    },
  ];
  const next = steps.findIndex((s) => !s.done);
  return (
    <Card title="Get your first events flowing" description="Three steps, about five minutes.">
      <ol className="grid gap-4 md:grid-cols-3">
        {steps.map((step, i) => (
          <li
            key={step.title}
            className={cx(
              'flex flex-col rounded-lg border p-4',
              i === next ? 'border-brand-500 bg-brand-50/60' : 'border-ink-200',
            )}
          >
            <div className="mb-2 flex items-center gap-2">
              <span
                aria-hidden
                className={cx(
                  'flex h-6 w-6 items-center justify-center rounded-full text-xs font-semibold',
                  step.done
                    ? 'bg-ok-600 text-white'
                    : i === next
                      ? 'bg-brand-600 text-white'
                      : 'bg-ink-200 text-ink-700',
                )}
              >
                {step.done ? '✓' : i + 1}
              </span>
              <h3 className="text-sm font-semibold">
                {step.title}
                {step.done ? <span className="sr-only"> (done)</span> : null}
              </h3>
            </div>
            <p className="flex-1 text-sm text-ink-600">{step.body}</p>
            <Link
              href={step.href}
              className={cx(
                'mt-3 self-start text-sm font-medium underline-offset-2 hover:underline',
                i === next ? 'text-brand-700' : 'text-ink-700',
              )}
            >
              {step.done ? 'Add another' : step.title} →
            </Link>
          </li>
        ))}
      </ol>
    </Card>
  );
}
