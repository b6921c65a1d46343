/**
 * The MQTT 3.1.1 fixed header read ahead of the packet parser (§2.2): each packet's type and declared length
 * are checked before any of its body is buffered, so a CONNECT declaring 200 MB is refused at its second byte
 * rather than after 200 MB were held. aedes (and mqtt-packet below it) has no maximum packet size; this is
 * where one is enforced, as EMQX, Mosquitto and RabbitMQ do in their socket readers.
 * Pure: bytes in, a verdict out.
 */

/** Packet types, §2.2.1 table 2.1. */
export const CONNECT = 1;
export const PUBLISH = 3;
export const SUBSCRIBE = 8;
export const UNSUBSCRIBE = 10;
/** §3.6 PUBREL and §3.12 PINGREQ: with SUBSCRIBE and UNSUBSCRIBE, the packets the broker answers by itself. */
export const PUBREL = 6;
export const PINGREQ = 12;
const ANSWERED = new Set([PUBREL, SUBSCRIBE, UNSUBSCRIBE, PINGREQ]);

/**
 * Where the bytes go when the framing also forwards them (createFraming's `sink`): to the packet parser, in
 * order, except the payload of a PUBLISH over `dropPayloadAbove`, which is never held: the parser gets the
 * same PUBLISH with its topic and packet id and an empty payload, and `skipped` says how many payload bytes
 * were dropped (the broker acknowledges, counts and charges them as a message too large). A 4 MiB flood then
 * costs the collector a few bytes of memory per message, not 4 MiB of buffers and copies each.
 */
export interface FramingSink {
  pass(bytes: Uint8Array): void;
  skipped(payloadBytes: number): void;
}

export interface FramingLimits {
  /** Largest CONNECT, and the most bytes read in total before the login succeeded. */
  connectMaxBytes: number;
  /** Largest PUBLISH after login (fixed header excluded). */
  publishMaxBytes: number;
  /** Largest other packet after login: SUBSCRIBE and UNSUBSCRIBE are the only ones that can grow. */
  controlMaxBytes: number;
  /** With a sink: a PUBLISH payload longer than this (after login) is dropped at the socket. */
  dropPayloadAbove?: number;
  /**
   * After login, the most packets the broker answers by itself (PINGREQ, SUBSCRIBE, UNSUBSCRIBE, PUBREL) in one
   * read. An agent sends one PINGREQ per keep-alive and subscribes once, so a read holding more is a flood: each
   * costs an answer in memory until the client reads it, and one 1 MiB read of PINGREQs is half a million.
   */
  answeredPerReadMax?: number;
}

/** Why a connection's input was refused; stable strings, used as counter and log keys. */
export type FramingRefusal =
  | 'connect too large' | 'not a CONNECT first' | 'too much before login' | 'packet too large' | 'malformed remaining length' | 'reserved packet type'
  | 'malformed publish' | 'control flood';

export interface Framing {
  /** Checks the next bytes read from the connection (and with a sink, forwards them); a refusal is final. */
  feed(chunk: Uint8Array): FramingRefusal | undefined;
  /** The login succeeded: the after-login limits apply from the next packet on. */
  loggedIn(): void;
}

/** §2.2.3 Remaining Length: seven bits a byte, low first, the high bit saying another follows. */
export function encodeRemainingLength(length: number): number[] {
  const bytes: number[] = [];
  do {
    let b = length % 128;
    length = Math.floor(length / 128);
    if (length > 0) b |= 0x80;
    bytes.push(b);
  } while (length > 0);
  return bytes;
}

