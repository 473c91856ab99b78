// The entry of a sandbox child process (see pool.ts). Node cannot load TypeScript by itself,
// so register tsx's loader first; when the parent already runs under tsx this is harmless.
import { register } from 'tsx/esm/api';

register();
await import('./sandbox-host.ts');
