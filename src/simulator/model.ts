// The simulator's data: what one SALTO KS account holds, plus the identity server's tokens.
// Plain JSON so that it can be written to the state file as it is.

export interface SimRole {
  id: string;
  code: string;
  customer_reference: string;
}

export interface SimAccessGroup {
  id: string;
  customer_reference: string;
  /** Platform user ids (membership is keyed by the platform user, contract §2). */
  members: string[];
}

export interface SimSiteUser {
  /** The site user's own id. */
  id: string;
  /** The embedded platform user's id. */
  userId: string;
  first_name: string;
  last_name: string;
  email: string;
  alias: string | null;
  blocked: boolean;
  subscription_state: 'subscribed' | 'suspended';
  roleIds: string[];
  /** Epoch ms; drives the eventual-consistency fault. */
  createdAt: number;
}

export interface SimSite {
  id: string;
  site_uid: string;
  customer_reference: string;
  time_zone: string;
  /** Paid seats; null = unlimited. Users created beyond it are "suspended". */
  seats: number | null;
  roles: SimRole[];
  access_groups: SimAccessGroup[];
  users: SimSiteUser[];
}

export interface SimAccessToken {
  clientId: string;
  subject: string;
  expiresAt: number;
}

export interface SimRefreshToken {
  clientId: string;
  subject: string;
}

export interface SimAuthorizationCode {
  clientId: string;
  subject: string;
  redirectUri: string;
  codeChallenge: string;
  scope: string;
  expiresAt: number;
}

export interface SimData {
  clients: Record<string, string>;
  systemUsers: Record<string, string>;
  tokenTtlSeconds: number;
  sites: SimSite[];
  accessTokens: Record<string, SimAccessToken>;
  refreshTokens: Record<string, SimRefreshToken>;
  authorizationCodes: Record<string, SimAuthorizationCode>;
}

/** GET /__sim/state (contract §3). */
export interface SimStateView {
  sites: {
    id: string;
    site_uid: string;
    customer_reference: string;
    time_zone: string;
    users: {
      id: string;
      userId: string;
      email: string;
      first_name: string;
      last_name: string;
      alias: string | null;
      blocked: boolean;
      subscription_state: 'subscribed' | 'suspended';
    }[];
    access_groups: { id: string; customer_reference: string; members: string[] }[];
  }[];
}

export function stateView(data: SimData): SimStateView {
  return {
    sites: data.sites.map((site) => ({
      id: site.id,
      site_uid: site.site_uid,
      customer_reference: site.customer_reference,
      time_zone: site.time_zone,
      users: site.users.map((u) => ({
        id: u.id,
        userId: u.userId,
        email: u.email,
        first_name: u.first_name,
        last_name: u.last_name,
        alias: u.alias,
        blocked: u.blocked,
        subscription_state: u.subscription_state,
      })),
      access_groups: site.access_groups.map((g) => ({
        id: g.id,
        customer_reference: g.customer_reference,
        members: [...g.members],
      })),
    })),
  };
}
