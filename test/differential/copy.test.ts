// copy: lbrun against ansible-core on cases distilled from ansible's test/integration/targets/copy.
import t from 'tap';
import { differential } from './support/differential.js';

await differential(t, 'copy');
