export * from './catalog/index';
export * from './events';
export * from './reports';
export * from './workspace-config';
