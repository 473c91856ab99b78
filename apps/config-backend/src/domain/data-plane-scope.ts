import { type DataPlanePrincipal, mayServe } from './data-plane-tokens';
import { DomainError } from './errors';
import type { Sql } from './sql';

/**
 * Checks that a data plane may push rows for every workspace they name, and returns the
 * workspaces that still exist. A token refused for any workspace fails the whole batch; rows
 * of a workspace deleted since the data plane's last config are skipped, since resending them
 * could never succeed.
 */
export async function servableWorkspaces(
  sql: Sql,
  principal: DataPlanePrincipal,
  workspaceIds: Iterable<string>,
): Promise<Set<string>> {
  const wanted = [...new Set(workspaceIds)];
  const refused = wanted.filter((id) => !mayServe(principal, id));
  if (refused.length > 0) {
    throw new DomainError(
      'forbidden',
      `This data-plane token serves workspace ${principal.workspaceId}, not ${refused.join(', ')}. ` +
        'Use a token of that workspace, or an instance-wide token.',
    );
  }
  if (wanted.length === 0) return new Set();
  const { rows } = await sql.query<{ id: string }>({
    name: 'keel_dp_existing_workspaces',
    text: 'SELECT id FROM workspaces WHERE id = ANY($1::text[])',
    values: [wanted],
  });
  return new Set(rows.map((r) => r.id));
}
