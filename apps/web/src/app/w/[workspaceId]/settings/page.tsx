'use client';

import { useState } from 'react';
import { useWorkspace } from '../../../../components/shell/workspace-context';
import { PageHeader } from '../../../../components/ui/card';
import { Tabs } from '../../../../components/ui/tabs';
import { AuditLog } from './audit-log';
import { Invitations, Members } from './members';
import { ApiTokens, DataPlaneTokens } from './tokens';
import { WorkspaceSettings } from './workspace';

export default function SettingsPage() {
  const workspace = useWorkspace();
  const [tab, setTab] = useState('members');
  return (
    <>
      <PageHeader title="Settings" description={`People, tokens and history of ${workspace.name}.`} />
      <Tabs
        label="Settings sections"
        value={tab}
        onChange={setTab}
        tabs={[
          { id: 'members', label: 'Members' },
          { id: 'invitations', label: 'Invitations' },
          { id: 'api-tokens', label: 'API tokens' },
          { id: 'data-plane-tokens', label: 'Data-plane tokens' },
          { id: 'audit', label: 'Audit log' },
          { id: 'workspace', label: 'Workspace' },
        ]}
      >
        {tab === 'members' ? <Members /> : null}
        {tab === 'invitations' ? <Invitations /> : null}
        {tab === 'api-tokens' ? <ApiTokens /> : null}
        {tab === 'data-plane-tokens' ? <DataPlaneTokens /> : null}
        {tab === 'audit' ? <AuditLog /> : null}
        {tab === 'workspace' ? <WorkspaceSettings /> : null}
      </Tabs>
    </>
  );
}
