export { createIngest, DEFAULT_WINDOW } from './ingest.ts';
export type { AgentIdentity, AgentIngestStats, Ingest, IngestOptions, IngestStats, LineSink, RejectReason } from './ingest.ts';
export { AgentSequence } from './sequence.ts';
export type { AgentSequenceCounts, SeqVerdict } from './sequence.ts';
export { ingestLimits, startIngestReport, counterLines, COLLECTOR_SITE } from './report.ts';
export { ingestConfigSchema, siteSeriesBudget, type IngestConfig } from './config.ts';
export type { BatchRejectReason, BrokerRefusalReason, SampleRejectReason, CounterRow } from './counters.ts';
export { DECLARED_FIELD_TYPES } from './field-types.ts';
export { openLearnedState, type LearnedState } from './learned.ts';
