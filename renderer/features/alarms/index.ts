export { AlarmBanner } from './AlarmBanner';
export { AlarmProvider } from './AlarmProvider';
export { AlarmsScreen } from './AlarmsScreen';
export { TagAlarmIndicator } from './TagAlarmIndicator';
