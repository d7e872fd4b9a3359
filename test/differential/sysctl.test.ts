// sysctl: lbrun against ansible-core on cases distilled from ansible.posix tests/integration/targets/sysctl.
import t from 'tap';
import { differential } from './support/differential.js';

await differential(t, 'sysctl');
