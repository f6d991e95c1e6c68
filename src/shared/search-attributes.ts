// Typed search attributes of the person workflows: ids and flags only, never names or e-mails.
import { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';

export const PersonIdKey = defineSearchAttributeKey('DeskworksPersonId', SearchAttributeType.KEYWORD);
export const PersonKindKey = defineSearchAttributeKey('DeskworksPersonKind', SearchAttributeType.KEYWORD);
export const CenterIdsKey = defineSearchAttributeKey('DeskworksCenterIds', SearchAttributeType.KEYWORD_LIST);
export const SiteIdsKey = defineSearchAttributeKey('SaltoSiteIds', SearchAttributeType.KEYWORD_LIST);
export const InSyncKey = defineSearchAttributeKey('SaltoInSync', SearchAttributeType.BOOL);
/** The keyed hash of the person's e-mail (src/shared/email-lookup.ts), never the address. */
export const EmailKeyKey = defineSearchAttributeKey('DeskworksEmailKey', SearchAttributeType.KEYWORD);

/** Each access group SALTO KS holds for the person, as `site/group` (src/shared/held-groups.ts). */
export const HeldGroupsKey = defineSearchAttributeKey('SaltoHeldGroups', SearchAttributeType.KEYWORD_LIST);

/** Since when the person has been out of sync (unset while in sync): the age of the oldest. */
export const OutOfSyncSinceKey = defineSearchAttributeKey(
  'SaltoOutOfSyncSince',
  SearchAttributeType.DATETIME,
);

export const SEARCH_ATTRIBUTE_DEFINITIONS = [
  PersonIdKey,
  PersonKindKey,
  CenterIdsKey,
  SiteIdsKey,
  InSyncKey,
  EmailKeyKey,
  HeldGroupsKey,
  OutOfSyncSinceKey,
];

/** `--search-attribute Name=Type` for each of them, as `temporal server start-dev` takes them. */
export function devServerSearchAttributeArgs(): string[] {
  const typeNames: Record<string, string> = {
    KEYWORD: 'Keyword',
    KEYWORD_LIST: 'KeywordList',
    BOOL: 'Bool',
    TEXT: 'Text',
    INT: 'Int',
    DOUBLE: 'Double',
    DATETIME: 'Datetime',
  };
  return SEARCH_ATTRIBUTE_DEFINITIONS.flatMap((k) => [
    '--search-attribute',
    `${k.name}=${typeNames[k.type] ?? k.type}`,
  ]);
}
