export * from './catalog/index';
export * from './control-plane/index';
export * from './data-plane-api';
export * from './events';
export * from './reports';
export * from './transformation';
export * from './workspace-config';
