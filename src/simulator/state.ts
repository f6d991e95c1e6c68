// The simulator's live state: the data, who may change it, and the write-through to the
// state file after every change.
import type { SimData, SimSite } from './model';
import { writeStateFile } from './persistence';
import { SiteIndex } from './site-index';

export class SimulatorState {
  /** Built on a site's first lookup; a replaced state brings new site objects, and new indexes. */
  private readonly indexes = new WeakMap<SimSite, SiteIndex>();

  constructor(
    private current: SimData,
    private readonly stateFile: string | null,
  ) {}

  get data(): SimData {
    return this.current;
  }

  replace(data: SimData): void {
    this.current = data;
    this.changed();
  }

  /** Call after every mutation: persists when a state file is configured. */
  changed(): void {
    if (this.stateFile !== null) writeStateFile(this.stateFile, this.current);
  }

  /**
   * The site a path's `{s}` names. A site_uid (e.g. DE4520168385) where the UUID id belongs
   * answers 400 1100 in SALTO KS, so it is told apart from an unknown id (404 2202).
   */
  findSite(param: string): { site: SimSite } | { problem: 'site_uid' | 'unknown' } {
    const site = this.current.sites.find((s) => s.id === param);
    if (site !== undefined) return { site };
    const looksLikeUid =
      /^[A-Z]{2}\d{6,}$/.test(param) || this.current.sites.some((s) => s.site_uid === param);
    return { problem: looksLikeUid ? 'site_uid' : 'unknown' };
  }

  /** The site's lookups; routes change its users and group members through it only. */
  index(site: SimSite): SiteIndex {
    let index = this.indexes.get(site);
    if (index === undefined) {
      index = new SiteIndex(site);
      this.indexes.set(site, index);
    }
    return index;
  }

  /** The platform user id an e-mail already has anywhere in the account (one platform user per e-mail). */
  platformUserIdFor(email: string): string | null {
    for (const site of this.current.sites) {
      const user = this.index(site).userByEmail(email);
      if (user !== undefined) return user.userId;
    }
    return null;
  }

  /** Forget access tokens that ran out, so the state file does not grow forever. */
  pruneExpiredTokens(now: number): void {
    for (const [token, info] of Object.entries(this.current.accessTokens)) {
      if (info.expiresAt <= now) delete this.current.accessTokens[token];
    }
    for (const [code, info] of Object.entries(this.current.authorizationCodes)) {
      if (info.expiresAt <= now) delete this.current.authorizationCodes[code];
    }
  }
}
