// The demo account `npm start` uses when no SALTO KS is configured and no state file exists yet:
// two sites in two time zones, a few access groups each with stable, readable ids.
import type { SimSeed } from './seed';

export const DEMO_CLIENT_ID = 'access-sync-demo';
export const DEMO_CLIENT_SECRET = 'demo-secret-not-for-production';
export const DEMO_SYSTEM_USER = 'sync@demo.example';
export const DEMO_SYSTEM_PASSWORD = 'demo-password-not-for-production';

export const DEMO_SITE_BERLIN_ID = '3f0c6a2e-5b1d-4c7a-9e21-b0a1c2d3e401';
export const DEMO_SITE_BROOKLYN_ID = '8a7d9c10-2f4e-4b6a-8c3d-e5f6a7b8c902';

export const DEMO_SEED = {
  clients: { [DEMO_CLIENT_ID]: DEMO_CLIENT_SECRET },
  systemUsers: { [DEMO_SYSTEM_USER]: DEMO_SYSTEM_PASSWORD },
  tokenTtlSeconds: 3600,
  sites: [
    {
      id: DEMO_SITE_BERLIN_ID,
      site_uid: 'DE4520168385',
      name: 'Berlin Mitte',
      time_zone: 'Europe/Berlin',
      access_groups: [
        { id: 'ag-berlin-main-entrance', name: 'Main entrance' },
        { id: 'ag-berlin-coworking-floor', name: 'Coworking floor' },
        { id: 'ag-berlin-private-offices', name: 'Private offices' },
        { id: 'ag-berlin-meeting-room-spree', name: 'Meeting room Spree' },
      ],
      users: [],
    },
    {
      id: DEMO_SITE_BROOKLYN_ID,
      site_uid: 'US7730251946',
      name: 'Brooklyn Navy Yard',
      time_zone: 'America/New_York',
      access_groups: [
        { id: 'ag-brooklyn-lobby', name: 'Lobby' },
        { id: 'ag-brooklyn-open-desks', name: 'Open desks' },
        { id: 'ag-brooklyn-studio', name: 'Studio' },
      ],
      users: [],
    },
  ],
} satisfies SimSeed;
