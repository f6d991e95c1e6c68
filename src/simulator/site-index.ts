// A site's users by id, platform id and e-mail, and each group's members as a set: the lookups
// every Connect API call makes, in constant time. The site's arrays stay the state (what the
// state file and /__sim/state hold); the index is built from them once and kept in step by the
// only writes there are, its own methods. Before it, each create and group add scanned every user
// of the site: at 25,000 users 7.5 ms a member, at 50,000 28 ms, on the thread the bench shares
// with the engine it measures.
import type { SimAccessGroup, SimSite, SimSiteUser } from './model';

export class SiteIndex {
  private readonly byId = new Map<string, SimSiteUser>();
  private readonly byPlatformId = new Map<string, SimSiteUser>();
  private readonly byEmail = new Map<string, SimSiteUser>();
  private readonly members = new WeakMap<SimAccessGroup, Set<string>>();
  private subscribed = 0;

  constructor(private readonly site: SimSite) {
    for (const user of site.users) this.note(user);
  }

  userById(id: string): SimSiteUser | undefined {
    return this.byId.get(id);
  }

  userByPlatformId(platformUserId: string): SimSiteUser | undefined {
    return this.byPlatformId.get(platformUserId);
  }

  /** E-mails match without regard to case, as SALTO KS's duplicate check does. */
  userByEmail(email: string): SimSiteUser | undefined {
    return this.byEmail.get(email.toLowerCase());
  }

  get subscribedCount(): number {
    return this.subscribed;
  }

  addUser(user: SimSiteUser): void {
    this.site.users.push(user);
    this.note(user);
  }

  /** Deleting a site user takes it out of every group of the site too. */
  removeUser(user: SimSiteUser): void {
    this.site.users = this.site.users.filter((u) => u !== user);
    this.byId.delete(user.id);
    this.byPlatformId.delete(user.userId);
    this.byEmail.delete(user.email.toLowerCase());
    if (user.subscription_state === 'subscribed') this.subscribed--;
    for (const group of this.site.access_groups) this.removeMembers(group, [user.userId]);
  }

  /** The group's members as a set, for filtering a list by membership. */
  memberSet(group: SimAccessGroup): ReadonlySet<string> {
    let set = this.members.get(group);
    if (set === undefined) {
      set = new Set(group.members);
      this.members.set(group, set);
    }
    return set;
  }

  /** Adds the ones not yet members; true when any was added. */
  addMembers(group: SimAccessGroup, platformUserIds: readonly string[]): boolean {
    const set = this.memberSet(group) as Set<string>;
    let added = false;
    for (const id of platformUserIds) {
      if (set.has(id)) continue;
      set.add(id);
      group.members.push(id);
      added = true;
    }
    return added;
  }

  /** Removes the ones that are members; true when any was removed. */
  removeMembers(group: SimAccessGroup, platformUserIds: Iterable<string>): boolean {
    const set = this.memberSet(group) as Set<string>;
    const leaving = new Set<string>();
    for (const id of platformUserIds) if (set.delete(id)) leaving.add(id);
    if (leaving.size === 0) return false;
    group.members = group.members.filter((m) => !leaving.has(m));
    return true;
  }

  private note(user: SimSiteUser): void {
    this.byId.set(user.id, user);
    this.byPlatformId.set(user.userId, user);
    this.byEmail.set(user.email.toLowerCase(), user);
    if (user.subscription_state === 'subscribed') this.subscribed++;
  }
}
