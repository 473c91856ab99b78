'use client';

import { useWorkspace } from '../../../components/shell/workspace-context';
import { PageHeader } from '../../../components/ui/card';
import { SetupGuide } from './setup-guide';

export default function OverviewPage() {
  const workspace = useWorkspace();
  return (
    <>
      <PageHeader
        eyebrow="Overview"
        title={workspace.name}
        description="Collect events from your apps and deliver them to the tools your team uses."
      />
      <SetupGuide />
    </>
  );
}
