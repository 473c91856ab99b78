import { errorMessage } from '../../lib/errors';
import { cx } from './cx';

/**
 * A failed submission's message, shown only when the server named no field to blame (field
 * errors already stand under their fields).
 */
export function FormError({
  error,
  fieldErrors,
  className,
}: {
  error: unknown;
  fieldErrors: Record<string, string>;
  className?: string;
}) {
  if (!error || Object.keys(fieldErrors).length > 0) return null;
  return (
    <p role="alert" className={cx('text-sm font-medium text-bad-700', className)}>
      {errorMessage(error)}
    </p>
  );
}
