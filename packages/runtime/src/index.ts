export { listenOrExplain } from './listen';
export { describeSettings, loadSettingsOrExit, serverHelp } from './settings';
