import { readFileSync } from 'node:fs';
import { simpleParser, type ParsedMail } from 'mailparser';
import { SMTPServer } from 'smtp-server';
import { waitFor } from '../../../test/harness/index.ts';

/** A real SMTP server (smtp-server, in-process) on loopback that keeps what it receives, for tests. */
export interface SmtpReceiver {
  readonly host: string;
  readonly port: number;
  /** Every message accepted, parsed, in order of arrival. */
  readonly messages: ParsedMail[];
  /** Connection attempts that reached the server (accepted or not). */
  readonly connections: number;
  /** Each AUTH the server saw: whether the session was encrypted by then. */
  readonly logins: { secure: boolean }[];
  /** Answer the next `count` recipients (RCPT TO) with this reply code, e.g. 451 (try later) or 550 (no such user). */
  refuseNext(count: number, code: number): void;
  /** Refuse every recipient with `code` until `accept()`. */
  refuseAll(code: number): void;
  accept(): void;
  /** Answer every AUTH with 535 (bad credentials), or stop doing so. */
  rejectLogins(reject: boolean): void;
  /** Resolves once at least `count` messages arrived (polls; rejects after `timeoutMs`). */
  waitForMessages(count: number, timeoutMs?: number): Promise<ParsedMail[]>;
  /** Stop listening (the port then refuses connections); `start()` listens again on the same port. */
  stop(): Promise<void>;
  start(): Promise<void>;
}

export interface SmtpReceiverOptions {
  port: number;
  host?: string;
  /** When given, the server requires AUTH with exactly these credentials. */
  auth?: { user: string; pass: string };
  /** PEM files: the server offers STARTTLS and takes AUTH only after it; without, AUTH over plain TCP (loopback). */
  tls?: { key: string; cert: string };
}

export async function startSmtpReceiver(options: SmtpReceiverOptions): Promise<SmtpReceiver> {
  const host = options.host ?? '127.0.0.1';
  const messages: ParsedMail[] = [];
  let connections = 0;
  const logins: { secure: boolean }[] = [];
  const tls = options.tls ? { key: readFileSync(options.tls.key), cert: readFileSync(options.tls.cert) } : {};
  let refusals: { left: number; code: number } = { left: 0, code: 451 };
  let server: SMTPServer | undefined;
  let rejectingLogins = false;

  const make = () =>
    new SMTPServer({
      logger: false,
      ...tls,
      disabledCommands: [...(options.tls ? [] : ['STARTTLS']), ...(options.auth ? [] : ['AUTH'])],
      authOptional: options.auth === undefined,
      allowInsecureAuth: options.tls === undefined,
      disableReverseLookup: true,
      closeTimeout: 200,
      onConnect(_session, done) {
        connections += 1;
        done();
      },
      onAuth(auth, session, done) {
        logins.push({ secure: session.secure });
        if (!rejectingLogins && options.auth && auth.username === options.auth.user && auth.password === options.auth.pass) return done(null, { user: auth.username });
        done(Object.assign(new Error('Invalid username or password'), { responseCode: 535 }));
      },
      onRcptTo(_address, _session, done) {
        if (refusals.left > 0) {
          refusals.left -= 1;
          const code = refusals.code;
          return done(Object.assign(new Error(code < 500 ? 'Try again later' : 'No such mailbox here'), { responseCode: code }));
        }
        done();
      },
      onData(stream, _session, done) {
        simpleParser(stream)
          .then((mail) => {
            messages.push(mail);
            done();
          })
          .catch((err: Error) => done(err));
      },
    });

  const receiver: SmtpReceiver = {
    host,
    port: options.port,
    messages,
    get connections() {
      return connections;
    },
    logins,
    refuseNext(count, code) {
      refusals = { left: count, code };
    },
    refuseAll(code) {
      refusals = { left: Number.POSITIVE_INFINITY, code };
    },
    accept() {
      refusals = { left: 0, code: 451 };
    },
    rejectLogins(reject) {
      rejectingLogins = reject;
    },
    async waitForMessages(count, timeoutMs = 10_000) {
      await waitFor(() => messages.length >= count, { timeoutMs, what: `${count} messages in the SMTP receiver` });
      return messages;
    },
    async stop() {
      const s = server;
      server = undefined;
      if (s) await new Promise<void>((resolve) => s.close(() => resolve()));
    },
    async start() {
      if (server) return;
      const s = make();
      // A client that drops its connection mid-session (a dispatcher killed on purpose) is an 'error' event of
      // smtp-server; unheard, it would be an uncaught exception in the test process.
      s.on('error', () => undefined);
      await new Promise<void>((resolve, reject) => {
        s.server.once('error', reject);
        s.listen(options.port, host, () => resolve());
      });
      server = s;
    },
  };
  await receiver.start();
  return receiver;
}
