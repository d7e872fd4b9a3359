// template: lbrun against ansible-core on cases distilled from ansible's test/integration/targets/template.
import t from 'tap';
import { differential } from './support/differential.js';

await differential(t, 'template');
