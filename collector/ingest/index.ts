export { createIngest } from './ingest.ts';
export type { AgentIdentity, AgentIngestStats, Ingest, IngestOptions, IngestStats, LineSink, RejectReason } from './ingest.ts';
export { AgentSequence } from './sequence.ts';
export type { AgentSequenceCounts, SeqVerdict } from './sequence.ts';
