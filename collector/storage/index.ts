export { createInfluxWriter } from './influx-writer.ts';
export type { InfluxWriter, InfluxWriterOptions, InfluxWriterStats } from './influx-writer.ts';
export { createInfluxClient, displayUrl, type InfluxConnection } from './influx-client.ts';
export { DEFAULT_BACKOFF, backoffDelay, type BackoffOptions } from './backoff.ts';
export { toChunk, toLine, type LineChunk, type LinePoint } from './line.ts';
