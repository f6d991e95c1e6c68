// Tokens that look like what SALTO's identity server hands out: a JWT-shaped access token
// (the simulator never verifies its signature — it looks tokens up) and opaque refresh tokens.
import { randomBytes, randomUUID } from 'node:crypto';

export function jwtLikeAccessToken(claims: {
  sub: string;
  client_id: string;
  scope: string;
  exp: number;
}): string {
  const part = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');
  const header = part({ alg: 'RS256', typ: 'at+jwt' });
  const payload = part({ ...claims, iat: Math.floor(Date.now() / 1000), jti: randomUUID() });
  return `${header}.${payload}.${randomBytes(32).toString('base64url')}`;
}

export function opaqueToken(): string {
  return randomBytes(32).toString('base64url');
}
