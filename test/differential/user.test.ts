// user: lbrun against ansible-core on cases distilled from ansible's test/integration/targets/user.
import t from 'tap';
import { differential } from './support/differential.js';

await differential(t, 'user');
