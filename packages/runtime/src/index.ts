export { listenOrExplain } from './listen';
