export { createIngest } from './ingest.ts';
export type { AgentIdentity, AgentIngestStats, Ingest, IngestOptions, IngestStats, PointSink, RejectReason } from './ingest.ts';
export { batchToPoints, pointKey } from './points.ts';
export { AgentSequence } from './sequence.ts';
export type { AgentSequenceCounts, SeqVerdict } from './sequence.ts';
