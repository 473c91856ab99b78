import type { useToast } from '../components/ui/toast';
import { errorMessage } from './errors';

type ToastFn = ReturnType<typeof useToast>;

/**
 * Callbacks for a mutation whose outcome is a toast: on success it first refreshes what the
 * change affected (so the toast never describes a stale list), on failure it shows the server's words.
 */
export function refreshThenToast(toast: ToastFn, refresh: () => Promise<unknown>, message: string) {
  return {
    onSuccess: async () => {
      await refresh();
      toast(message);
    },
    onError: (e: unknown) => toast(errorMessage(e), 'bad'),
  };
}
