import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pidAlive, startInflux, type InfluxServer } from './index.ts';

describe('startInflux', () => {
  let influx: InfluxServer;
  const pids: number[] = [];

  beforeAll(async () => {
    influx = await startInflux();
    pids.push(influx.pid);
  });

  afterAll(async () => {
    await influx?.stop();
    for (const pid of pids) expect(pidAlive(pid)).toBe(false);
  });

  it('answers /ping on loopback', async () => {
    expect(influx.url).toBe(`http://127.0.0.1:${influx.httpPort}`);
    const response = await fetch(`${influx.url}/ping`);
    expect(response.status).toBe(204);
  });

  it('creates a database, takes line protocol over HTTP and returns it from a query', async () => {
    await influx.query('CREATE DATABASE hm_test');
    const response = await fetch(`${influx.url}/write?db=hm_test&precision=s`, {
      method: 'POST',
      body: 'ping,site=north-primary,device=core-sw rtt_ms=1.25,loss=0i 1700000000',
    });
    expect(response.status).toBe(204);

    const [result] = await influx.query('SELECT rtt_ms, loss FROM ping WHERE site = \'north-primary\'', 'hm_test');
    expect(result?.series?.[0]?.columns).toEqual(['time', 'rtt_ms', 'loss']);
    expect(result?.series?.[0]?.values).toEqual([['2023-11-14T22:13:20Z', 1.25, 0]]);
  });

  it('throws with the statement error when a query fails', async () => {
    await expect(influx.query('SELECT * FROM ping', 'no_such_db')).rejects.toThrow(/database not found/);
  });

  it('keeps data across a restart on the same port and dir', async () => {
    await influx.write('hm_test', ['ping,site=south rtt_ms=3 1700000060'], 's');
    const before = influx.pid;
    await influx.restart();
    pids.push(influx.pid);
    expect(influx.pid).not.toBe(before);
    expect(pidAlive(before)).toBe(false);
    const [result] = await influx.query('SELECT count(rtt_ms) FROM ping', 'hm_test');
    expect(result?.series?.[0]?.values[0]?.[1]).toBe(2);
  });
});
