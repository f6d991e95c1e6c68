// Activities that talk to Temporal itself: reading the set-up, signalling people, fanning out.
import { DEMO_EMAIL_LOOKUP_KEY, emailLookupKey } from '../shared/email-lookup';
import { Context } from '@temporalio/activity';
import { WorkflowNotFoundError, type Client } from '@temporalio/client';
import { needsObservation, type ListedPerson } from '../core/reconcile-news';
import { emptySetup } from '../core/setup-rules';
import type { Setup } from '../core/types';
import {
  personIdOfAlias,
  personIdOfWorkflowId,
  personWorkflowId,
  PERSON_WORKFLOW_TYPE,
  RESERVATION_WORKFLOW_TYPE,
  SETUP_WORKFLOW_ID,
} from '../shared/ids';
import { signalPersonWithStart } from '../shared/person-signal';
import { groupsHeldOn } from '../shared/held-groups';
import { readSetupMemo } from '../shared/setup-memo';
import { CenterIdsKey, HeldGroupsKey, InSyncKey, SiteIdsKey } from '../shared/search-attributes';
import { getSetupQuery, personEventSignal, reservationEventSignal } from '../workflows/messages';
import type { SignalDefinition } from '@temporalio/common';
import type { CoordinationActivities, SetupFanOut } from './coordination-types';
import { itemsLeft, progressOf, type BatchProgress } from './resumable-batches';
import type { SiteState } from './types';
import type { PersonEvent } from '../core/person-events';

export interface CoordinationDeps {
  client: Client;
  taskQueue: string;
  defaultLeadMinutes: number;
  defaultLagMinutes: number;
  readSiteState(siteId: string): Promise<SiteState>;
  /**
   * Workflow ids matching a visibility query. Default: Temporal's list API, which also gives each
   * person's SaltoHeldGroups. Tests on the time-skipping server, which has no visibility, pass the
   * ids of the workflows they started; a reconciliation then tells every person, not knowing
   * what each one holds.
   */
  listWorkflowIds?: (query: string) => AsyncIterable<string>;
  /** The key of the e-mail search attribute (EMAIL_LOOKUP_KEY). Default: the public demo key. */
  emailLookupSecret?: Buffer;
}

const SIGNAL_BATCH = 50;
/** Workflows listed between two heartbeats (the SDK throttles what it sends to the server). */
const LIST_HEARTBEAT_EVERY = 200;

const sameId = (workflowId: string): string => workflowId;

const quoted = (value: string): string => `'${value.replace(/'/g, "''")}'`;

interface ListedWorkflow {
  workflowId: string;
  /** Its SaltoHeldGroups keywords; null where the list cannot tell. */
  heldGroups: string[] | null;
  /** Its SaltoInSync; null where the list cannot tell. */
  inSync: boolean | null;
}

/**
 * The visibility queries of a set-up fan-out: the people it tells, and the reservations (only
 * when the lead or lag may have changed; else null). A catch-up (`startedSince`) tells everyone
 * started since then, whatever their centers: its purpose is to find people visibility listed
 * too late for the first fan-out, whose centers may not be listed yet either.
 */
export function setupFanOutQueries(fanOut: SetupFanOut): { people: string; reservations: string | null } {
  const running = (type: string): string => `WorkflowType = ${quoted(type)} AND ExecutionStatus = 'Running'`;
  const since = fanOut.startedSince === undefined ? '' : ` AND StartTime >= ${quoted(fanOut.startedSince)}`;
  let people = running(PERSON_WORKFLOW_TYPE) + since;
  if (fanOut.startedSince === undefined && !fanOut.everyone) {
    people += ` AND ${CenterIdsKey.name} IN (${fanOut.centerIds.map(quoted).join(', ')})`;
  }
  return {
    people,
    reservations: fanOut.everyone ? running(RESERVATION_WORKFLOW_TYPE) + since : null,
  };
}

