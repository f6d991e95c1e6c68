// The simulator's demo account, as `npm start` hands it to the worker and the API.
import {
  DEMO_CLIENT_ID,
  DEMO_CLIENT_SECRET,
  DEMO_SYSTEM_PASSWORD,
  DEMO_SYSTEM_USER,
} from '../simulator/demo-seed';

export const DEMO_SALTO = {
  clientId: DEMO_CLIENT_ID,
  clientSecret: DEMO_CLIENT_SECRET,
  username: DEMO_SYSTEM_USER,
  password: DEMO_SYSTEM_PASSWORD,
};
