import { makeTempDir } from '../../../test/harness/index.ts';
import { makeTestCertificates } from '../../../test/security/certs.ts';

let made: { key: string; cert: string } | undefined;

/** A server key and certificate for 127.0.0.1 from a throwaway test CA, made once per test file (openssl). */
export function testTls(): { key: string; cert: string } {
  if (made === undefined) {
    const { key, cert } = makeTestCertificates(makeTempDir('notify-tls').path);
    made = { key, cert };
  }
  return made;
}
