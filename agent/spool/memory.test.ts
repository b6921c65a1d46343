import { MemorySpool } from './memory.ts';
import { describeSpool } from './spool-suite.ts';

describeSpool('MemorySpool', { durable: false, make: () => ({ open: (limits, firstSeq) => new MemorySpool(limits, firstSeq), cleanup: () => {} }) });
