// group: lbrun against ansible-core on cases distilled from ansible's test/integration/targets/group.
import t from 'tap';
import { differential } from './support/differential.js';

await differential(t, 'group');
