export { AddressPolicy } from './address-policy';
export { limitsFromEnv, TransformEnv } from './env';
export { resolveLimits, SandboxLimits, type SandboxLimitsInput } from './limits';
export { SandboxPool, type SandboxPoolOptions } from './pool';
export { FetchRefused, type SafeFetchRequest, type SafeFetchResponse, safeFetch } from './safe-fetch';
export { TransformationSandbox } from './sandbox';
export * from './templates';
export * from './types';
