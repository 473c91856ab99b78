export { listenOrExplain } from './listen';
export { QuietRequestLogs } from './quiet-request-logs';
export { describeSettings, loadSettingsOrExit, serverHelp } from './settings';
