import { agentClientId } from '../../contract/index.ts';
import type { Socket } from 'node:net';
import type { AedesOptions, AuthenticateError, Client, ConnectPacket, PublishPacket } from 'aedes';
import { idSchema, parseTopic, type Logger } from '../../contract/index.ts';
import type { AgentDirectory } from '../agents/directory.ts';
import type { AgentEntry } from '../agents/schema.ts';
import { verifyNothing, verifyPassword } from '../agents/password.ts';
import { checkPublish, checkSubscribe, checkWill, quote, type AgentIdentity } from './acl.ts';
import type { LimitedLog } from './log-limit.ts';
import type { LoginPenalty } from './penalty.ts';
import type { AgentRates } from './rate.ts';

/**
 * Called for every publish an agent may make (its will included) before aedes acknowledges it: the ingest
 * makes the message durable here, so the PUBACK means "kept". A rejection closes the connection unacked.
 * For a will the packet is the CONNECT will (topic, payload, qos, retain): no cmd, messageId or dup.
 */
export type OnPublish = (packet: PublishPacket, from: AgentIdentity) => Promise<void>;

/**
 * Rejects since start, by kind; `publishFailed` counts onPublish rejections (not a client's fault).
 * `authDelayed` counts logins held back after failures from the same address; `revokedDisconnects` counts
 * connected agents closed because they were revoked; `oversizeRejected` publishes over maxMessageBytes.
 */
export interface BrokerStats {
  authFailures: number;
  authDelayed: number;
  revokedDisconnects: number;
  oversizeRejected: number;
  publishDenied: number;
  subscribeDenied: number;
  publishFailed: number;
  /** Connections closed at accept (admission.ts) and for a packet over its size or malformed framing (framing.ts). */
  connectionsRefused: number;
  packetsRefused: number;
  /** Publishes whose acknowledgement waited for the agent's rate budget (rate.ts). */
  publishesSlowed: number;
}

/**
 * Messages of one agent inside the ingest at once. The ingest takes messages one event-loop turn each, in
 * arrival order; without this bound a burst from one agent would queue ahead of every other agent's next
 * message. With it, another agent's message waits behind at most this many of each busy agent's. It is the
 * agent's own window (agent/publish), so a replayed window still shares one write-ahead-log commit.
 */
export const MAX_IN_INGEST = 20;

/** Subscriptions one agent connection may hold; an agent needs one, its site's config topic. */
export const MAX_SUBSCRIPTIONS = 8;

// CONNACK return codes, MQTT 3.1.1 table 3.1.
const IDENTIFIER_REJECTED = 2;
const SERVER_UNAVAILABLE = 3;
const BAD_USERNAME_OR_PASSWORD = 4;
const NOT_AUTHORIZED = 5;

export interface HookContext {
  agents: AgentDirectory;
  log: Logger;
  onPublish: OnPublish;
  stats: BrokerStats;
  penalty: LoginPenalty;
  /** Publishes with a larger payload are refused (the connection is closed) and counted. */
  maxMessageBytes: number;
  /** The payload size the agent sent, where the broker dropped the payload at the socket (framing.ts). */
  payloadBytes?: (packet: PublishPacket) => number | undefined;
  /** While the collector shuts down nothing is accepted, so no agent's will marks its school offline. */
  closing: () => boolean;
  /** Warnings a client can cause, at most one line per who and reason a minute (log-limit.ts). */
  limited: LimitedLog;
  rates: AgentRates;
  /** A logged-in agent's publish, subscribe or message was refused (counted per agent and reason by the ingest). */
  onRefusal?: (who: AgentIdentity, reason: BrokerRefusal) => void;
  /** The login succeeded: the connection's after-login limits apply. */
  onLogin: (client: Client) => void;
  /** Reads nothing more from this connection for `ms` (its agent is over budget)... */
  holdReads: (client: Client, ms: number) => void;
  /** ...or until reads are allowed again (its agent has MAX_IN_INGEST messages in the ingest). */
  pauseReads: (client: Client, paused: boolean) => void;
  /** Whether the ingest holds any message of this connection now (aedes reads no more of it meanwhile). */
  holdingMessages: (client: Client, holding: boolean) => void;
}

/** What the broker refuses of a logged-in agent; the same words as the ingest's BrokerRefusalReason. */
export type BrokerRefusal = 'publish-denied' | 'subscribe-denied' | 'message-too-large' | 'packet-refused';

type Hooks = Required<Pick<AedesOptions, 'preConnect' | 'authenticate' | 'authorizePublish' | 'authorizeSubscribe'>>;
type Will = ConnectPacket['will'];

