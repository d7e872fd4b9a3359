import type { Source } from '../errors.js';
import type { Vars } from '../types.js';

export interface HostSpec {
  name: string;
  /** Host variables merged with precedence: all < parent groups < child groups < host_vars. */
  vars: Vars;
  /** Every group the host belongs to, including `all` and ancestors. */
  groups: string[];
  source: Source;
  /** Where each of vars is written (the group_vars/host_vars file or the inventory line that wins). */
  varSources?: Record<string, Source>;
}

export interface GroupSpec {
  name: string;
  vars: Vars;
  /** Direct children group names. */
  children: string[];
  /** Hosts listed directly in this group. */
  hosts: string[];
  source: Source;
}

export interface Inventory {
  file: string;
  /** Hosts in definition order. */
  hosts: Map<string, HostSpec>;
  groups: Map<string, GroupSpec>;
}
