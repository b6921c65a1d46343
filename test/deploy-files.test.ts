import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { agentConfigSchema } from '../agent/config/schema.ts';
import { loadCollectorConfig } from '../collector/config/load.ts';
import { loadConfigFile } from '../contract/index.ts';
import { findProgram, repo, run, unitPath } from './deploy-tools.ts';
import { isRoot, nobody } from './harness/users.ts';

/**
 * What a provider installs from deploy/: systemd units and the Docker Compose file (the Mosquitto config is
 * in deploy-mosquitto.test.ts, the install scripts in deploy-install.test.ts). Each is checked by the tool
 * that will read it where that tool runs here (systemd-analyze), and against the repository it points into.
 */

/** `Key=value` lines of a unit file (comments and sections dropped); repeated keys keep every value. */
function unitSettings(file: string): Map<string, string[]> {
  const settings = new Map<string, string[]>();
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    const match = /^([A-Za-z]+)=(.*)$/.exec(line.trim());
    if (match) settings.set(match[1]!, [...(settings.get(match[1]!) ?? []), match[2]!]);
  }
  return settings;
}
const setting = (settings: Map<string, string[]>, key: string): string | undefined => settings.get(key)?.at(-1);

const UNITS = ['hallmonitor-agent.service', 'hallmonitor-collector.service'] as const;

describe('deploy/systemd', () => {
  const systemdAnalyze = findProgram('systemd-analyze');

  it('units pass `systemd-analyze verify` without a single warning', (ctx) => {
    if (!systemdAnalyze) {
      console.warn('deploy/systemd: systemd-analyze is not installed here; unit files not verified');
      return ctx.skip('systemd-analyze not installed');
    }
    const result = run(systemdAnalyze, ['verify', ...UNITS.map(unitPath)]);
    // verify exits 0 even for unknown keys; the warnings only show on stderr.
    expect({ status: result.status, stderr: result.stderr.trim(), stdout: result.stdout.trim() }).toEqual({ status: 0, stderr: '', stdout: '' });
  });

  it('units keep their hardening: `systemd-analyze security --offline` rates both OK or better', (ctx) => {
    if (!systemdAnalyze) return ctx.skip('systemd-analyze not installed');
    for (const unit of UNITS) {
      const result = run(systemdAnalyze, ['security', '--offline=yes', '--no-pager', unitPath(unit)]);
      const overall = /Overall exposure level for \S+: ([\d.]+) (\w+)/.exec(result.stdout);
      if (!overall) return ctx.skip(`systemd-analyze security --offline not supported here: ${result.stderr.trim()}`);
      // 0-10, lower is better; a dropped hardening line (ProtectSystem, NoNewPrivileges, ...) pushes it up.
      expect(Number(overall[1]), `${unit}: ${overall[0]}`).toBeLessThan(2.5);
    }
  });

  it('units run the installed bins with the installed configs and the agent keeps state where agent.yaml says', () => {
    for (const [unit, bin, config] of [
      ['hallmonitor-agent.service', 'hallmonitor-agent', 'agent.yaml'],
      ['hallmonitor-collector.service', 'hallmonitor-collector', 'collector.yaml'],
    ] as const) {
      const settings = unitSettings(unitPath(unit));
      expect(setting(settings, 'ExecStart')).toBe(`/usr/bin/env node /opt/hallmonitor/bin/${bin}.js run -c /etc/hallmonitor/${config}`);
      expect(existsSync(repo('bin', `${bin}.js`))).toBe(true);
      expect(setting(settings, 'User')).toBe('hallmonitor');
      expect(setting(settings, 'NoNewPrivileges')).toBe('yes');
      expect(setting(settings, 'ProtectSystem')).toBe('strict');
      expect(setting(settings, 'RestartPreventExitStatus')).toBe('2'); // contract/cli.ts: config errors exit 2
    }
    const agent = unitSettings(unitPath('hallmonitor-agent.service'));
    const stateDir = `/var/lib/${setting(agent, 'StateDirectory')}`;
    expect(loadConfigFile(repo('deploy', 'examples', 'agent.yaml'), agentConfigSchema).dataDir).toBe(stateDir);
    expect(readFileSync(repo('deploy', 'install', 'install-agent.sh'), 'utf8')).toContain(`STATE_DIR=${stateDir}`);
    const collector = unitSettings(unitPath('hallmonitor-collector.service'));
    expect(setting(collector, 'CapabilityBoundingSet')).toBe('');
  });

  /**
   * The agent unit's privilege design, emulated with setpriv (what systemd does with User=, NoNewPrivileges=,
   * CapabilityBoundingSet= and AmbientCapabilities=): the system ping works as an unprivileged user only with
   * the ambient CAP_NET_RAW, because no_new_privs makes the kernel ignore ping's own file capability.
   */
  it('agent unit: system ping and the trap port work under the unit\'s privileges, and fail without the ambient capabilities', (ctx) => {
    const setpriv = findProgram('setpriv');
    const ping = findProgram('ping');
    if (!isRoot() || !setpriv || !ping) {
      console.warn('deploy/systemd: ping privilege check needs root, setpriv and ping; skipped');
      return ctx.skip('needs root, setpriv and ping');
    }
    const unit = unitSettings(unitPath('hallmonitor-agent.service'));
    const caps = (key: string) => (setting(unit, key) ?? '').split(/\s+/).filter(Boolean).map((c) => c.replace(/^CAP_/, '').toLowerCase());
    expect(caps('AmbientCapabilities')).toEqual(['net_raw', 'net_bind_service']);
    expect(caps('CapabilityBoundingSet')).toEqual(['net_raw', 'net_bind_service']);
    const user = nobody();
    const base = [`--reuid=${user.uid}`, `--regid=${user.gid}`, '--clear-groups', '--no-new-privs', `--bounding-set=-all,+${caps('CapabilityBoundingSet').join(',+')}`];
    const ambient = [`--inh-caps=-all,+${caps('AmbientCapabilities').join(',+')}`, `--ambient-caps=+${caps('AmbientCapabilities').join(',+')}`];
    // Through sh, as node spawns it: the exec of ping happens in a process that holds only what the unit gives.
    const pingOnce = (extra: string[]) => run(setpriv, [...base, ...extra, 'sh', '-c', `exec ${ping} -c 1 -W 1 127.0.0.1`]);

    const granted = pingOnce(ambient);
    expect(granted.status, granted.stderr).toBe(0);
    // The trap port: a UDP port below 1024 (999 here: 162 may be held by another test's agent).
    const bindLow = (extra: string[]) =>
      run(setpriv, [...base, ...extra, process.execPath, '-e', "const s=require('node:dgram').createSocket('udp4');s.on('error',e=>{console.error(e.code);process.exit(1)});s.bind(999,'127.0.0.1',()=>s.close())"]);
    const bound = bindLow(ambient);
    expect(bound.status, bound.stderr).toBe(0);
    expect(bindLow([]).stderr).toMatch(/EACCES/);

    // Without the ambient capability ping can only fall back to an unprivileged ICMP socket, which
    // net.ipv4.ping_group_range allows only for the groups in its range (Debian 12's default "1 0": none).
    const [low, high] = readFileSync('/proc/sys/net/ipv4/ping_group_range', 'utf8').trim().split(/\s+/).map(Number);
    if (user.gid >= low! && user.gid <= high!) return ctx.skip(`ping_group_range ${low} ${high} lets any user ping; nothing to show`);
    const refused = pingOnce([]);
    expect(refused.status).not.toBe(0);
    expect(refused.stderr).toMatch(/Operation not permitted|cap_net_raw/);
  });
});

