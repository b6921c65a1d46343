import { MemoryWal } from './memory.ts';
import { describeWal } from './wal-suite.ts';

describeWal('MemoryWal', { durable: false, make: () => ({ open: () => new MemoryWal(), cleanup: () => {} }) });