export function createHooks(ctx: HookContext): Hooks & { identityOf(client: Client): AgentIdentity | undefined } {
  const { agents, log, stats, limited } = ctx;
  const identities = new WeakMap<Client, AgentIdentity>();
  const wills = new WeakMap<Client, NonNullable<Will>>();
  const subscriptions = new WeakMap<Client, number>();
  const inIngest = new Map<string, { running: number; queue: Array<() => void> }>();
  /** Runs `work` when the agent has fewer than MAX_IN_INGEST messages in the ingest; its connection reads nothing while it waits. */
  const fairly = (agent: string, client: Client | null, work: (finished: () => void) => void): void => {
    const slot = inIngest.get(agent) ?? { running: 0, queue: [] };
    inIngest.set(agent, slot);
    const start = (): void => {
      if (slot.running++ === 0 && client) ctx.holdingMessages(client, true);
      work(() => {
        slot.running--;
        const next = slot.queue.shift();
        if (next) return next();
        if (client) ctx.pauseReads(client, false);
        if (slot.running === 0) {
          inIngest.delete(agent);
          if (client) ctx.holdingMessages(client, false);
        }
      });
    };
    if (slot.running < MAX_IN_INGEST) return start();
    if (client) ctx.pauseReads(client, true);
    slot.queue.push(start);
  };
  /** Connections already refused one subscribe or publish: they are being closed, the rest of their packet is not looked at. */
  const denied = new WeakSet<Client>();

  const deny = (kind: 'publish' | 'subscribe', who: Partial<AgentIdentity>, topic: string, reason: string, client?: Client | null): void => {
    if (kind === 'publish') stats.publishDenied++;
    else stats.subscribeDenied++;
    // The connection is closed; its next login (same agent, same address) waits as after a wrong password, so a
    // broken or hostile agent reconnecting to try again costs a held CONNACK, not a password hash each time.
    const remote = (client?.conn as Socket | undefined)?.remoteAddress;
    if (remote && who.agent) ctx.penalty.failed(remote, who.agent);
    if (who.agent !== undefined && who.site !== undefined) ctx.onRefusal?.({ agent: who.agent, site: who.site }, `${kind}-denied`);
    limited.warn({ agent: who.agent, site: who.site }, reason, { topic: quote(topic) }, `${kind} denied`);
  };

  /** A will aedes publishes after its client object is gone (a dead broker's): trust its topic only for a live agent. */
  const orphanWillIdentity = (topic: string): AgentIdentity | undefined => {
    const parsed = parseTopic(topic);
    const entry = parsed?.kind === 'status' && parsed.agent ? agents.lookup(parsed.agent) : undefined;
    if (!entry || entry.site !== parsed?.site || entry.revokedAt !== undefined) return undefined;
    return { agent: entry.id, site: entry.site };
  };

  return {
    identityOf: (client) => identities.get(client),

    preConnect(client, packet, done) {
      if (packet.will) wills.set(client, packet.will);
      done(null, true);
    },

    authenticate(client, username, password, done) {
      const remote = (client.conn as Socket).remoteAddress ?? 'unknown';
      // The username is logged only once it looks like an agent id: a password typed into it must not leak.
      const agent = username !== undefined && idSchema.safeParse(username).success ? username : undefined;
      /** `guess`: a failure that could be someone trying passwords, so it slows that address down. */
      const refuse = (code: number, reason: string, guess: boolean): void => {
        stats.authFailures++;
        const failures = guess ? ctx.penalty.failed(remote, agent) : 0;
        const fields = { clientId: quote(client.id) };
        if (failures <= 1) limited.warn({ agent, remote }, reason, fields, 'connection refused');
        else log.debug({ agent, remote, reason, ...fields }, 'connection refused');
        if (failures === 2) {
          // Once per burst: the burst ends after the quiet period or a successful login from this address.
          log.warn({ agent, remote, failures }, 'repeated login failures: slowing logins from this address down');
        }
        done(Object.assign(new Error(reason), { returnCode: code }) as AuthenticateError, null);
      };
      const check = (): void => {
        if (username === undefined || username === '') return refuse(NOT_AUTHORIZED, 'anonymous connections are not accepted', true);
        if (agent === undefined) return refuse(BAD_USERNAME_OR_PASSWORD, 'username is not an agent id', true);
        if (password === undefined || password.length === 0) return refuse(BAD_USERNAME_OR_PASSWORD, 'no password', true);
        let entry: AgentEntry | undefined;
        try {
          entry = agents.lookup(agent);
        } catch (err) {
          log.error({ agent, err: (err as Error).message }, 'agent directory unavailable');
          return refuse(SERVER_UNAVAILABLE, 'agent directory unavailable', false);
        }
        (entry ? verifyPassword(entry, password) : verifyNothing(password)).then(
          (match) => {
            if (!entry) return refuse(BAD_USERNAME_OR_PASSWORD, 'unknown agent', true);
            if (!match) return refuse(BAD_USERNAME_OR_PASSWORD, 'wrong password', true);
            if (entry.revokedAt !== undefined) return refuse(BAD_USERNAME_OR_PASSWORD, `agent revoked at ${entry.revokedAt}`, true);
            ctx.penalty.succeeded(remote, agent);
            const who = { agent: entry.id, site: entry.site };
            // [MQTT-3.1.3-9]: a rejected client id gets return code 2.
            if (client.id !== agentClientId(entry.id)) return refuse(IDENTIFIER_REJECTED, `client id must be "${agentClientId(entry.id)}"`, false);
            const will = wills.get(client);
            const willVerdict = will ? checkWill(who, will.topic) : { ok: true as const };
            if (!willVerdict.ok) return refuse(NOT_AUTHORIZED, willVerdict.reason, false);
            identities.set(client, who);
            ctx.onLogin(client);
            log.info({ ...who, remote }, 'agent connected');
            done(null, true);
          },
          (err: Error) => {
            log.error({ agent, err: err.message }, 'password check failed');
            refuse(SERVER_UNAVAILABLE, 'password check failed', false);
          },
        );
      };
      // The CONNACK waits (MQTT 3.1.1 §3.2 sets no deadline for it); the password is not even hashed meanwhile.
      const hold = ctx.penalty.holdMs(remote, agent);
      if (hold === 0) return check();
      stats.authDelayed++;
      setTimeout(check, hold).unref();
    },

    authorizePublish(client, packet, done) {
      if (ctx.closing()) return done(new Error('collector is shutting down'));
      const who = client ? identities.get(client) : orphanWillIdentity(packet.topic);
      if (!who) {
        deny('publish', {}, packet.topic, 'no agent identity');
        return done(new Error('publish denied: no agent identity'));
      }
      // Agents publish at QoS 1. A QoS 2 message is held by aedes, whole, until its PUBREL (§4.3.3), which need
      // never come: up to 1,000 per connection, each up to the largest packet. It is refused before anything is
      // kept. A will is not a client PUBLISH (no cmd): its QoS only sets how the broker delivers it.
      const verdict = packet.cmd === 'publish' && packet.qos === 2 ? { ok: false as const, reason: 'QoS 2 is not accepted from agents (they publish at QoS 1)' } : checkPublish(who, packet.topic, packet.retain === true);
      if (!verdict.ok) {
        // [MQTT-3.3.5-2]: an unauthorised PUBLISH cannot be refused in 3.1.1; the connection is closed instead.
        if (client) {
          if (denied.has(client)) return done(new Error('publish denied'));
          denied.add(client);
        }
        deny('publish', who, packet.topic, verdict.reason, client);
        return done(new Error(`publish denied: ${verdict.reason}`));
      }
      const bytes = ctx.payloadBytes?.(packet) ?? packet.payload.length;
      const pass = (): void => {
        if (bytes > ctx.maxMessageBytes) {
          // Acknowledged and dropped, like any other bad input the ingest counts: closing the connection instead
          // would make the agent resend the same message from its spool after every reconnect, for ever.
          stats.oversizeRejected++;
          ctx.onRefusal?.(who, 'message-too-large');
          limited.warn(who, 'message too large', { topic: quote(packet.topic), bytes, limit: ctx.maxMessageBytes }, 'message too large: dropped');
          return done(null);
        }
        fairly(who.agent, client, (finished) =>
          ctx.onPublish(packet, who).then(
            () => {
              finished();
              done(null);
            },
            (err: Error) => {
              finished();
              stats.publishFailed++;
              log.error({ ...who, topic: quote(packet.topic), err: err.message }, 'publish not accepted; closing unacknowledged');
              done(err);
            },
          ),
        );
      };
      // Every byte read counts against the agent's budget, dropped ones too: reading and parsing is the cost.
      // A will is the agent's last word, not part of a flood: it is not held back.
      const wait = client ? ctx.rates.take(who.agent, bytes) : 0;
      if (wait === 0) return pass();
      // aedes reads on while acknowledgements are pending (its 'readable' handler counts as a finished batch),
      // so the connection's reads are stopped as well: what the agent sends meanwhile waits in TCP, not here.
      if (client) ctx.holdReads(client, wait);
      stats.publishesSlowed++;
      limited.warn(who, 'over its message rate', { waitMs: wait }, 'agent over its message rate: acknowledgements slowed');
      setTimeout(pass, wait).unref();
    },

    authorizeSubscribe(client, subscription, done) {
      // One denied filter closes the connection, and the packet's other filters are not even looked at: a
      // SUBSCRIBE with thousands of foreign filters costs one check and one log line.
      if (denied.has(client)) return done(new Error('subscribe denied'));
      const who = identities.get(client);
      const count = (subscriptions.get(client) ?? 0) + 1;
      subscriptions.set(client, count);
      const verdict = !who
        ? { ok: false as const, reason: 'no agent identity' }
        : count > MAX_SUBSCRIPTIONS
          ? { ok: false as const, reason: `more than ${MAX_SUBSCRIPTIONS} subscriptions` }
          : checkSubscribe(who, subscription.topic);
      if (!verdict.ok) {
        denied.add(client);
        deny('subscribe', who ?? {}, subscription.topic, verdict.reason, client);
        // A 3.1.1 broker may answer 0x80 (§3.9.3), but an agent asking for another site's topics is broken or
        // hostile: closing it stops the flood of retried subscribes a SUBACK failure invites.
        return done(new Error(`subscribe denied: ${verdict.reason}`));
      }
      done(null, subscription);
    },
  };
}