describe('deploy/docker: compose file sanity (Docker does not run here)', () => {
  const dockerDir = repo('deploy', 'docker');
  const compose = parse(readFileSync(join(dockerDir, 'docker-compose.yml'), 'utf8')) as {
    services: Record<string, { image?: string; build?: { context: string; dockerfile: string }; volumes?: string[] }>;
    volumes: Record<string, unknown>;
  };

  it('has InfluxDB 1.8, Grafana and the collector built from the Dockerfile on node:20-slim', () => {
    expect(compose.services['influxdb']?.image).toBe('influxdb:1.8');
    expect(compose.services['grafana']?.image).toMatch(/^grafana\/grafana:/);
    const build = compose.services['collector']?.build;
    const context = join(dockerDir, build!.context);
    const dockerfile = readFileSync(join(context, build!.dockerfile), 'utf8');
    expect(dockerfile).toMatch(/^FROM node:20-slim\b/m);
    expect(dockerfile).toContain('npm ci --omit=dev');
    // Every COPY source (but the build stage's output) exists in the context.
    for (const [, sources] of dockerfile.matchAll(/^COPY (?!--from)(.+) \S+$/gm)) {
      for (const source of sources!.split(' ')) expect(existsSync(join(context, source)), `COPY ${source}`).toBe(true);
    }
  });

  it('mounts exist: bind sources are files in this repository, named volumes are declared', () => {
    for (const [name, service] of Object.entries(compose.services)) {
      for (const volume of service.volumes ?? []) {
        const source = volume.split(':')[0]!;
        if (source.startsWith('.')) expect(existsSync(join(dockerDir, source)), `${name}: ${volume}`).toBe(true);
        else expect(compose.volumes, `${name}: ${volume}`).toHaveProperty(source);
      }
    }
  });

  it('the mounted collector config validates, and keeps the agents file in the writable volume', () => {
    const config = loadCollectorConfig(join(dockerDir, 'config', 'collector.yaml'));
    expect(config.influx.url).toBe('http://influxdb:8086');
    expect(compose.services['collector']?.volumes).toContain('collector-state:/var/lib/hallmonitor-collector');
    expect(config.agentsFile).toBe('/var/lib/hallmonitor-collector/agents.yaml');
    expect(statSync(config.sitesDir).isDirectory()).toBe(true);
  });
});

