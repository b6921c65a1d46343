export { freeTcpPort, freeUdpPort } from './ports.ts';
export { makeTempDir, type TempDir } from './temp.ts';
export {
  spawnService,
  startService,
  waitFor,
  pidAlive,
  runningServices,
  logTailOf,
  type ServiceProcess,
  type SpawnOptions,
  type StartOptions,
  type WaitOptions,
  type ExitStatus,
} from './process.ts';
export { startInflux, type InfluxServer, type InfluxOptions, type InfluxResult } from './influxd.ts';
export { startSnmpsim, type SnmpsimServer, type SnmpsimOptions } from './snmpsim.ts';
export { startSnmpd, type SnmpdServer, type SnmpdOptions, type SnmpdV3User } from './snmpd.ts';
export { snmpGetValue, snmpAnswers, type SnmpTarget, type SnmpGetOptions } from './snmpget.ts';
export {
  RECORDINGS_DIR,
  IF_ENTRY,
  IFX_ENTRY,
  recordingPath,
  recordingEntries,
  recordingValue,
  recordingText,
  recordingRowIndexes,
  recordingRowCount,
  recordingTableIndexes,
  recordingInterfaceIndexes,
  parseSnmprec,
  decodeEntry,
  type RecordingEntry,
  type RecordingValue,
} from './snmprec.ts';
export { createDeadHost, type DeadHost } from './netns.ts';
export { onExitCleanup } from './exit-cleanup.ts';
export { startMosquitto, type MosquittoServer, type MosquittoOptions } from './mosquitto.ts';
export { createTestNet, type TestNet, type TestNetOptions, type Impairment } from './test-net.ts';
export { startSnmpsimEndpoints, type SnmpsimEndpoint, type SnmpsimEndpoints } from './snmpsim-endpoints.ts';
export { memorySession, corpusSession, CORPUS_DIR } from './memory-session.ts';
export { runDiscover } from './discover.ts';
