export * from './calendar.ts';
export * from './interval.ts';
export { localDays, localInstant, localDateTime, monthInterval, previousMonth, rangeOnDay } from './local-time.ts';
export * from './schema.ts';
