// The control plane's input schemas: they validate tRPC input in the config-backend, and the
// web app reads its form constraints from them.
export * from './audit';
export * from './auth';
export * from './common';
export * from './connections';
export * from './destinations';
export * from './failed-events';
export * from './invitations';
export * from './live-events';
export * from './members';
export * from './reports';
export * from './sources';
export * from './tokens';
export * from './transformations';
export * from './workspaces';
export * from './write-keys';
