// file: lbrun against ansible-core on cases distilled from ansible's test/integration/targets/file.
import t from 'tap';
import { differential } from './support/differential.js';

await differential(t, 'file');
