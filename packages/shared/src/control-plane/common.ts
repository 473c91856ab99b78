import { z } from 'zod';

/** One record named by its id: get, delete, revoke. */
export const IdInput = z.object({ id: z.string().min(1) });
export type IdInput = z.infer<typeof IdInput>;
