/**
 * Loads every module into the registry. Import this file (not single modules) from the engine.
 * One line per module file: `import './name.js';` where the file calls registerModule(def).
 */
export { getModule, moduleNames, registerModule } from './registry.js';
import './controller/index.js';
import './proxmox-lxc.js';
import './command.js';
import './shell.js';
import './copy.js';
import './template.js';
import './file.js';
import './lineinfile.js';
import './apt.js';
import './service.js';
import './sysctl.js';
import './user.js';
import './group.js';
import './hostname.js';
import './wait-for.js';
