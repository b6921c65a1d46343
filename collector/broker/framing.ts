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

export interface FramingLimits {
  /** Largest CONNECT, and the most bytes read in total before the login succeeded. */
  connectMaxBytes: number;
  /** Largest PUBLISH after login (fixed header excluded). */
  publishMaxBytes: number;
  /** Largest other packet after login: SUBSCRIBE and UNSUBSCRIBE are the only ones that can grow. */
  controlMaxBytes: number;
}

/** Why a connection's input was refused; stable strings, used as counter and log keys. */
export type FramingRefusal = 'connect too large' | 'not a CONNECT first' | 'too much before login' | 'packet too large' | 'malformed remaining length' | 'reserved packet type';

export interface Framing {
  /** Checks the next bytes read from the connection; a refusal is final. */
  feed(chunk: Uint8Array): FramingRefusal | undefined;
  /** The login succeeded: the after-login limits apply from the next packet on. */
  loggedIn(): void;
}

export function createFraming(limits: FramingLimits): Framing {
  let authenticated = false;
  let packets = 0;
  let readBeforeLogin = 0;
  // Where in the current packet we are: reading the type byte, the length bytes, or skipping the body.
  let state: 'type' | 'length' | 'body' = 'type';
  let type = 0;
  let length = 0;
  let multiplier = 1;
  let lengthBytes = 0;
  let bodyLeft = 0;
  let refused: FramingRefusal | undefined;

  const limitFor = (t: number): number => {
    if (!authenticated) return limits.connectMaxBytes;
    return t === PUBLISH ? limits.publishMaxBytes : limits.controlMaxBytes;
  };

  const headerDone = (): FramingRefusal | undefined => {
    packets++;
    if (packets === 1 && type !== CONNECT) return 'not a CONNECT first'; // [MQTT-3.1.0-1]
    if (length > limitFor(type)) return packets === 1 ? 'connect too large' : 'packet too large';
    bodyLeft = length;
    state = bodyLeft === 0 ? 'type' : 'body';
    return undefined;
  };

  return {
    feed(chunk) {
      if (refused) return refused;
      if (!authenticated) {
        readBeforeLogin += chunk.length;
        // A CONNECT's header is at most 5 bytes; a client may pipeline a few small packets behind it.
        if (readBeforeLogin > limits.connectMaxBytes + 5 + limits.controlMaxBytes) return (refused = 'too much before login');
      }
      let i = 0;
      while (i < chunk.length) {
        if (state === 'body') {
          const take = Math.min(bodyLeft, chunk.length - i);
          bodyLeft -= take;
          i += take;
          if (bodyLeft === 0) state = 'type';
          continue;
        }
        const byte = chunk[i++]!;
        if (state === 'type') {
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
      }
      return undefined;
    },
    loggedIn() {
      authenticated = true;
    },
  };
}
