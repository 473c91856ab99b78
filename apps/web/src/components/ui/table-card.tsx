import { Card } from './card';
import { QueryState } from './states';
import { type Column, Table } from './table';

/** A card holding a query's rows as a table, with loading, error and empty states. */
export function TableCard<T>({
  title,
  caption = title,
  query,
  loadingLabel,
  empty,
  rowKey,
  columns,
}: {
  title: string;
  /** The table's caption for screen readers; the title unless given. */
  caption?: string;
  query: { data: T[] | undefined; error: unknown; isPending: boolean; refetch: () => unknown };
  loadingLabel: string;
  /** What to say when there are no rows. */
  empty: string;
  rowKey: (row: T) => string;
  columns: Array<Column<T>>;
}) {
  return (
    <Card title={title} padded={false}>
      <QueryState query={query} loadingLabel={loadingLabel}>
        {(rows) =>
          rows.length === 0 ? (
            <p className="p-5 text-sm text-ink-600">{empty}</p>
          ) : (
            <Table caption={caption} rows={rows} rowKey={rowKey} columns={columns} />
          )
        }
      </QueryState>
    </Card>
  );
}