export function createFraming(limits: FramingLimits, sink?: FramingSink): Framing {
  let authenticated = false;
  let packets = 0;
  let readBeforeLogin = 0;
  // Where in the current packet we are: reading the type byte, the length bytes, or skipping the body.
  // With a sink, 'prefix' collects an oversized PUBLISH's topic and packet id, and a body is passed or skipped.
  let state: 'type' | 'length' | 'body' | 'prefix' = 'type';
  let type = 0;
  let first = 0;
  /** The current packet's bytes are not forwarded as read: its variable header is being read, or its payload dropped. */
  let held = false;
  /** Fixed-header bytes of the current packet read in an earlier chunk and not forwarded yet. */
  let heldHeader: number[] = [];
  /** The oversized PUBLISH's variable header: topic length, topic, packet id (§3.3.2). */
  let prefix: number[] = [];
  let prefixNeed = 2;
  let length = 0;
  let multiplier = 1;
  let lengthBytes = 0;
  let bodyLeft = 0;
  let refused: FramingRefusal | undefined;
  /** Packets the broker answers by itself, in the current read. */
  let answered = 0;

  const limitFor = (t: number): number => {
    if (!authenticated) return limits.connectMaxBytes;
    return t === PUBLISH ? limits.publishMaxBytes : limits.controlMaxBytes;
  };

  const headerDone = (): FramingRefusal | undefined => {
    packets++;
    if (packets === 1 && type !== CONNECT) return 'not a CONNECT first'; // [MQTT-3.1.0-1]
    if (length > limitFor(type)) return packets === 1 ? 'connect too large' : 'packet too large';
    if (authenticated && limits.answeredPerReadMax !== undefined && ANSWERED.has(type) && ++answered > limits.answeredPerReadMax) return 'control flood';
    bodyLeft = length;
    // Only a PUBLISH longer than the payload limit can carry too large a payload; its topic decides.
    held = sink !== undefined && authenticated && type === PUBLISH && limits.dropPayloadAbove !== undefined && length > limits.dropPayloadAbove;
    if (held) {
      prefix = [];
      prefixNeed = 2;
      state = 'prefix';
    } else state = bodyLeft === 0 ? 'type' : 'body';
    return undefined;
  };

  /**
   * The variable header is read: a payload over the limit is dropped, and the parser gets the same PUBLISH
   * without it; one within the limit goes on as it came. Answers whether the rest is dropped.
   */
  const prefixDone = (): boolean => {
    state = bodyLeft === 0 ? 'type' : 'body';
    if (bodyLeft > limits.dropPayloadAbove!) {
      // Told first, so the receiver knows what the PUBLISH it is about to get lost.
      sink!.skipped(bodyLeft);
      sink!.pass(Uint8Array.from([first, ...encodeRemainingLength(prefix.length), ...prefix]));
      return true;
    }
    sink!.pass(Uint8Array.from([first, ...encodeRemainingLength(length), ...prefix]));
    return false;
  };

  return {
    feed(chunk) {
      if (refused) return refused;
      answered = 0;
      if (!authenticated) {
        readBeforeLogin += chunk.length;
        // A CONNECT's header is at most 5 bytes; a client may pipeline a few small packets behind it.
        if (readBeforeLogin > limits.connectMaxBytes + 5 + limits.controlMaxBytes) return (refused = 'too much before login');
      }
      // With a sink: bytes from passFrom on are forwarded as one slice when the chunk ends or a skip begins;
      // a fixed header is forwarded only once it is complete, so a skipped packet's header is never passed.
      let passFrom = 0;
      let headerStart = 0;
      const flush = (to: number): void => {
        if (sink && to > passFrom) sink.pass(chunk.subarray(passFrom, to));
      };
      let i = 0;
      while (i < chunk.length) {
        if (state === 'body') {
          const take = Math.min(bodyLeft, chunk.length - i);
          bodyLeft -= take;
          i += take;
          if (bodyLeft === 0) {
            state = 'type';
            if (held) {
              held = false;
              passFrom = i;
            }
          }
          continue;
        }
        if (state === 'prefix') {
          const byte = chunk[i++]!;
          prefix.push(byte);
          bodyLeft--;
          if (prefix.length === 2) {
            const qos = (first >> 1) & 3;
            prefixNeed = 2 + ((prefix[0]! << 8) | prefix[1]!) + (qos > 0 ? 2 : 0);
            if (qos === 3 || prefixNeed > length) return (refused = 'malformed publish'); // §3.3.1.2: QoS 3 is malformed
          }
          if (prefix.length === prefixNeed && (!prefixDone() || bodyLeft === 0)) {
            // From here the packet's bytes go on as read (or the next packet's do).
            held = false;
            passFrom = i;
          }
          continue;
        }
        const byte = chunk[i++]!;
        if (state === 'type') {
          headerStart = i - 1;
          heldHeader = [];
          first = byte;
          type = byte >> 4;
          if (type === 0 || type === 15) return (refused = 'reserved packet type'); // §2.2.1: 0 and 15 are reserved
          state = 'length';
          length = 0;
          multiplier = 1;
          lengthBytes = 0;
          continue;
        }
        // §2.2.3: up to four bytes, seven bits each, the high bit saying another follows.
        length += (byte & 0x7f) * multiplier;
        multiplier *= 128;
        lengthBytes++;
        if (byte & 0x80) {
          if (lengthBytes === 4) return (refused = 'malformed remaining length');
          // Refuse as soon as the bytes read so far already exceed the limit.
          if (length > limitFor(type)) return (refused = packets === 0 ? 'connect too large' : 'packet too large');
          continue;
        }
        const verdict = headerDone();
        if (verdict) return (refused = verdict);
        if (sink) {
          if (held) {
            // Everything before this packet's header goes on; the header itself and the body do not.
            flush(headerStart);
            heldHeader = [];
            passFrom = chunk.length;
          } else if (heldHeader.length > 0) {
            // The header began in the last chunk: its first bytes go now, the rest is in this chunk's slice.
            sink.pass(Uint8Array.from(heldHeader));
            heldHeader = [];
          }
        }
      }
      if (sink) {
        // A header cut by the chunk's end waits until it is known whether its packet is skipped.
        if (state === 'length' && !held) {
          heldHeader.push(...chunk.subarray(Math.max(passFrom, headerStart), chunk.length));
          flush(Math.max(passFrom, headerStart));
        } else if (!held) flush(chunk.length);
      }
      return undefined;
    },
    loggedIn() {
      authenticated = true;
    },
  };
}