export function createCoordinationActivities(deps: CoordinationDeps): CoordinationActivities {
  const { client } = deps;
  /** Matching workflows, with the groups each says SALTO KS holds for it (null: not known). */
  const listWorkflowsUnwatched = deps.listWorkflowIds
    ? async function* (query: string): AsyncIterable<ListedWorkflow> {
        for await (const workflowId of deps.listWorkflowIds!(query))
          yield { workflowId, heldGroups: null, inSync: null };
      }
    : async function* (query: string): AsyncIterable<ListedWorkflow> {
        for await (const wf of client.workflow.list({ query })) {
          // Absent when the person holds nothing: its last upsert set an empty list.
          yield {
            workflowId: wf.workflowId,
            heldGroups: wf.typedSearchAttributes.get(HeldGroupsKey) ?? [],
            inSync: wf.typedSearchAttributes.get(InSyncKey) ?? null,
          };
        }
      };
  // Listing 100,000 people from visibility outlasts the heartbeat timeout unless the activity
  // heartbeats meanwhile. It keeps the previous attempt's details: where inBatches resumes.
  const listWorkflows = async function* (query: string): AsyncIterable<ListedWorkflow> {
    let listed = 0;
    for await (const wf of listWorkflowsUnwatched(query)) {
      if (++listed % LIST_HEARTBEAT_EVERY === 0) {
        const ctx = Context.current();
        ctx.heartbeat(ctx.info.heartbeatDetails);
      }
      yield wf;
    }
  };
  const listWorkflowIds = async function* (query: string): AsyncIterable<string> {
    for await (const wf of listWorkflows(query)) yield wf.workflowId;
  };

  async function signalWorkflow<A extends unknown[]>(
    workflowId: string,
    signal: SignalDefinition<A>,
    ...args: A
  ): Promise<boolean> {
    // Twice on "not found": a server that looks the current run up before it locks it (the
    // time-skipping test server) answers so for a run that has just continued as new.
    for (let attempt = 1; ; attempt++) {
      try {
        await client.workflow.getHandle(workflowId).signal(signal, ...args);
        return true;
      } catch (err) {
        if (!(err instanceof WorkflowNotFoundError)) throw err;
        if (attempt >= 2) return false; // not one we manage (or finished)
      }
    }
  }

  const signalRunning = (personId: string, event: PersonEvent): Promise<boolean> =>
    signalWorkflow(personWorkflowId(personId), personEventSignal, event);

  /**
   * Runs fn over the items of one phase in parallel batches, in key order, heartbeating the last
   * key done so that a retry resumes after it (and skips the phases already finished).
   */
  async function inBatches<T>(
    phase: number,
    items: T[],
    keyOf: (item: T) => string,
    fn: (item: T) => Promise<boolean>,
  ): Promise<number> {
    const ctx = Context.current();
    const left = itemsLeft(phase, items, keyOf, progressOf(ctx.info.heartbeatDetails));
    let done = 0;
    for (let i = 0; i < left.length; i += SIGNAL_BATCH) {
      const batch = left.slice(i, i + SIGNAL_BATCH);
      const results = await Promise.all(batch.map(fn));
      done += results.filter(Boolean).length;
      const progress: BatchProgress = { phase, after: keyOf(batch[batch.length - 1]!) };
      ctx.heartbeat(progress);
    }
    return done;
  }

  async function loadSetup(): Promise<Setup> {
    try {
      // A set-up workflow from before 0.3.0 that has not changed since has no memo: asked by query.
      return (
        (await readSetupMemo(client)) ??
        (await client.workflow.getHandle(SETUP_WORKFLOW_ID).query(getSetupQuery))
      );
    } catch (err) {
      if (err instanceof WorkflowNotFoundError)
        return emptySetup(deps.defaultLeadMinutes, deps.defaultLagMinutes);
      throw err;
    }
  }

  const emailSecret = deps.emailLookupSecret ?? DEMO_EMAIL_LOOKUP_KEY;
  return {
    // eslint-disable-next-line @typescript-eslint/require-await -- an activity answers a promise
    async emailLookupKey({ email }: { email: string }): Promise<string> {
      return emailLookupKey(email, emailSecret);
    },

    async loadSetup(): Promise<Setup> {
      return loadSetup();
    },

    async loadSetupAndEmailKey({ email }: { email: string }): Promise<{ setup: Setup; emailKey: string }> {
      return { setup: await loadSetup(), emailKey: emailLookupKey(email, emailSecret) };
    },

    async signalPerson({ personId, event }): Promise<void> {
      await signalPersonWithStart(client, deps.taskQueue, personId, event);
    },

    async notifyPeopleOfSetupChange(fanOut: SetupFanOut): Promise<number> {
      const queries = setupFanOutQueries(fanOut);
      const ids: string[] = [];
      for await (const id of listWorkflowIds(queries.people)) ids.push(id);
      let told = await inBatches(0, ids, sameId, (workflowId) =>
        signalRunning(personIdOfWorkflowId(workflowId) ?? workflowId, {
          type: 'setup-changed',
          eventId: `setup-changed:${fanOut.version}`,
          version: fanOut.version,
        }),
      );
      if (queries.reservations !== null) {
        // The lead/lag policy may have changed: scheduled reservations move their windows.
        const reservations: string[] = [];
        for await (const id of listWorkflowIds(queries.reservations)) reservations.push(id);
        told += await inBatches(1, reservations, sameId, (workflowId) =>
          signalWorkflow(workflowId, reservationEventSignal, {
            type: 'setup-changed',
            eventId: `setup-changed:${fanOut.version}`,
            version: fanOut.version,
          }),
        );
      }
      return told;
    },

    async reconcileSite({
      siteId,
    }): Promise<{ usersSeen: number; peopleTold: number; usersMissing: number }> {
      const site = await deps.readSiteState(siteId);
      const managed = site.users.flatMap((u) => {
        const personId = personIdOfAlias(u.alias);
        return personId === null ? [] : [{ ...u, personId }];
      });
      const info = Context.current().info;
      const runId = `${info.workflowExecution?.runId ?? 'standalone'}:${info.activityId}`;
      // The running people with anything on this site, and the groups each last wrote there.
      const listed = new Map<string, ListedPerson>();
      for await (const wf of listWorkflows(
        `WorkflowType = '${PERSON_WORKFLOW_TYPE}' AND ExecutionStatus = 'Running' AND ${SiteIdsKey.name} = ${quoted(siteId)}`,
      )) {
        const personId = personIdOfWorkflowId(wf.workflowId);
        if (personId !== null) {
          listed.set(personId, {
            groups: wf.heldGroups && groupsHeldOn(wf.heldGroups, siteId),
            inSync: wf.inSync,
          });
        }
      }
      const drifted = managed.filter((u) => needsObservation(siteId, listed.get(u.personId), u.groupIds));
      const news: { personId: string; event: PersonEvent }[] = drifted.map((user) => ({
        personId: user.personId,
        event: {
          type: 'observed-groups',
          eventId: `observed:${runId}:${siteId}:${user.platformUserId}`,
          siteId,
          siteUserId: user.siteUserId,
          platformUserId: user.platformUserId,
          groups: user.groupIds,
        },
      }));
      // People who hold (or should hold) access on this site but have no user there any more:
      // deleted by hand. Each finds or creates its user again, with its groups.
      const present = new Set(managed.map((u) => u.personId));
      const onSite = [...listed.keys()].filter((personId) => !present.has(personId));
      for (const personId of onSite.sort()) {
        news.push({
          personId,
          event: { type: 'observed-missing', eventId: `missing:${runId}:${siteId}:${personId}`, siteId },
        });
      }
      const peopleTold = await inBatches(
        0,
        news,
        ({ personId, event }) => `${personId} ${event.eventId}`,
        ({ personId, event }) => signalRunning(personId, event),
      );
      return { usersSeen: site.users.length, peopleTold, usersMissing: onSite.length };
    },
  };
}
