import { createHash, createHmac, pbkdf2Sync, randomBytes } from 'node:crypto';
import { chmod, readFile, stat } from 'node:fs/promises';
import { writePrivateFile } from './files.js';

/** The superuser password of one data directory: 256 random bits, URL-safe (it goes into the connection URL). */
export function newSecret(): string {
  return randomBytes(32).toString('base64url');
}

export async function writeSecret(file: string, secret: string): Promise<void> {
  await writePrivateFile(file, `${secret}\n`);
}

/** The secret, or null when the file does not exist. A file others could read is tightened to 0600 first. */
export async function readSecret(file: string, log: (message: string) => void): Promise<string | null> {
  const info = await stat(file).catch(() => null);
  if (!info) return null;
  if ((info.mode & 0o077) !== 0) {
    await chmod(file, 0o600);
    log(`${file} was readable by others (mode ${(info.mode & 0o777).toString(8)}): set to 0600`);
  }
  const secret = (await readFile(file, 'utf8')).trim();
  if (!secret) throw new Error(`embedded PostgreSQL: ${file} is empty`);
  return secret;
}

/**
 * The SCRAM-SHA-256 verifier PostgreSQL stores for `secret` (RFC 5802/7677, PostgreSQL's
 * `SCRAM-SHA-256$<iterations>:<salt>$<StoredKey>:<ServerKey>` form). initdb's --pwfile gets
 * this instead of the secret: PostgreSQL keeps a password that is already a verifier as it is,
 * so the secret itself is never written anywhere but the secret file. (The secret is ASCII, so
 * SASLprep leaves it unchanged.)
 */
export function scramVerifier(secret: string, iterations = 4096): string {
  const salt = randomBytes(16);
  const salted = pbkdf2Sync(secret, salt, iterations, 32, 'sha256');
  const clientKey = createHmac('sha256', salted).update('Client Key').digest();
  const storedKey = createHash('sha256').update(clientKey).digest();
  const serverKey = createHmac('sha256', salted).update('Server Key').digest();
  return `SCRAM-SHA-256$${iterations}:${salt.toString('base64')}$${storedKey.toString('base64')}:${serverKey.toString('base64')}`;
}
