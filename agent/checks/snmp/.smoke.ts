import { startSnmpsim, startSnmpd } from '../../../test/harness/index.ts';
import { createLogger, deviceSchema, snmpCheckSchema } from '../../../contract/index.ts';
import { createSnmpCheck } from './snmp-check.ts';
const sim = await startSnmpsim({ recordings: ['procurve_e2910', 'draytek', 'fortigate_60f', 'windows_svr_2019_1809'] });
const check = createSnmpCheck();
const ctx = { now: () => Date.now(), log: createLogger('smoke', 'debug') };
for (const name of ['procurve_e2910', 'draytek', 'fortigate_60f', 'windows_svr_2019_1809']) {
  const dev = deviceSchema.parse({ name: 'd' + name.replace(/_/g, '-'), address: sim.host, role: 'switch' });
  const t = Date.now();
  const s = await check.run(dev, snmpCheckSchema.parse({ community: name, port: sim.port, timeoutSeconds: 1 }), ctx);
  const s2 = await check.run(dev, snmpCheckSchema.parse({ community: name, port: sim.port, timeoutSeconds: 1 }), ctx);
  console.log(name, Date.now() - t, 'ms', JSON.stringify(s[0]), s.length, JSON.stringify(s2[1]), JSON.stringify(s2[s2.length-1]));
}
await sim.stop();
const d = await startSnmpd();
const dev = deviceSchema.parse({ name: 'host', address: d.host, role: 'server' });
const r = await check.run(dev, snmpCheckSchema.parse({ community: d.community, port: d.port }), ctx);
console.log(JSON.stringify(r, null, 0));
await d.stop();
